"""Fail closed: strict mode drops records that break a rule, and a failing rule never lets the
original through. (The popular scrubber in this space returns the unscrubbed record when its
callback raises; these tests pin that agentel does the opposite.)"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

import agentel
from agentel._internal import errors
from agentel.redaction import PatternRule, RedactionError, StrictRedactionError, counts, marker
from agentel.redaction.processors import COUNTS
from agentel.testing import InMemoryLogExporter, InMemorySpanExporter, capture

EMAIL = "jane.doe@example.com"
SECRET = "Zq9-original-value-never-exported"


@pytest.fixture(autouse=True)
def _fresh_counts() -> None:
    COUNTS.reset()


def _all_output(tmp_path: Path, cap: Any) -> str:
    """Every byte the in-memory capture and the file sink received."""
    from agentel.sinks.otlp_json import encode_logs, encode_spans

    parts = [json.dumps(encode_spans(cap.spans)), json.dumps(encode_logs(cap.logs))]
    for f in tmp_path.rglob("*.jsonl"):
        parts.append(f.read_text())
    return "\n".join(parts)


# --- strict mode ------------------------------------------------------------------------------


def test_strict_report_drops_the_record_counts_and_logs_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="agentel.internal.redaction"):
        with capture(redaction_strict=True, sinks=("files",), dir=str(tmp_path)) as cap:
            with agentel.span("clean", model="gpt-4o"):
                pass
            for _ in range(3):
                with agentel.span("dirty", contact=EMAIL):
                    pass
            logging.getLogger("app").warning("mail %s", EMAIL)
            logging.getLogger("app").warning("fine")
    assert cap.span_names() == ["clean"]
    assert [r.log_record.body for r in cap.logs] == ["fine"]
    assert EMAIL not in _all_output(tmp_path, cap)
    assert counts()["dropped"] == {"logs/redaction_strict": 1, "traces/redaction_strict": 3}
    reports = [r for r in caplog.records if "strict redaction" in r.getMessage()]
    assert len(reports) == 2  # once per signal and rule set, not once per record
    assert "rule(s) email fired" in reports[0].getMessage()
    assert EMAIL not in caplog.text
    dropped = {
        (p.attributes["agentel.signal"], p.attributes["agentel.reason"]): p.value
        for p in cap.metrics()["agentel.telemetry.dropped"]
    }
    assert dropped == {("traces", "redaction_strict"): 3, ("logs", "redaction_strict"): 1}


def test_strict_raise_raises_into_the_caller_and_exports_nothing() -> None:
    with capture(redaction_strict=True, redaction_strict_action="raise") as cap:
        with pytest.raises(StrictRedactionError, match=r"span .* dropped because rule\(s\) denied_key"):
            with agentel.span("s", password="hunter2"):
                pass
        with pytest.raises(StrictRedactionError, match="log record 'app.signup'"):
            agentel.event("app.signup", body="key sk-proj-EXAMPLEexampleEXAMPLE0123456789")
        # stdlib logging never raises into the caller: the bridge reports it as an internal error
        logging.getLogger("app").warning("key %s", "sk-proj-EXAMPLEexampleEXAMPLE0123456789")
    assert cap.spans == [] and cap.logs == []
    assert errors.internal_error_counts().get("sdk.logging_bridge", 0) >= 1


def test_strict_mode_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTEL_REDACTION_STRICT", "1")
    monkeypatch.setenv("AGENTEL_REDACTION_STRICT_ACTION", "raise")
    with capture() as cap:
        with pytest.raises(StrictRedactionError):
            with agentel.span("s", note=EMAIL):
                pass
    assert cap.spans == []


def test_bad_strict_action_is_a_config_error() -> None:
    with pytest.raises(agentel.ConfigError, match="AGENTEL_REDACTION_STRICT_ACTION|redaction_strict_action"):
        agentel.configure(redaction_strict_action="shout", sinks=())


# --- a failing rule or callback ---------------------------------------------------------------


def _exploding(key: str, value: Any) -> Any:
    if isinstance(value, str) and SECRET in value:
        raise ValueError(f"callback choked on {value}")  # quotes the value, as real bugs do
    return value


def _policy_with(callback: Any = None, validator: Any = None) -> Any:
    policy = agentel.RedactionPolicy.default()
    if callback is not None:
        policy = policy.extend(callbacks=[callback])
    if validator is not None:
        policy = policy.extend(patterns=[PatternRule("boom", r"Zq9-\w+", validator=validator)])
    return policy


@pytest.mark.parametrize("raise_internal", [True, False], ids=["under-tests", "production"])
@pytest.mark.parametrize("where", ["callback", "validator"])
def test_a_failing_rule_drops_the_record_and_never_exports_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raise_internal: bool, where: str
) -> None:
    monkeypatch.setattr(errors, "RAISE", raise_internal)

    def bad_validator(text: str) -> bool:
        raise RuntimeError(f"validator choked on {text}")

    policy = _policy_with(_exploding) if where == "callback" else _policy_with(validator=bad_validator)
    spans, logs = InMemorySpanExporter(), InMemoryLogExporter()
    extra_spans, extra_logs = InMemorySpanExporter(), InMemoryLogExporter()
    agentel.configure(
        redaction_policy=policy,
        sinks=("files",),
        dir=str(tmp_path),
        span_exporters=[spans, extra_spans],
        log_exporters=[logs, extra_logs],
        sync_export=True,
        metrics_interval_s=0,
    )
    with agentel.span("fine", note="ok"):
        pass
    if raise_internal:
        with pytest.raises(RedactionError, match="fail closed"):
            with agentel.span("leaky", note=f"value {SECRET}"):
                pass
        with pytest.raises(RedactionError):
            agentel.event("app.note", body=f"value {SECRET}")
    else:
        with agentel.span("leaky", note=f"value {SECRET}"):
            pass
        agentel.event("app.note", body=f"value {SECRET}")
    logging.getLogger("app").warning("value %s", SECRET)  # the logging bridge never raises
    agentel.shutdown()
    snapshot = counts()
    cap = type("Cap", (), {"spans": spans.spans, "logs": logs.records})()
    assert [s.name for s in spans.spans] == ["fine"]
    assert [s.name for s in extra_spans.spans] == ["fine"]
    assert cap.logs == [] and extra_logs.records == []
    assert SECRET not in _all_output(tmp_path, cap)
    assert snapshot["dropped"] == {"logs/redaction_error": 2, "traces/redaction_error": 1}
    assert errors.internal_error_counts().get("redaction.traces", 0) >= 1
    # the reported error names the rule, not the value
    assert SECRET not in str(RedactionError(f"rule {where!r}"))


def test_internal_error_report_never_quotes_the_value(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(errors, "RAISE", False)
    monkeypatch.setattr(errors, "_logged", set())
    with caplog.at_level(logging.WARNING, logger="agentel.internal"):
        with capture(redaction_policy=_policy_with(_exploding)) as cap:
            with agentel.span("leaky", note=SECRET):
                pass
    assert cap.spans == []
    assert "fail closed" in caplog.text and "_exploding" in caplog.text
    assert SECRET not in caplog.text


def test_a_working_callback_can_redact_what_rules_cannot() -> None:
    def customer_names(key: str, value: Any) -> Any:
        if key == "customer" and isinstance(value, str):
            return marker("customer_name")
        return value

    with capture(redaction_policy=_policy_with(customer_names)) as cap:
        with agentel.span("s", customer="Ada Lovelace", model="m"):
            pass
    assert dict(cap.spans[0].attributes) == {"customer": marker("customer_name"), "model": "m"}
