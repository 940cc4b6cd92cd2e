"""The collector applies the policy a second time: data from a program that does NOT run agentel's
SDK (a plain OTel SDK here) reaches the collector's files with secrets masked and denied keys
blocked, and the GenAI normalization (OpenInference names, gen_ai.system) has been applied."""

from __future__ import annotations

import json
from collections.abc import Callable

from collector_process import CollectorProcess, load_config, wait_for, without_clickhouse
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

SECRET_KEY = "sk-proj-" + "A1b2C3d4E5f6G7h8I9j0K1l2"
EMAIL = "ada.lovelace@example.org"
DNA = "ACGTACGTACGTACGTACGTACGTAC"


def _attrs(span: dict) -> dict[str, object]:
    return {a["key"]: next(iter(a["value"].values()), None) for a in span.get("attributes", [])}


def test_plain_otel_sdk_data_is_redacted_and_normalized_by_the_collector(
    start_collector: Callable[..., CollectorProcess],
) -> None:
    collector = start_collector(without_clickhouse(load_config()))
    provider = TracerProvider(
        # Resource(...), not Resource.create(): no default service.instance.id, the collector sets it.
        resource=Resource({"service.name": "not-agentel", "agentel.run_id": "r-42"})
    )
    provider.add_span_processor(
        SimpleSpanProcessor(OTLPSpanExporter(endpoint=f"{collector.otlp_http}/v1/traces"))
    )
    tracer = provider.get_tracer("plain")
    with tracer.start_as_current_span(
        "chat gpt-4o",
        attributes={
            "api_key": "whatever-it-is",
            "user.email": EMAIL,
            "note": f"call me at {EMAIL}, key {SECRET_KEY}",
            "http.request.header.authorization": "Bearer abcdefghijklmnopqrstuvwxyz",
            "gen_ai.input.messages": '[{"role":"user","content":"my password is hunter2"}]',
            "sequence": DNA,
            "gen_ai.system": "openai",
            "llm.model_name": "gpt-4o",
            "llm.token_count.prompt": 42,
            "harmless": "the answer is 42",
        },
    ):
        pass
    provider.shutdown()

    wait_for(lambda: collector.span_ids(), what="the span in the collector's files")
    (req,) = list(collector.records("traces"))
    (rs,) = req["resourceSpans"]
    span = rs["scopeSpans"][0]["spans"][0]
    attrs = _attrs(span)
    text = json.dumps(req)
    for secret in (SECRET_KEY, EMAIL, DNA, "hunter2", "whatever-it-is", "abcdefghijklmnop"):
        assert secret not in text, secret
    assert attrs["api_key"] == "****"
    assert attrs["user.email"] == "****"
    assert attrs["note"] == "call me at ****, key ****"
    assert attrs["gen_ai.input.messages"] == "****"  # content keys blocked when capture is off
    assert "http.request.header.authorization" not in attrs  # deleted outright by attributes/scrub
    assert attrs["harmless"] == "the answer is 42"
    # transform/genai: OpenInference and deprecated names mapped onto the GenAI conventions.
    assert attrs["gen_ai.provider.name"] == "openai"
    assert attrs["gen_ai.request.model"] == "gpt-4o"
    assert attrs["gen_ai.usage.input_tokens"] == "42"  # intValue (JSON encodes int64 as a string)
    resource = {a["key"]: next(iter(a["value"].values())) for a in rs["resource"]["attributes"]}
    assert resource["service.instance.id"] == "r-42", resource
