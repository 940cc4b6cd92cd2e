"""The real anthropic SDK against the stub server: messages sync/async/streams, caching, tools, errors."""

from __future__ import annotations

import asyncio
import json
import uuid

import anthropic
import pytest
from genai_helpers import ANTHROPIC_MODEL, point, points, uninstrumented
from opentelemetry.trace import SpanKind, StatusCode

from agentel.genai import semconv as sc
from agentel.genai.instrumentors.anthropic import AnthropicInstrumentor
from agentel.testing import capture
from agentel.testing.stubllm import StubLLMServer

pytestmark = pytest.mark.usefixtures("instrumented")
NAME = f"chat {ANTHROPIC_MODEL}"
USER = [{"role": "user", "content": "Say hello."}]
TOOLS = [
    {
        "name": "get_weather",
        "description": "Weather in a city",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    }
]


def test_a_message_is_one_client_span_with_request_response_and_usage(ant: anthropic.Anthropic) -> None:
    kwargs = dict(
        model=ANTHROPIC_MODEL,
        max_tokens=100,
        messages=USER,
        stop_sequences=["END"],
        extra_body={"temperature": 0.4, "top_p": 0.8, "top_k": 20},  # anthropic 2.x: no longer arguments
    )
    with uninstrumented():
        expected = ant.messages.create(**kwargs)  # type: ignore[call-overload]
    with capture() as cap:
        result = ant.messages.create(**kwargs)  # type: ignore[call-overload]
    assert type(result) is type(expected)
    assert result.model_dump(exclude={"id"}) == expected.model_dump(exclude={"id"})
    assert cap.span_names() == [NAME]  # the SDK's own call span is folded into agentel's
    span = cap.span(NAME)
    assert span.kind is SpanKind.CLIENT
    attrs = dict(span.attributes or {})
    assert attrs[sc.PROVIDER_NAME] == "anthropic"
    assert attrs[sc.OPERATION_NAME] == "chat"
    assert attrs[sc.REQUEST_MAX_TOKENS] == 100
    assert attrs[sc.REQUEST_TEMPERATURE] == 0.4
    assert attrs[sc.REQUEST_TOP_P] == 0.8
    assert attrs[sc.REQUEST_TOP_K] == 20.0 and isinstance(attrs[sc.REQUEST_TOP_K], float)  # a double
    assert attrs[sc.REQUEST_STOP_SEQUENCES] == ("END",)
    assert attrs[sc.RESPONSE_ID] == result.id
    assert attrs[sc.RESPONSE_MODEL] == ANTHROPIC_MODEL
    assert attrs[sc.RESPONSE_FINISH_REASONS] == ("stop",)  # the conventions' enum
    assert attrs[sc.ANTHROPIC_STOP_REASON] == "end_turn"  # the provider's word beside it
    assert attrs[sc.USAGE_INPUT_TOKENS] == result.usage.input_tokens  # no cache: all input is uncached
    assert attrs[sc.USAGE_OUTPUT_TOKENS] == result.usage.output_tokens
    assert sc.USAGE_CACHE_READ_INPUT_TOKENS not in attrs and sc.USAGE_CACHE_CREATION_INPUT_TOKENS not in attrs
    assert attrs[sc.COST_TOTAL_USD] > 0
    assert "anthropic/claude-sonnet-4-6" in attrs[sc.COST_VERSION]
    assert point(cap, sc.METRIC_TOKEN_USAGE, gen_ai__token__type="output").sum == result.usage.output_tokens


def test_prompt_caching_counts_cache_tokens_inside_input_and_prices_them(ant: anthropic.Anthropic) -> None:
    system = [
        {
            "type": "text",
            "text": f"{uuid.uuid4()} " + "Policy text. " * 200,
            "cache_control": {"type": "ephemeral"},
        }
    ]
    with capture() as cap:
        first = ant.messages.create(model=ANTHROPIC_MODEL, max_tokens=50, system=system, messages=USER)  # type: ignore[arg-type]
        second = ant.messages.create(model=ANTHROPIC_MODEL, max_tokens=50, system=system, messages=USER)  # type: ignore[arg-type]
    write, read = (s.attributes or {} for s in cap.spans)
    u1, u2 = first.usage, second.usage
    assert u1.cache_creation_input_tokens and not u1.cache_read_input_tokens
    assert u2.cache_read_input_tokens and not u2.cache_creation_input_tokens
    assert write[sc.USAGE_INPUT_TOKENS] == u1.input_tokens + u1.cache_creation_input_tokens
    assert write[sc.USAGE_CACHE_CREATION_INPUT_TOKENS] == u1.cache_creation_input_tokens
    assert read[sc.USAGE_INPUT_TOKENS] == u2.input_tokens + u2.cache_read_input_tokens
    assert read[sc.USAGE_CACHE_READ_INPUT_TOKENS] == u2.cache_read_input_tokens
    # claude-sonnet-4-6: $3 input, $3.75 cache write, $0.30 cache read, $15 output per MTok
    assert write[sc.COST_INPUT_USD] == pytest.approx(
        (u1.input_tokens * 3 + u1.cache_creation_input_tokens * 3.75) / 1e6
    )
    assert read[sc.COST_INPUT_USD] == pytest.approx(
        (u2.input_tokens * 3 + u2.cache_read_input_tokens * 0.3) / 1e6
    )
    assert read[sc.COST_INPUT_USD] < write[sc.COST_INPUT_USD]


def test_one_hour_cache_writes_are_priced_at_their_own_rate(ant: anthropic.Anthropic) -> None:
    system = [
        {
            "type": "text",
            "text": f"{uuid.uuid4()} " + "Long rules. " * 200,
            "cache_control": {"type": "ephemeral", "ttl": "1h"},
        }
    ]
    with capture() as cap:
        result = ant.messages.create(model=ANTHROPIC_MODEL, max_tokens=50, system=system, messages=USER)  # type: ignore[arg-type]
    attrs = cap.span(NAME).attributes or {}
    u = result.usage
    assert (
        u.cache_creation is not None
        and u.cache_creation.ephemeral_1h_input_tokens == u.cache_creation_input_tokens
    )
    assert attrs[sc.ANTHROPIC_CACHE_CREATION_1H] == u.cache_creation_input_tokens
    # 1h cache writes cost $6/MTok on sonnet 4.6 (2x input), not the 5-minute $3.75
    assert attrs[sc.COST_INPUT_USD] == pytest.approx(
        (u.input_tokens * 3 + u.cache_creation_input_tokens * 6) / 1e6
    )


def test_tool_use_and_content_capture(ant: anthropic.Anthropic) -> None:
    with capture(capture_content=True) as cap:
        result = ant.messages.create(
            model=ANTHROPIC_MODEL,
            max_tokens=200,
            system="Use tools.",
            messages=USER,
            tools=TOOLS,  # type: ignore[arg-type]
        )
    tool = result.content[1]
    assert tool.type == "tool_use"
    attrs = cap.span(NAME).attributes or {}
    assert attrs[sc.RESPONSE_FINISH_REASONS] == ("tool_call",)
    assert attrs[sc.ANTHROPIC_STOP_REASON] == "tool_use"
    assert json.loads(attrs[sc.SYSTEM_INSTRUCTIONS]) == [{"type": "text", "content": "Use tools."}]
    assert json.loads(attrs[sc.INPUT_MESSAGES]) == [
        {"role": "user", "parts": [{"type": "text", "content": "Say hello."}]}
    ]
    assert json.loads(attrs[sc.OUTPUT_MESSAGES]) == [
        {
            "role": "assistant",
            "parts": [
                {"type": "text", "content": "Let me look that up."},
                {"type": "tool_call", "id": tool.id, "name": "get_weather", "arguments": tool.input},
            ],
            "finish_reason": "tool_call",
        }
    ]
    follow = [
        *USER,
        {"role": "assistant", "content": result.content},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": tool.id, "content": "sunny"}]},
    ]
    with capture(capture_content=True) as cap2:
        final = ant.messages.create(model=ANTHROPIC_MODEL, max_tokens=200, messages=follow, tools=TOOLS)  # type: ignore[arg-type]
    assert final.stop_reason == "end_turn"
    sent = json.loads((cap2.span(NAME).attributes or {})[sc.INPUT_MESSAGES])
    assert sent[2]["parts"] == [{"type": "tool_call_response", "id": tool.id, "response": "sunny"}]


def test_stream_true_is_observed_to_the_end(ant: anthropic.Anthropic) -> None:
    with uninstrumented():
        expected = [
            e.model_dump()
            for e in ant.messages.create(model=ANTHROPIC_MODEL, max_tokens=60, messages=USER, stream=True)
        ]
    with capture(capture_content=True) as cap:
        stream = ant.messages.create(model=ANTHROPIC_MODEL, max_tokens=60, messages=USER, stream=True)
        assert isinstance(stream, anthropic.Stream)
        events = list(stream)
    dumped = [e.model_dump() for e in events]
    for e in (*dumped, *expected):
        if e["type"] == "message_start":
            e["message"].pop("id")
    assert dumped == expected
    attrs = cap.span(NAME).attributes or {}
    start, delta = events[0], next(e for e in events if e.type == "message_delta")
    assert attrs[sc.RESPONSE_ID] == start.message.id  # type: ignore[union-attr]
    assert attrs[sc.USAGE_INPUT_TOKENS] == start.message.usage.input_tokens  # type: ignore[union-attr]
    assert attrs[sc.USAGE_OUTPUT_TOKENS] == delta.usage.output_tokens  # type: ignore[union-attr]
    assert attrs[sc.RESPONSE_FINISH_REASONS] == ("stop",)  # the conventions' enum
    assert attrs[sc.ANTHROPIC_STOP_REASON] == "end_turn"  # the provider's word beside it
    assert attrs[sc.RESPONSE_TIME_TO_FIRST_CHUNK] > 0
    text = "".join(e.delta.text for e in events if e.type == "content_block_delta")  # type: ignore[union-attr]
    assert json.loads(attrs[sc.OUTPUT_MESSAGES])[0]["parts"] == [{"type": "text", "content": text}]
    assert points(cap, sc.METRIC_TIME_TO_FIRST_CHUNK)


def test_stream_helper_sync_with_tools_and_early_exit(ant: anthropic.Anthropic) -> None:
    with capture(capture_content=True) as cap:
        with ant.messages.stream(model=ANTHROPIC_MODEL, max_tokens=100, messages=USER, tools=TOOLS) as stream:  # type: ignore[arg-type]
            final = stream.get_final_message()
        with ant.messages.stream(
            model=ANTHROPIC_MODEL, max_tokens=100, messages=[{"role": "user", "content": "again"}]
        ) as s2:
            for _ in s2.text_stream:
                break
    full, early = cap.spans
    attrs = full.attributes or {}
    assert attrs[sc.RESPONSE_ID] == final.id
    assert attrs[sc.RESPONSE_FINISH_REASONS] == ("tool_call",)
    assert attrs[sc.ANTHROPIC_STOP_REASON] == "tool_use"
    assert attrs[sc.USAGE_OUTPUT_TOKENS] == final.usage.output_tokens
    parts = json.loads(attrs[sc.OUTPUT_MESSAGES])[0]["parts"]
    assert parts[1] == {
        "type": "tool_call",
        "id": final.content[1].id,
        "name": "get_weather",
        "arguments": final.content[1].input,
    }  # type: ignore[union-attr]
    assert (early.attributes or {})[sc.STREAM_INCOMPLETE] is True


def test_async_create_stream_and_stream_helper(aant: anthropic.AsyncAnthropic) -> None:
    async def run() -> tuple[object, list[object], object]:
        msg = await aant.messages.create(model=ANTHROPIC_MODEL, max_tokens=50, messages=USER)  # type: ignore[arg-type]
        events = [
            e
            async for e in await aant.messages.create(
                model=ANTHROPIC_MODEL, max_tokens=50, messages=USER, stream=True
            )
        ]  # type: ignore[arg-type]
        async with aant.messages.stream(model=ANTHROPIC_MODEL, max_tokens=50, messages=USER) as stream:  # type: ignore[arg-type]
            final = await stream.get_final_message()
        await aant.close()
        return msg, events, final

    with capture() as cap:
        msg, events, final = asyncio.run(run())
    assert len(cap.spans) == 3
    a, b, c = (s.attributes or {} for s in cap.spans)
    assert a[sc.RESPONSE_ID] == msg.id  # type: ignore[attr-defined]
    assert b[sc.REQUEST_STREAM] is True and b[sc.USAGE_OUTPUT_TOKENS] > 0
    assert c[sc.RESPONSE_ID] == final.id  # type: ignore[attr-defined]
    assert all(sc.STREAM_INCOMPLETE not in x for x in (a, b, c))


@pytest.mark.parametrize(
    ("status", "exc_type"),
    [
        (400, anthropic.BadRequestError),
        (429, anthropic.RateLimitError),
        (500, anthropic.InternalServerError),
        (529, anthropic.APIStatusError),
    ],
)
def test_errors_propagate_unchanged_and_are_recorded(
    ant: anthropic.Anthropic, status: int, exc_type: type[Exception]
) -> None:
    with capture() as cap, pytest.raises(exc_type) as raised:
        ant.messages.create(model=f"stub-error-{status}", max_tokens=10, messages=USER)  # type: ignore[arg-type]
    assert raised.value.status_code == status  # type: ignore[attr-defined]
    span = cap.span(f"chat stub-error-{status}")
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})[sc.ERROR_TYPE] == type(raised.value).__qualname__
    assert cap.span_names() == [f"chat stub-error-{status}"]


def test_timeouts_are_recorded(stub: StubLLMServer) -> None:
    client = anthropic.Anthropic(base_url=stub.base_url, api_key="sk-ant-test", max_retries=0, timeout=0.3)
    with capture() as cap, pytest.raises(anthropic.APITimeoutError):
        client.messages.create(model="stub-timeout", max_tokens=10, messages=USER)  # type: ignore[arg-type]
    assert (cap.span("chat stub-timeout").attributes or {})[sc.ERROR_TYPE] == "APITimeoutError"
    client.close()


def test_trace_context_still_reaches_the_server(ant: anthropic.Anthropic, stub: StubLLMServer) -> None:
    with capture() as cap:
        ant.messages.create(
            model=ANTHROPIC_MODEL, max_tokens=10, messages=[{"role": "user", "content": "propagate"}]
        )
    sent = next(
        r
        for r in reversed(stub.requests)
        if r["body"].get("messages") == [{"role": "user", "content": "propagate"}]
    )
    traceparent = {k.lower(): v for k, v in sent["headers"].items()}.get("traceparent")
    span = cap.span(NAME)
    assert traceparent == f"00-{span.context.trace_id:032x}-{span.context.span_id:016x}-01"


def test_keep_sdk_spans_keeps_the_sdks_own_span_as_a_child(ant: anthropic.Anthropic) -> None:
    AnthropicInstrumentor().uninstrument()
    AnthropicInstrumentor().instrument(keep_sdk_spans=True)
    with capture() as cap:
        ant.messages.create(model=ANTHROPIC_MODEL, max_tokens=10, messages=USER)  # type: ignore[arg-type]
    ours, theirs = cap.span(NAME), cap.span("anthropic.messages.create")
    assert theirs.parent is not None and theirs.parent.span_id == ours.context.span_id
