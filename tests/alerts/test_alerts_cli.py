"""``agentel alerts check``: the same rules on the stored calls of the last window; exit 1 when one
fires, and the firing alerts recorded as ``agentel.alert`` events in the store."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

import agentel
from agentel.cli import cli
from agentel.store import open_engine


def _calls(errors: int, ok: int) -> None:
    agentel.configure(metrics_interval_s=0, capture_content=True)
    for i in range(errors + ok):
        try:
            with agentel.llm_call(provider="openai", model="gpt-4o-mini") as call:
                call.set_messages(input=[{"role": "user", "parts": [{"type": "text", "content": "hi"}]}] * 3)
                if i < errors:
                    raise ConnectionError("down")
                call.set_usage(input_tokens=100, output_tokens=10)
        except ConnectionError:
            pass
    agentel.shutdown()


def _check(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["alerts", "check", "--format", "json", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, json.loads(result.stdout)


def test_a_firing_rule_exits_1_and_is_recorded() -> None:
    _calls(errors=3, ok=3)
    code, out = _check("--window", "1h")
    assert code == 1
    rules = {r["rule"]: r for r in out["rules"]}
    assert rules["error_rate"]["state"] == "FIRING" and rules["error_rate"]["value"] == 0.5
    assert rules["success_rate"]["state"] == "FIRING"
    assert rules["generation_time"]["state"] == "ok"
    assert rules["conversation_length"]["value"] == 3
    assert out["stats"]["calls"] == 6 and out["stats"]["errors"] == 3
    engine = open_engine(os.environ["AGENTEL_DIR"])
    try:
        recorded = engine.query(
            "SELECT LogAttributes['agentel.alert.name'] AS name, SeverityText AS sev FROM otel_logs "
            "WHERE EventName = 'agentel.alert' ORDER BY name"
        ).rows
    finally:
        engine.close()
    assert recorded == [("error_rate", "ERROR"), ("success_rate", "ERROR")]


def test_quiet_window_and_overrides() -> None:
    _calls(errors=1, ok=9)
    code, out = _check("--window", "1h", "--no-emit")
    assert code == 0 and all(r["state"] == "ok" for r in out["rules"])
    code, out = _check("--window", "1h", "--threshold", "error_rate=0.05", "--threshold", "success_rate=off")
    assert code == 1 and [r["rule"] for r in out["rules"] if r["state"] == "FIRING"] == ["error_rate"]
    assert "success_rate" not in {r["rule"] for r in out["rules"]}
    code, out = _check("--window", "1h", "--threshold", "min_calls=20")
    assert code == 0 and {r["state"] for r in out["rules"] if r["rule"] != "cost"} == {"not judged"}


def test_an_empty_window_judges_nothing() -> None:
    _calls(errors=2, ok=0)
    code, out = _check("--until", "2h", "--window", "1h")
    assert code == 0 and out["stats"]["calls"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--threshold", "latency=3"), "unknown alert rule 'latency'"),
        (("--threshold", "error_rate"), "expected RULE=VALUE"),
        (("--window", "5 minutes"), "expected a duration like 30m"),
    ],
)
def test_bad_input_is_named(args: tuple[str, ...], message: str) -> None:
    result = CliRunner().invoke(cli, ["alerts", "check", *args])
    assert result.exit_code == 2 and message in result.output
