"""A live call and the ingest of the same exchange produce the same span (issue 13 deliverable 4,
one GenAI attribute builder), and ingest reads OpenAI Responses API pairs (issue 15 item 10).

The exchanges are the upstream instrumentations' recordings (``cassettes/README.md``): the live
call sends the recorded request through the real SDK to a server replaying the recorded response;
ingest reads ``{"request": <recorded request>, "response": <recorded response>}``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import anthropic
import openai
import pytest
from cassette_replay import ReplayServer

import agentel
from agentel.genai import semconv as sc
from agentel.ingest import detect, parse_record
from agentel.ingest.record import record_interaction
from agentel.store import apply, open_engine
from agentel.store.loader import load
from agentel.testing import capture

pytestmark = pytest.mark.usefixtures("instrumented")

NOW = 1_800_000_000_000_000_000
#: known only to a live call (the client's base URL), not to a log of request/response bodies
LIVE_ONLY = {sc.SERVER_ADDRESS, sc.SERVER_PORT}

EXCHANGES = {
    "openai_v2__test_chat_completion_tool_calls_with_content": "openai.chat",
    "openai_v2__test_chat_completion_with_raw_response": "openai.chat",
    "openai_v2__test_responses_create_basic": "openai.responses",
    "openai_v2__test_responses_create_captures_tool_call_content": "openai.responses",
    "openllmetry_anthropic__test_anthropic_message_create_legacy": "anthropic.messages",
    "openllmetry_anthropic__test_anthropic_tools_legacy": "anthropic.messages",
}


def _live(name: str, srv: ReplayServer) -> Any:
    request = srv.exchanges[0].request
    if name.startswith("openllmetry_anthropic"):
        with anthropic.Anthropic(base_url=srv.url, api_key="k", max_retries=0, timeout=10) as ant:
            return ant.messages.create(**request)
    with openai.OpenAI(base_url=srv.url + "/v1", api_key="k", max_retries=0, timeout=10) as oai:
        if "/responses" in srv.exchanges[0].path:
            return oai.responses.create(**request)
        return oai.chat.completions.create(**request)


def _span(cap: Any) -> tuple[str, str, str, dict[str, Any]]:
    (span,) = cap.spans
    return span.name, span.kind.name, span.status.status_code.name, dict(span.attributes or {})


@pytest.mark.parametrize("name", sorted(EXCHANGES))
@pytest.mark.parametrize("capture_content", [True, False])
def test_live_and_ingested_calls_of_one_exchange_are_the_same_span(name: str, capture_content: bool) -> None:
    with ReplayServer(name) as srv:
        ex = srv.exchanges[0]
        with capture(capture_content=capture_content) as live:
            _live(name, srv)
    record = {"request": ex.request, "response": ex.json()}
    assert detect(record) == EXCHANGES[name]  # today's "unknown shape" for Responses pairs
    with capture(capture_content=capture_content) as ingested:
        record_interaction(parse_record(record, NOW), run_checks=False)
    live_name, live_kind, live_status, live_attrs = _span(live)
    ing_name, ing_kind, ing_status, ing_attrs = _span(ingested)
    assert (ing_name, ing_kind, ing_status) == (live_name, live_kind, live_status)
    for key in LIVE_ONLY:
        live_attrs.pop(key, None)
    assert ing_attrs == live_attrs
    assert live_attrs[sc.USAGE_INPUT_TOKENS] > 0 and live_attrs[sc.RESPONSE_ID] == ex.json()["id"]
    live_events = [dict(e.log_record.attributes or {}) for e in live.events(sc.EVENT_INFERENCE_DETAILS)]
    ing_events = [dict(e.log_record.attributes or {}) for e in ingested.events(sc.EVENT_INFERENCE_DETAILS)]
    assert ing_events == live_events  # the content event too (structured content)
    if capture_content:
        assert json.loads(live_attrs[sc.OUTPUT_MESSAGES])[0]["parts"]
        assert len(live_events) == 1 and live_events[0][sc.INPUT_MESSAGES]
        (event,) = ingested.events(sc.EVENT_INFERENCE_DETAILS)
        (span,) = ingested.spans
        assert event.log_record.span_id == span.context.span_id
        assert event.log_record.timestamp == span.end_time


def test_a_responses_api_pair_is_read_with_usage_instructions_tools_and_output() -> None:
    with ReplayServer("openai_v2__test_responses_create_captures_tool_call_content") as srv:
        ex = srv.exchanges[0]
    response = ex.json()
    it = parse_record({"request": ex.request, "response": response, "latency_s": 1.5}, NOW)
    assert (it.format, it.provider, it.model, it.response_model) == (
        "openai.responses",
        "openai",
        ex.request["model"],
        response["model"],
    )
    assert it.key == f"openai.responses:{response['id']}"
    assert it.start_ns == response["created_at"] * 10**9 and it.duration_s == 1.5
    assert (it.input_tokens, it.output_tokens) == (
        response["usage"]["input_tokens"],
        response["usage"]["output_tokens"],
    )
    calls = [o for o in response["output"] if o["type"] == "function_call"]
    assert calls and it.finish_reasons == ["tool_call"]
    parts = it.output_messages[0]["parts"]
    assert [p["name"] for p in parts if p["type"] == "tool_call"] == [c["name"] for c in calls]
    assert it.tool_definitions and it.tool_definitions[0]["name"] == ex.request["tools"][0]["name"]


def test_ingest_records_time_to_first_chunk_and_reasoning_tokens_like_a_live_call() -> None:
    record = {
        "model": "o3-mini",
        "prompt": "Think, then answer.",
        "answer": "42",
        "usage": {"input_tokens": 10, "output_tokens": 30, "reasoning_tokens": 24},
        "ttft_ms": 250,
        "latency_s": 2.0,
    }
    with capture() as cap:
        record_interaction(parse_record(record, NOW), run_checks=False)
    attrs = dict(cap.spans[0].attributes or {})
    assert attrs[sc.RESPONSE_TIME_TO_FIRST_CHUNK] == 0.25
    assert attrs[sc.USAGE_REASONING_OUTPUT_TOKENS] == 24


@pytest.mark.parametrize(
    "name",
    [
        "openai_v2__test_responses_create_captures_tool_call_content",
        "openllmetry_anthropic__test_anthropic_tools_legacy",
    ],
)
def test_live_and_ingested_calls_load_as_identical_llm_calls_rows(name: str, tmp_path: Path) -> None:
    agentel.configure(dir=str(tmp_path), run_id="r", metrics_interval_s=0, capture_content=True)
    try:
        with ReplayServer(name) as srv:
            _live(name, srv)
        ex = srv.exchanges[0]
        # stamped now: a recording's own date may be older than the store's TTL
        record = {"request": ex.request, "response": ex.json(), "timestamp": time.time()}
        record_interaction(parse_record(record, NOW), run_checks=False)
    finally:
        agentel.shutdown()
    engine = open_engine(str(tmp_path / "store"))
    try:
        apply(engine)
        load(engine, [str(tmp_path)])
        # every column but the ones a call's identity and timing make (and DurationMs: the log gave none)
        rows = engine.query(
            "SELECT * EXCEPT (Timestamp, TraceId, SpanId, DurationMs) FROM llm_calls ORDER BY Timestamp"
        ).rows
        assert len(rows) == 2 and rows[0] == rows[1]
        attrs = engine.query(
            "SELECT mapFilter((k, v) -> k NOT IN ('server.address', 'server.port'), SpanAttributes)"
            " FROM otel_traces ORDER BY Timestamp"
        ).rows
        assert len(attrs) == 2 and attrs[0] == attrs[1]
    finally:
        engine.close()
