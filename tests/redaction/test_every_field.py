"""Issue 12 items 2, 3, 6: every string that leaves the process passes the redactor (names, scope
names and versions, tracestate, log event names, metric attribute values, meter names), in strict
mode too; the metric policy applies whenever an instrument is made; strict ``raise`` never
replaces the application's own exception."""

from __future__ import annotations

import json
import logging

import pytest
from opentelemetry import metrics as metrics_api
from opentelemetry import trace as trace_api
from opentelemetry._logs import get_logger
from opentelemetry.trace import Link, NonRecordingSpan, SpanContext, TraceFlags, TraceState

import agentel
from agentel import registry
from agentel.redaction import StrictRedactionError
from agentel.sinks.otlp_json import encode_logs, encode_spans
from agentel.testing import capture

EMAIL = "owner.secret@example.com"
CARD = "4111111111111111"


def _dump(cap: object) -> str:
    spans = json.dumps(encode_spans(cap.spans))  # type: ignore[attr-defined]
    logs = json.dumps(encode_logs(cap.logs))  # type: ignore[attr-defined]
    metrics = cap.metric_reader.get_metrics_data()  # type: ignore[attr-defined]
    return spans + logs + (metrics.to_json() if metrics is not None else "")


def _remote_parent(state: TraceState) -> object:
    ctx = SpanContext(0x1234, 0x5678, is_remote=True, trace_flags=TraceFlags(1), trace_state=state)
    return trace_api.set_span_in_context(NonRecordingSpan(ctx))


def test_span_scope_tracestate_link_and_event_names_are_redacted() -> None:
    state = TraceState([("vendor", f"user={EMAIL.replace('@', '-at-')}"), ("password", "hunter2hunter")])
    with capture() as cap:
        tracer = trace_api.get_tracer(f"lib.{EMAIL}", f"1.0+{CARD}", schema_url=f"https://x/{EMAIL}")
        link_ctx = SpanContext(0x99, 0x98, is_remote=True, trace_state=TraceState([("pwd", "hunter2hunter")]))
        with tracer.start_as_current_span(
            f"span {EMAIL}", context=_remote_parent(state), links=[Link(link_ctx, {"note": EMAIL})]
        ) as span:
            span.add_event(f"event {EMAIL}", {"detail": CARD})
    out = _dump(cap)
    assert EMAIL not in out and CARD not in out and "hunter2hunter" not in out
    exported = cap.spans[0]
    assert "[REDACTED:email]" in exported.instrumentation_scope.name
    assert exported.context.trace_state.get("password") == "[REDACTED:denied_key]"
    assert exported.links[0].context.trace_state.get("pwd") == "[REDACTED:denied_key]"


def test_log_event_name_severity_text_and_logger_scope_are_redacted() -> None:
    with capture() as cap:
        get_logger(f"logger.{EMAIL}", f"2.0+{CARD}").emit(
            event_name=f"app.{EMAIL}", severity_text=f"SEV {CARD}", body="hello"
        )
        agentel.event(f"app.unregistered.{EMAIL}", body="x")
    out = _dump(cap)
    assert EMAIL not in out and CARD not in out
    assert any("[REDACTED:email]" in (r.log_record.event_name or "") for r in cap.logs)


def test_unregistered_event_metric_attribute_is_redacted() -> None:
    with capture() as cap:
        agentel.event(f"app.{EMAIL}", body="x")
        data = cap.metric_reader.get_metrics_data()
    assert data is not None
    text = data.to_json()
    assert "agentel.events.unregistered" in text
    assert EMAIL not in text


def test_metric_attribute_values_and_meter_names_are_scanned() -> None:
    with capture() as cap:
        meter = metrics_api.get_meter(f"meter.{EMAIL}", f"3.0+{CARD}")
        counter = meter.create_counter("app.things")
        counter.add(1, {"route": "/a", "note": f"for {EMAIL}"})
        meter.create_observable_gauge(
            "app.level", callbacks=[lambda opts: [metrics_api.Observation(1, {"owner": EMAIL})]]
        )
        text = cap.metric_reader.get_metrics_data().to_json()  # type: ignore[union-attr]
    assert EMAIL not in text and CARD not in text
    assert "[REDACTED:email]" in text and '"/a"' in text


def test_metric_registered_after_configure_loses_denied_keys() -> None:
    with capture() as cap:
        registry.register_metric(
            "app.late.logins",
            "counter",
            "1",
            "registered after configure",
            attributes=("route", "password", "user_email", "X-Api-Key"),
        )
        registry.metric("app.late.logins").add(
            1, {"route": "/login", "password": "hunter2hunter", "user_email": EMAIL, "X-Api-Key": "k-123456"}
        )
        text = cap.metric_reader.get_metrics_data().to_json()  # type: ignore[union-attr]
    assert "app.late.logins" in text and "/login" in text
    for secret in ("hunter2hunter", EMAIL, "k-123456", '"password"', '"user_email"', '"X-Api-Key"'):
        assert secret not in text


def test_strict_mode_drops_records_whose_names_carry_secrets(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="agentel.internal.redaction"):
        with capture(redaction_strict=True) as cap:
            with trace_api.get_tracer(f"lib.{EMAIL}").start_as_current_span("clean name"):
                pass
            get_logger("ok").emit(event_name=f"app.{EMAIL}", body="hello")
            metrics_api.get_meter("m").create_counter("app.c").add(1, {"note": EMAIL})
            text = _dump(cap)
    assert EMAIL not in text
    assert cap.spans == [] and cap.logs == []
    assert "strict redaction" in caplog.text


# --- item 6 -----------------------------------------------------------------------------------


class AppError(Exception):
    pass


def test_strict_raise_lets_the_applications_own_exception_through(caplog: pytest.LogCaptureFixture) -> None:
    raised = AppError("the application's own failure")

    @agentel.trace(attributes={"password": "hunter2hunter"})
    def work() -> None:
        raise raised

    @agentel.trace(attributes={"password": "hunter2hunter"})
    async def awork() -> None:
        raise raised

    import asyncio

    with caplog.at_level(logging.ERROR, logger="agentel.internal.redaction"):
        with capture(redaction_strict=True, redaction_strict_action="raise") as cap:
            with pytest.raises(AppError) as info:
                work()
            assert info.value is raised
            with pytest.raises(AppError) as ainfo:
                asyncio.run(awork())
            assert ainfo.value is raised
            with pytest.raises(AppError):
                with agentel.span("block", password="hunter2hunter"):
                    raise AppError("in a block")
            # no exception in flight: the refusal itself is raised, as documented
            with pytest.raises(StrictRedactionError):
                with agentel.span("clean exit", password="hunter2hunter"):
                    pass
    assert cap.spans == []
    assert any("telemetry refused" in note for note in getattr(raised, "__notes__", []))
    assert "reported beside the application's own AppError" in caplog.text
    assert agentel.redaction.counts()["dropped"].get("traces/redaction_strict", 0) >= 3
