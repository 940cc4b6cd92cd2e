"""The redacting processors: every field of spans and log records, allowlists, types, counting."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from opentelemetry import trace as trace_api
from opentelemetry.trace import Link

import agentel
from agentel.redaction import counts, marker
from agentel.testing import capture

EMAIL = "jane.doe@example.com"
KEY = "sk-proj-EXAMPLEexampleEXAMPLE0123456789"


@pytest.fixture(autouse=True)
def _fresh_counts() -> None:
    from agentel.redaction.processors import COUNTS

    COUNTS.reset()


def _metric_points(cap: Any, name: str) -> dict[tuple[str, str], float]:
    return {
        (p.attributes["agentel.redaction.rule"], p.attributes["agentel.signal"]): p.value
        for p in cap.metrics().get(name, [])
    }


def test_span_name_attributes_events_status_and_links_are_redacted() -> None:
    with capture() as cap:
        tracer = trace_api.get_tracer("test")
        with tracer.start_as_current_span("linked") as other:
            pass
        link = Link(other.get_span_context(), {"owner": EMAIL, "ok": 1})
        with tracer.start_as_current_span(f"call for {EMAIL}", links=[link]) as s:
            s.set_attribute("prompt", f"use {KEY} please")
            s.set_attribute("password", "hunter2")
            s.set_attribute("tags", ["a", EMAIL])
            s.add_event("note", {"who": EMAIL, "n": 3})
            s.set_status(trace_api.Status(trace_api.StatusCode.ERROR, f"failed for {EMAIL}"))
    span = cap.span(f"call for {marker('email')}")
    assert dict(span.attributes) == {
        "prompt": f"use {marker('openai_key')} please",
        "password": marker("denied_key"),
        "tags": ("a", marker("email")),
    }
    assert dict(span.events[0].attributes) == {"who": marker("email"), "n": 3}
    assert span.status.description == f"failed for {marker('email')}"
    assert dict(span.links[0].attributes) == {"owner": marker("email"), "ok": 1}
    assert span.context.span_id != 0 and span.parent is None and span.end_time


def test_exception_message_and_stacktrace_are_redacted() -> None:
    with capture() as cap, pytest.raises(ValueError):
        with agentel.span("work"):
            raise ValueError(f"cannot reach {EMAIL} with password={KEY}")
    span = cap.span("work")
    ev = span.events[0]
    assert ev.name == "exception"
    blob = repr(dict(ev.attributes)) + str(span.status.description)
    assert EMAIL not in blob and KEY not in blob
    assert marker("email") in ev.attributes["exception.message"]
    assert marker("email") in ev.attributes["exception.stacktrace"]
    assert "ValueError" in ev.attributes["exception.stacktrace"]


def test_resource_attributes_are_redacted() -> None:
    with capture(resource_attributes={"deployment.owner": EMAIL, "team": "ml"}) as cap:
        with agentel.span("s"):
            pass
        logging.getLogger("app").warning("hello")
    assert cap.spans[0].resource.attributes["deployment.owner"] == marker("email")
    assert cap.spans[0].resource.attributes["team"] == "ml"
    assert cap.logs[0].resource.attributes["deployment.owner"] == marker("email")


def test_clean_spans_pass_through_uncopied() -> None:
    from agentel.redaction.redactor import Redactor, Tally

    with capture() as cap:
        with agentel.span("clean", model="gpt-4o-mini", tokens=12):
            pass
    span = cap.spans[0]
    red = Redactor(agentel.RedactionPolicy.default())
    assert red.span(span, Tally()) is span


def test_log_bodies_with_percent_args_and_f_strings_and_extra_attributes() -> None:
    log = logging.getLogger("app.redaction")
    with capture() as cap:
        log.warning("user %s logged in", EMAIL)
        log.warning(f"key is {KEY}")
        log.warning("ok", extra={"api_key": "abc", "user_email": "x", "n": 3})
        log.warning({"body": {"mail": EMAIL}})
    bodies = [r.log_record.body for r in cap.logs]
    assert bodies[0] == f"user {marker('email')} logged in"
    assert bodies[1] == f"key is {marker('openai_key')}"
    attrs = dict(cap.logs[2].log_record.attributes)
    assert attrs["api_key"] == marker("denied_key")
    assert attrs["user_email"] == marker("denied_key") and attrs["n"] == 3
    assert EMAIL not in str(bodies[3]) and marker("email") in str(bodies[3])


def test_logging_exceptions_are_redacted() -> None:
    log = logging.getLogger("app.redaction")
    with capture() as cap:
        try:
            raise RuntimeError(f"token={KEY}")
        except RuntimeError:
            log.exception("failed for %s", EMAIL)
    rec = cap.logs[0].log_record
    assert KEY not in repr(dict(rec.attributes)) and EMAIL not in str(rec.body)
    assert rec.attributes["error.code"] == "RuntimeError"


def test_events_from_the_registry_are_redacted() -> None:
    with capture() as cap:
        agentel.event(
            "gen_ai.evaluation.result", body=f"judge {EMAIL}", **{"gen_ai.evaluation.explanation": KEY}
        )
    rec = cap.events("gen_ai.evaluation.result")[0].log_record
    assert rec.body == f"judge {marker('email')}"
    assert rec.attributes["gen_ai.evaluation.explanation"] == marker("openai_key")


def test_per_event_allowlist_keeps_listed_common_and_correlation_keys() -> None:
    policy = agentel.RedactionPolicy.default().extend(events={"app.checkout": ["cart.size", "cart.*"]})
    with capture(redaction_policy=policy) as cap:
        with agentel.context(run="r1"):
            agentel.event(
                "app.checkout", **{"cart.size": 3, "cart.total": 9.5, "customer": "Al", "error.code": "x"}
            )
        with agentel.span("s") as s:
            s.add_event("app.checkout", {"cart.size": 1, "customer": "Al"})
    attrs = dict(cap.events("app.checkout")[0].log_record.attributes)
    assert attrs == {"cart.size": 3, "cart.total": 9.5, "error.code": "x", "run": "r1"}
    assert dict(cap.spans[0].events[0].attributes) == {"cart.size": 1}
    assert counts()["redacted"]["not_allowed/logs"] == 1
    assert counts()["redacted"]["not_allowed/traces"] == 1


class _Tensor:
    """Stands in for an array/tensor type the policy does not know."""


def test_type_allowlist_drops_bytes_arrays_and_deep_structures() -> None:
    with capture() as cap:
        agentel.event(
            "app.data",
            blob=b"\x00\x01",
            tensor=_Tensor(),
            flat={"a": 1, "b": "x"},
            nums=[1, 2, 3],
            deep={"a": {"b": {"c": 1}}},
            rows=[[1, 2], [3, 4]],
        )
    attrs = dict(cap.events("app.data")[0].log_record.attributes)
    assert attrs["blob"] == marker("type")
    # the SDK itself turns unknown objects into str() or None before any processor runs
    assert not isinstance(attrs.get("tensor"), _Tensor)
    assert attrs["flat"] == {"a": 1, "b": "x"}
    assert list(attrs["nums"]) == [1, 2, 3]
    assert attrs["deep"] == {"a": marker("type")}
    assert list(attrs["rows"]) == [marker("type"), marker("type")]


def test_redactions_are_counted_by_rule_and_signal() -> None:
    with capture() as cap:
        with agentel.span("s", a=EMAIL, b=EMAIL, password="x"):
            pass
        logging.getLogger("app").warning("to %s", EMAIL)
    points = _metric_points(cap, "agentel.redaction.redacted")
    assert points == {("email", "traces"): 2, ("denied_key", "traces"): 1, ("email", "logs"): 1}
    assert counts()["redacted"] == {"denied_key/traces": 1, "email/logs": 1, "email/traces": 2}


def test_correlation_context_values_are_redacted() -> None:
    with capture() as cap:
        with agentel.context(user_email=EMAIL, note=f"for {EMAIL}", run="r1"):
            with agentel.span("s"):
                logging.getLogger("app").warning("inside")
    for attrs in (dict(cap.spans[0].attributes), dict(cap.logs[0].log_record.attributes)):
        assert attrs["user_email"] == marker("denied_key")
        assert attrs["note"] == f"for {marker('email')}"
        assert attrs["run"] == "r1"
