"""Issue 18 item 7: every default alert rule is judged from what the generation pack records on a
default install (no message content captured), in-process and by `agentel alerts check`: each rule
fires with a threshold the workload crosses and clears with one it does not."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

import agentel
from agentel import alerts
from agentel.cli import cli

GENERATIONS, FAILING = 6, 2


@pytest.fixture(autouse=True)
def _no_process_monitor() -> Iterator[None]:
    yield
    alerts.stop()


def _workload() -> alerts.WindowStats:
    """Six generations through the pack (two fail), each wrapping one LLM call; default settings."""
    agentel.configure(metrics_interval_s=0)
    mon = alerts.start(thresholds={"min_calls": 1}, interval_s=0)
    gen = agentel.generation
    with gen.monitor("support-dialogues") as m:
        for i in range(GENERATIONS):
            try:
                with m.generation(conversation_length=3) as g:
                    with agentel.llm_call(provider="openai", model="gpt-4o-mini") as call:
                        if i < FAILING:
                            raise ConnectionError("down")
                        call.set_usage(input_tokens=100, output_tokens=20)
                    g.usage(prompt_tokens=100, completion_tokens=20)
            except ConnectionError:
                pass
    stats = mon.stats()
    agentel.shutdown()
    return stats


def _thresholds(stats: alerts.WindowStats) -> dict[str, tuple[float, float]]:
    """rule -> (a threshold the window crosses, one it does not)."""
    out = {}
    for rule in alerts.rules({"min_calls": 1}):
        value = getattr(stats, rule.stat)
        assert value is not None and value > 0, f"{rule.name} is not judged: {stats}"
        value = float(value)
        out[rule.name] = ((1 + value) / 2, value / 2) if rule.op == "<" else (value / 2, value * 2 + 1)
    return out


def test_every_default_rule_is_judged_and_fires_and_clears_in_process() -> None:
    stats = _workload()
    assert stats.calls == GENERATIONS and stats.errors == FAILING
    assert stats.mean_conversation_length == 3  # from the pack, with no messages captured
    for name, (fire, clear) in _thresholds(stats).items():
        rule = next(r for r in alerts.rules({name: fire, "min_calls": 1}) if r.name == name)
        value, firing = rule.judge(stats)
        assert value is not None and firing, name
        rule = next(r for r in alerts.rules({name: clear, "min_calls": 1}) if r.name == name)
        value, firing = rule.judge(stats)
        assert value is not None and not firing, name


def test_a_pack_only_conversation_length_alert_fires_then_clears_in_the_monitor() -> None:
    got: list[alerts.Alert] = []
    agentel.configure(metrics_interval_s=0)
    mon = alerts.start(thresholds={"min_calls": 1, "conversation_length": 5}, interval_s=0)
    mon.add_handler(got.append)
    with agentel.generation.monitor("g") as m:
        for _ in range(2):
            with m.generation(conversation_length=9):
                with agentel.llm_call(provider="openai", model="gpt-4o-mini") as call:
                    call.set_usage(input_tokens=10, output_tokens=5)
        assert [a.name for a in mon.check()] == ["conversation_length"]
        for _ in range(6):
            with m.generation(conversation_length=1):
                with agentel.llm_call(provider="openai", model="gpt-4o-mini") as call:
                    call.set_usage(input_tokens=10, output_tokens=5)
        assert mon.check() == []
    agentel.shutdown()
    assert [(a.name, a.state) for a in got] == [
        ("conversation_length", alerts.FIRING),
        ("conversation_length", alerts.RESOLVED),
    ]


def test_every_default_rule_is_judged_and_fires_and_clears_from_the_store() -> None:
    stats = _workload()

    def check(name: str, threshold: float) -> dict:
        result = CliRunner().invoke(
            cli,
            [
                "alerts",
                "check",
                "--window",
                "1h",
                "--no-emit",
                "--format",
                "json",
                "--threshold",
                "min_calls=1",
                "--threshold",
                f"{name}={threshold!r}",
            ],
        )
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return {r["rule"]: r for r in json.loads(result.stdout)["rules"]}[name]

    for name, (fire, clear) in _thresholds(stats).items():
        assert check(name, fire)["state"] == "FIRING", name
        assert check(name, clear)["state"] == "ok", name
    assert check("conversation_length", 1.0)["value"] == 3
