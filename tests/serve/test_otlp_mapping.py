"""The receiver's protobuf → OTLP/JSON conversion equals protobuf's own JSON mapping (ids in hex),
for spans and log records with every kind of field the OTel SDK's encoder sets."""

from __future__ import annotations

from typing import Any

from google.protobuf.json_format import MessageToDict

from agentel.serve.otlp import SIGNALS, _ids_to_hex, proto_to_json


def _reference(msg: Any) -> dict[str, Any]:
    out = MessageToDict(msg, use_integers_for_enums=True)
    _ids_to_hex(out)
    return out


def _spans() -> Any:
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import Link, Status, StatusCode

    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "mapping", "n": 3}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("scope-a", "1.2")
    with tracer.start_as_current_span(
        "parent",
        attributes={"s": "x", "i": 7, "f": 0.5, "b": True, "nan": float("nan"), "inf": float("-inf")},
    ) as parent:
        parent.add_event("evt", {"arr": [1, 2], "strs": ["a", "b"]})
        ctx = parent.get_span_context()
        with provider.get_tracer("scope-b").start_as_current_span(
            "child", links=[Link(ctx, {"why": "retry"})]
        ) as ch:
            ch.set_status(Status(StatusCode.ERROR, "boom"))
            ch.set_attribute("bools", [True, False])
    msg = encode_spans(memory.get_finished_spans())
    provider.shutdown()
    return msg


def _logs() -> Any:
    from opentelemetry._logs import SeverityNumber
    from opentelemetry.exporter.otlp.proto.common._log_encoder import encode_logs
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
    from opentelemetry.sdk.trace import TracerProvider

    memory = InMemoryLogRecordExporter()
    provider = LoggerProvider()
    provider.add_log_record_processor(SimpleLogRecordProcessor(memory))
    logger = provider.get_logger("logs-scope")
    with TracerProvider().get_tracer("t").start_as_current_span("s"):
        logger.emit(
            body="plain", severity_number=SeverityNumber.WARN, severity_text="WARN", attributes={"k": 1}
        )
    logger.emit(body={"nested": {"a": [1, "b"]}, "raw": b"\x00\x01"}, event_name="my.event")
    msg = encode_logs(memory.get_finished_logs())
    provider.shutdown()
    return msg


def test_spans_match_protobufs_json_mapping() -> None:
    msg = _spans()
    assert proto_to_json(SIGNALS["/v1/traces"], msg) == _reference(msg)


def test_log_records_match_protobufs_json_mapping() -> None:
    msg = _logs()
    assert proto_to_json(SIGNALS["/v1/logs"], msg) == _reference(msg)


def test_the_receiver_redacts_spans_exactly_as_the_sdk_does() -> None:
    """What a sender without agentel posts is stored as the SDK would have stored it."""
    import json

    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import Status, StatusCode

    from agentel.redaction import Redactor, load_policy
    from agentel.redaction.redactor import Tally
    from agentel.serve.otlp import Redaction, screen
    from agentel.sinks.otlp_json import encode_spans

    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "redact", "db.password": "s3cret!"}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    from opentelemetry import trace as trace_api
    from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags, TraceState

    # scope name and version, and the W3C tracestate, are strings that leave the sender too
    tracer = provider.get_tracer(
        "scope of owner.scope@example.com", "1.0 sk-proj-SCOPEexampleSCOPE0123456789abcd"
    )
    parent = SpanContext(
        0x5EC,
        0x5EC,
        is_remote=True,
        trace_flags=TraceFlags(1),
        trace_state=TraceState([("password", "tr4ceSecret")]),
    )
    with tracer.start_as_current_span(
        "call sk-proj-EXAMPLEexampleEXAMPLE0123456789abcd",
        context=trace_api.set_span_in_context(NonRecordingSpan(parent)),
        attributes={"api_key": "abc", "note": "mail me at jane.doe@example.com", "n": 4, "ok": True},
    ) as sp:
        sp.add_event(
            "gen_ai.choice", {"gen_ai.usage.input_tokens": 3, "user.email": "x@example.com", "junk": "j"}
        )
        sp.add_event("plain", {"authorization": "Bearer abcdefghijklmnop", "count": 2})
        sp.set_status(Status(StatusCode.ERROR, "failed for jane.doe@example.com"))
    spans = memory.get_finished_spans()
    provider.shutdown()

    red = Redactor(load_policy(None))
    expected = encode_spans([red.span(s, Tally()) for s in spans])
    sent = json.loads(json.dumps(encode_spans(spans)))
    stored, outcome = screen(
        SIGNALS["/v1/traces"], sent, Redaction(Redactor(load_policy(None)), strict=False)
    )
    assert outcome.accepted == 1 and outcome.rejected == 0
    assert json.loads(json.dumps(stored)) == json.loads(json.dumps(expected))
    text = json.dumps(stored)
    for secret in (
        "s3cret",
        "jane.doe",
        "sk-proj-EXAMPLE",
        "abcdefghijklmnop",
        "owner.scope",
        "SCOPEexample",
        "tr4ceSecret",
    ):
        assert secret not in text, secret
