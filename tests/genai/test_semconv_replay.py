"""The upstream GenAI instrumentations' recorded exchanges, replayed through the real openai and
anthropic SDKs, checked against the GenAI semantic conventions (issue 15, items 11-16).

The recordings are data (``cassettes/README.md`` says where each comes from); the server and every
assertion are agentel's own. Expected values are read from the recorded response bodies.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import anthropic
import openai
import pytest
from cassette_replay import ReplayServer, load
from genai_helpers import points

from agentel.genai import semconv as sc
from agentel.testing import capture

pytestmark = pytest.mark.usefixtures("instrumented")

CHAT_RAW_STREAM = "openai_v2__test_chat_completion_with_raw_response_streaming"
RESPONSES_STREAM = "openai_v2__test_responses_create_streaming"
ANTHROPIC_STREAM = "openllmetry_anthropic__test_anthropic_message_streaming_legacy"
ANTHROPIC_CREATE = "openllmetry_anthropic__test_anthropic_message_create_legacy"
ANTHROPIC_TOOLS = "openllmetry_anthropic__test_anthropic_tools_legacy"


def _sse(name: str) -> list[dict[str, Any]]:
    """The JSON payloads of a recorded SSE body."""
    out = []
    for line in load(name)[0].body.decode().splitlines():
        if line.startswith("data: ") and line[6:].strip() != "[DONE]":
            out.append(json.loads(line[6:]))
    return out


@pytest.fixture()
def replay() -> Iterator[Any]:
    servers: list[ReplayServer] = []

    def start(name: str, **kw: Any) -> ReplayServer:
        srv = ReplayServer(name, **kw).__enter__()
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.__exit__(None, None, None)


def _openai(srv: ReplayServer) -> openai.OpenAI:
    return srv.closing(openai.OpenAI(base_url=srv.url + "/v1", api_key="sk-test", max_retries=0, timeout=10))


def _anthropic(srv: ReplayServer) -> anthropic.Anthropic:
    return srv.closing(
        anthropic.Anthropic(base_url=srv.url, api_key="sk-ant-test", max_retries=0, timeout=10)
    )


# --- item 11: with_raw_response.create(stream=True) ends with the stream ----------------------


def test_openai_chat_raw_response_stream_ends_when_the_stream_is_consumed(replay: Any) -> None:
    srv = replay(CHAT_RAW_STREAM)
    request = srv.exchanges[0].request
    chunks = _sse(CHAT_RAW_STREAM)
    with capture() as cap:
        raw = _openai(srv).chat.completions.with_raw_response.create(**request)
        assert cap.spans == []  # not ended with the headers
        before_reading = time.time_ns()
        stream = raw.parse()
        assert isinstance(stream, openai.Stream)
        texts = [c.choices[0].delta.content for c in stream if c.choices and c.choices[0].delta.content]
    assert "".join(texts).startswith("This is a test")
    span = cap.span("chat gpt-4o-mini")
    attrs = dict(span.attributes or {})
    assert span.end_time is not None and span.end_time >= before_reading  # the stream is in the duration
    assert attrs[sc.RESPONSE_ID] == chunks[0]["id"]
    assert attrs[sc.RESPONSE_MODEL] == chunks[0]["model"]
    assert attrs[sc.RESPONSE_FINISH_REASONS] == ("stop",)
    usage = chunks[-1]["usage"]
    assert attrs[sc.USAGE_INPUT_TOKENS] == usage["prompt_tokens"]
    assert attrs[sc.USAGE_OUTPUT_TOKENS] == usage["completion_tokens"]
    assert sc.USAGE_ESTIMATED not in attrs
    # item 14: one time-per-output-chunk measurement per chunk after the first
    (per_chunk,) = points(cap, sc.METRIC_TIME_PER_OUTPUT_CHUNK)
    assert per_chunk.count == len(chunks) - 1
    assert per_chunk.attributes[sc.RESPONSE_MODEL] == chunks[0]["model"]


def test_openai_responses_raw_response_stream_ends_when_the_stream_is_consumed(replay: Any) -> None:
    srv = replay(RESPONSES_STREAM)
    request = srv.exchanges[0].request
    final = next(e for e in _sse(RESPONSES_STREAM) if e["type"] == "response.completed")["response"]
    with capture() as cap:
        raw = _openai(srv).responses.with_raw_response.create(**request)
        assert cap.spans == []
        with raw.parse() as stream:
            kinds = [event.type for event in stream]
    assert kinds[-1] == "response.completed"
    attrs = dict(cap.span(f"chat {request['model']}").attributes or {})
    assert attrs[sc.RESPONSE_ID] == final["id"]
    assert attrs[sc.RESPONSE_MODEL] == final["model"]
    assert attrs[sc.USAGE_INPUT_TOKENS] == final["usage"]["input_tokens"]
    assert attrs[sc.USAGE_OUTPUT_TOKENS] == final["usage"]["output_tokens"]
    assert attrs[sc.RESPONSE_FINISH_REASONS] == ("stop",)
    assert points(cap, sc.METRIC_TIME_PER_OUTPUT_CHUNK)[0].count == len(kinds) - 1


def test_anthropic_raw_response_stream_ends_when_the_stream_is_consumed(replay: Any) -> None:
    srv = replay(ANTHROPIC_STREAM)
    request = srv.exchanges[0].request
    events = _sse(ANTHROPIC_STREAM)
    start = events[0]["message"]
    delta = next(e for e in events if e["type"] == "message_delta")
    with capture() as cap:
        raw = _anthropic(srv).messages.with_raw_response.create(**request)
        assert cap.spans == []
        before_reading = time.time_ns()
        kinds = [event.type for event in raw.parse()]
    assert kinds[-1] == "message_stop"
    span = cap.span(f"chat {request['model']}")
    attrs = dict(span.attributes or {})
    assert span.end_time is not None and span.end_time >= before_reading
    assert attrs[sc.RESPONSE_ID] == start["id"]
    assert attrs[sc.RESPONSE_MODEL] == start["model"]
    assert attrs[sc.USAGE_INPUT_TOKENS] == start["usage"]["input_tokens"]
    assert attrs[sc.USAGE_OUTPUT_TOKENS] == delta["usage"]["output_tokens"]
    # item 16: the conventions' enum, with Anthropic's word kept beside it
    assert delta["delta"]["stop_reason"] == "end_turn"
    assert attrs[sc.RESPONSE_FINISH_REASONS] == ("stop",)
    assert attrs[sc.ANTHROPIC_STOP_REASON] == "end_turn"


# --- item 15: a stream failing mid-way, a failed call -----------------------------------------


def test_a_stream_cut_after_message_start_records_no_partial_usage(replay: Any) -> None:
    srv = replay(ANTHROPIC_STREAM)
    body = srv.exchanges[0].body
    srv.cut_at = body.index(b"content_block_delta") + 200  # after message_start, before message_delta
    request = srv.exchanges[0].request
    with capture() as cap:
        with pytest.raises(Exception, match="peer closed connection"):
            for _ in _anthropic(srv).messages.create(**request):
                pass
    span = cap.span(f"chat {request['model']}")
    attrs = dict(span.attributes or {})
    assert attrs[sc.ERROR_TYPE]
    assert sc.USAGE_INPUT_TOKENS not in attrs and sc.USAGE_OUTPUT_TOKENS not in attrs
    assert points(cap, sc.METRIC_TOKEN_USAGE) == []
    (duration,) = points(cap, sc.METRIC_OPERATION_DURATION)
    assert duration.attributes[sc.ERROR_TYPE] == attrs[sc.ERROR_TYPE]


def test_a_chat_stream_cut_mid_way_records_no_usage_and_no_estimate(replay: Any) -> None:
    srv = replay(CHAT_RAW_STREAM)
    body = srv.exchanges[0].body
    srv.cut_at = body.index(b'" test"')  # a few chunks in, before the usage chunk
    request = srv.exchanges[0].request
    with capture() as cap:
        stream = _openai(srv).chat.completions.create(**request)
        with pytest.raises(openai.APIConnectionError):
            for _ in stream:
                pass
    attrs = dict(cap.span(f"chat {request['model']}").attributes or {})
    assert attrs[sc.ERROR_TYPE]
    assert sc.USAGE_INPUT_TOKENS not in attrs and sc.USAGE_ESTIMATED not in attrs
    assert attrs[sc.RESPONSE_ID]  # what was seen before the cut is kept
    assert points(cap, sc.METRIC_TOKEN_USAGE) == []


def test_async_raw_response_streams_end_with_the_stream(replay: Any) -> None:
    async def run() -> tuple[list[str], list[str]]:
        srv = replay(CHAT_RAW_STREAM)
        async with openai.AsyncOpenAI(base_url=srv.url + "/v1", api_key="k", max_retries=0) as oai:
            raw = await oai.chat.completions.with_raw_response.create(**srv.exchanges[0].request)
            chunks = [c.id async for c in raw.parse()]
        srv = replay(ANTHROPIC_STREAM)
        async with anthropic.AsyncAnthropic(base_url=srv.url, api_key="k", max_retries=0) as ant:
            raw = await ant.messages.with_raw_response.create(**srv.exchanges[0].request)
            events = [e.type async for e in await raw.parse()]
        return chunks, events

    with capture() as cap:
        chunks, events = asyncio.run(run())
    assert events[-1] == "message_stop"
    spans = {s.name: dict(s.attributes or {}) for s in cap.spans}
    assert spans["chat gpt-4o-mini"][sc.RESPONSE_ID] == chunks[0]
    assert (
        spans["chat gpt-4o-mini"][sc.USAGE_OUTPUT_TOKENS]
        == _sse(CHAT_RAW_STREAM)[-1]["usage"]["completion_tokens"]
    )
    anthropic_span = spans["chat " + _sse(ANTHROPIC_STREAM)[0]["message"]["model"]]
    assert anthropic_span[sc.RESPONSE_FINISH_REASONS] == ("stop",)
    assert anthropic_span[sc.USAGE_OUTPUT_TOKENS] > 0


def test_a_failed_responses_stream_records_a_duration_with_error_type_and_no_token_usage(
    replay: Any,
) -> None:
    # a Responses stream whose final event is response.failed: usage may be reported, but the
    # call failed; the conventions' token histogram is for usage of completed operations
    srv = replay(RESPONSES_STREAM)
    ex = srv.exchanges[0]
    ex.body = ex.body.replace(b'"type":"response.completed"', b'"type":"response.failed"').replace(
        b'"status":"completed"', b'"status":"failed"'
    )
    with capture() as cap:
        for _ in _openai(srv).responses.create(**ex.request):
            pass
    attrs = dict(cap.span(f"chat {ex.request['model']}").attributes or {})
    assert attrs[sc.ERROR_TYPE] == "response_failed"
    assert attrs[sc.RESPONSE_FINISH_REASONS] == ("error",)
    assert points(cap, sc.METRIC_TOKEN_USAGE) == []
    (duration,) = points(cap, sc.METRIC_OPERATION_DURATION)
    assert duration.attributes[sc.ERROR_TYPE] == "response_failed"


# --- item 16: Anthropic finish reasons in the conventions' enum --------------------------------


def test_anthropic_stop_reasons_map_to_the_conventions_enum(replay: Any) -> None:
    for name, word, expected in (
        (ANTHROPIC_CREATE, "end_turn", "stop"),
        (ANTHROPIC_TOOLS, "tool_use", "tool_call"),
    ):
        srv = replay(name)
        ex = srv.exchanges[0]
        assert ex.json()["stop_reason"] == word
        with capture(capture_content=True) as cap:
            _anthropic(srv).messages.create(**ex.request)
        attrs = dict(cap.span(f"chat {ex.request['model']}").attributes or {})
        assert attrs[sc.RESPONSE_FINISH_REASONS] == (expected,)
        assert attrs[sc.ANTHROPIC_STOP_REASON] == word
        assert json.loads(attrs[sc.OUTPUT_MESSAGES])[0]["finish_reason"] == expected


# --- item 13: request attributes ---------------------------------------------------------------


def test_service_tier_in_extra_body_output_type_of_responses_and_top_k_a_double(replay: Any) -> None:
    srv = replay(RESPONSES_STREAM)
    ex = srv.exchanges[0]
    request = {
        **ex.request,
        "text": {"format": {"type": "json_object"}},
        "extra_body": {"service_tier": "flex"},
    }
    with capture() as cap:
        for _ in _openai(srv).responses.create(**request):
            pass
    attrs = dict(cap.span(f"chat {ex.request['model']}").attributes or {})
    assert srv.received[0]["service_tier"] == "flex"
    assert attrs[sc.OPENAI_REQUEST_SERVICE_TIER] == "flex"
    assert attrs[sc.OUTPUT_TYPE] == "json"

    srv = replay(ANTHROPIC_CREATE)
    ex = srv.exchanges[0]
    with capture() as cap:
        _anthropic(srv).messages.create(**ex.request, extra_body={"top_k": 5})
    attrs = dict(cap.span(f"chat {ex.request['model']}").attributes or {})
    assert attrs[sc.REQUEST_TOP_K] == 5.0 and type(attrs[sc.REQUEST_TOP_K]) is float


def test_server_port_is_set_whenever_server_address_is() -> None:
    # the conventions: server.port is conditionally required "if server.address is set"
    from agentel.genai.instrumentors._base import server_of

    with openai.OpenAI(api_key="k") as oai:
        assert server_of(oai) == ("api.openai.com", 443)
    with anthropic.Anthropic(api_key="k", base_url="http://llm.internal") as ant:
        assert server_of(ant) == ("llm.internal", 80)
    with anthropic.Anthropic(api_key="k", base_url="http://127.0.0.1:8080") as ant:
        assert server_of(ant) == ("127.0.0.1", 8080)


def test_top_k_is_a_double_from_llm_call_and_openinference_names() -> None:
    import agentel

    with capture() as cap:
        with agentel.llm_call(provider="mistral_ai", model="m") as call:
            call.set_request(top_k=40)
        with agentel.llm_call(provider="mistral_ai", model="n") as call:
            call.set_attributes({"llm.invocation_parameters": '{"top_k": 8}'})
    assert (cap.span("chat m").attributes or {})[sc.REQUEST_TOP_K] == 40.0
    assert type((cap.span("chat m").attributes or {})[sc.REQUEST_TOP_K]) is float
    assert type((cap.span("chat n").attributes or {})[sc.REQUEST_TOP_K]) is float


def test_llm_call_chunk_marks_time_to_first_chunk_and_time_per_output_chunk() -> None:
    import agentel

    with capture() as cap:
        with agentel.llm_call(provider="mistral_ai", model="m") as call:
            for _ in range(3):
                call.chunk()
    attrs = cap.span("chat m").attributes or {}
    assert attrs[sc.RESPONSE_TIME_TO_FIRST_CHUNK] >= 0
    (per_chunk,) = points(cap, sc.METRIC_TIME_PER_OUTPUT_CHUNK)
    assert per_chunk.count == 2
    assert points(cap, sc.METRIC_TIME_TO_FIRST_CHUNK)[0].count == 1
