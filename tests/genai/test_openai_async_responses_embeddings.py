"""The openai SDK's async client, the Responses API and embeddings, instrumented."""

from __future__ import annotations

import asyncio
import json

import openai
import pytest
from genai_helpers import MESSAGES, point, points, uninstrumented
from opentelemetry.trace import SpanKind, StatusCode

from agentel.genai import semconv as sc
from agentel.testing import capture

pytestmark = pytest.mark.usefixtures("instrumented")


def test_async_chat_completion(aoai: openai.AsyncOpenAI) -> None:
    async def run() -> tuple[object, object]:
        with uninstrumented():
            expected = await aoai.chat.completions.create(
                model="gpt-4o-mini", messages=MESSAGES, temperature=0.5
            )  # type: ignore[arg-type]
        result = await aoai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, temperature=0.5)  # type: ignore[arg-type]
        await aoai.close()
        return expected, result

    with capture() as cap:
        expected, result = asyncio.run(run())
    assert result.choices[0].message.content == expected.choices[0].message.content  # type: ignore[attr-defined]
    span = cap.span("chat gpt-4o-mini")
    attrs = span.attributes or {}
    assert span.kind is SpanKind.CLIENT
    assert attrs[sc.REQUEST_TEMPERATURE] == 0.5
    assert attrs[sc.RESPONSE_ID] == result.id  # type: ignore[attr-defined]
    assert attrs[sc.USAGE_OUTPUT_TOKENS] == result.usage.completion_tokens  # type: ignore[attr-defined]
    assert point(cap, sc.METRIC_TOKEN_USAGE, gen_ai__token__type="input").sum == result.usage.prompt_tokens  # type: ignore[attr-defined]


def test_async_stream_with_usage_and_async_early_exit(aoai: openai.AsyncOpenAI) -> None:
    async def run() -> tuple[list[object], list[object]]:
        full = []
        stream = await aoai.chat.completions.create(
            model="gpt-4o-mini", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
        )  # type: ignore[call-overload]
        assert isinstance(stream, openai.AsyncStream)
        async for chunk in stream:
            full.append(chunk)
        partial = []
        async with await aoai.chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True) as s2:  # type: ignore[call-overload]
            async for chunk in s2:
                partial.append(chunk)
                if len(partial) == 2:
                    break
        await aoai.close()
        return full, partial

    with capture() as cap:
        full, partial = asyncio.run(run())
    done = cap.span("chat gpt-4o-mini").attributes or {}
    assert done[sc.USAGE_OUTPUT_TOKENS] == full[-1].usage.completion_tokens  # type: ignore[attr-defined]
    assert done[sc.RESPONSE_TIME_TO_FIRST_CHUNK] > 0
    assert sc.STREAM_INCOMPLETE not in done
    cut = cap.span("chat gpt-4o").attributes or {}
    assert cut[sc.STREAM_INCOMPLETE] is True
    assert cut[sc.USAGE_ESTIMATED] is True
    assert len(partial) == 2


def test_async_errors_propagate_and_are_recorded(aoai: openai.AsyncOpenAI) -> None:
    async def run() -> None:
        try:
            await aoai.chat.completions.create(model="stub-error-500", messages=MESSAGES)  # type: ignore[arg-type]
        finally:
            await aoai.close()

    with capture() as cap, pytest.raises(openai.InternalServerError):
        asyncio.run(run())
    span = cap.span("chat stub-error-500")
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})[sc.ERROR_TYPE] == "InternalServerError"


def test_responses_api_non_stream_with_instructions(oai: openai.OpenAI) -> None:
    kwargs = dict(
        model="gpt-4o-mini",
        input="Summarize OTel.",
        instructions="Be brief.",
        max_output_tokens=64,
        temperature=0.1,
    )
    with uninstrumented():
        expected = oai.responses.create(**kwargs)  # type: ignore[call-overload]
    with capture(capture_content=True) as cap:
        result = oai.responses.create(**kwargs)  # type: ignore[call-overload]
    assert result.output_text == expected.output_text
    attrs = cap.span("chat gpt-4o-mini").attributes or {}
    assert attrs[sc.OPERATION_NAME] == "chat"
    assert attrs[sc.REQUEST_MAX_TOKENS] == 64
    assert attrs[sc.REQUEST_TEMPERATURE] == 0.1
    assert attrs[sc.RESPONSE_ID] == result.id
    assert attrs[sc.RESPONSE_FINISH_REASONS] == ("stop",)
    assert attrs[sc.USAGE_INPUT_TOKENS] == result.usage.input_tokens  # type: ignore[union-attr]
    assert attrs[sc.USAGE_OUTPUT_TOKENS] == result.usage.output_tokens  # type: ignore[union-attr]
    assert json.loads(attrs[sc.SYSTEM_INSTRUCTIONS]) == [{"type": "text", "content": "Be brief."}]
    assert json.loads(attrs[sc.INPUT_MESSAGES]) == [
        {"role": "user", "parts": [{"type": "text", "content": "Summarize OTel."}]}
    ]
    out = json.loads(attrs[sc.OUTPUT_MESSAGES])
    assert out[0]["parts"] == [{"type": "text", "content": result.output_text}]


def test_responses_api_stream_and_function_calls(oai: openai.OpenAI) -> None:
    tools = [
        {
            "type": "function",
            "name": "lookup",
            "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
        }
    ]
    with capture() as cap:
        events = list(oai.responses.create(model="gpt-4o", input="find it", tools=tools, stream=True))  # type: ignore[arg-type]
    final = events[-1].response  # type: ignore[union-attr]
    assert events[-1].type == "response.completed"
    attrs = cap.span("chat gpt-4o").attributes or {}
    assert attrs[sc.REQUEST_STREAM] is True
    assert attrs[sc.RESPONSE_FINISH_REASONS] == ("tool_call",)  # the conventions' enum
    assert attrs[sc.USAGE_OUTPUT_TOKENS] == final.usage.output_tokens
    assert sc.USAGE_ESTIMATED not in attrs
    assert attrs[sc.RESPONSE_TIME_TO_FIRST_CHUNK] > 0


def test_async_responses(aoai: openai.AsyncOpenAI) -> None:
    async def run() -> object:
        r = await aoai.responses.create(model="gpt-4o-mini", input="hi")
        await aoai.close()
        return r

    with capture() as cap:
        result = asyncio.run(run())
    assert (cap.span("chat gpt-4o-mini").attributes or {})[sc.RESPONSE_ID] == result.id  # type: ignore[attr-defined]


def test_embeddings(oai: openai.OpenAI) -> None:
    with uninstrumented():
        expected = oai.embeddings.create(
            model="text-embedding-3-small", input=["alpha", "beta"], dimensions=8
        )
    with capture() as cap:
        result = oai.embeddings.create(model="text-embedding-3-small", input=["alpha", "beta"], dimensions=8)
    assert [d.embedding for d in result.data] == [d.embedding for d in expected.data]
    span = cap.span("embeddings text-embedding-3-small")
    attrs = span.attributes or {}
    assert attrs[sc.OPERATION_NAME] == "embeddings"
    assert attrs[sc.EMBEDDINGS_DIMENSION_COUNT] == 8
    assert attrs[sc.USAGE_INPUT_TOKENS] == result.usage.prompt_tokens
    assert sc.USAGE_OUTPUT_TOKENS not in attrs
    assert attrs[sc.COST_INPUT_USD] > 0 and attrs[sc.COST_OUTPUT_USD] == 0
    assert [p.attributes[sc.TOKEN_TYPE] for p in points(cap, sc.METRIC_TOKEN_USAGE)] == ["input"]


def test_async_embeddings_with_float_encoding(aoai: openai.AsyncOpenAI) -> None:
    async def run() -> object:
        r = await aoai.embeddings.create(model="text-embedding-3-large", input="x", encoding_format="float")
        await aoai.close()
        return r

    with capture() as cap:
        asyncio.run(run())
    attrs = cap.span("embeddings text-embedding-3-large").attributes or {}
    assert attrs[sc.REQUEST_ENCODING_FORMATS] == ("float",)
