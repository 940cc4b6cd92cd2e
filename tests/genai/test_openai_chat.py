"""The real openai SDK's chat completions against the stub server: spans, metrics, unchanged results."""

from __future__ import annotations

import json

import openai
import pytest
from genai_helpers import MESSAGES, point, points, uninstrumented
from opentelemetry.trace import SpanKind, StatusCode

from agentel.genai import semconv as sc
from agentel.testing import capture

pytestmark = pytest.mark.usefixtures("instrumented")

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather in a city",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            },
        },
    }
]


def _same(a: object, b: object) -> None:
    """Two SDK results equal but for the ids and timestamps the server makes per request."""
    skip = {"id", "created"}
    assert type(a) is type(b)
    assert a.model_dump(exclude=skip) == b.model_dump(exclude=skip)  # type: ignore[attr-defined]


def test_a_chat_completion_is_one_client_span_with_request_response_usage_and_cost(
    oai: openai.OpenAI,
) -> None:
    kwargs = dict(
        model="gpt-4o-mini",
        messages=MESSAGES,
        temperature=0.3,
        top_p=0.9,
        max_tokens=50,
        stop=["\n\n"],
        seed=42,
        frequency_penalty=0.1,
        presence_penalty=0.2,
    )
    with uninstrumented():
        expected = oai.chat.completions.create(**kwargs)  # type: ignore[call-overload]
    with capture() as cap:
        result = oai.chat.completions.create(**kwargs)  # type: ignore[call-overload]
    _same(result, expected)

    span = cap.span("chat gpt-4o-mini")
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    assert span.instrumentation_scope is not None and span.instrumentation_scope.name == "agentel.genai"
    attrs = dict(span.attributes or {})
    assert attrs[sc.PROVIDER_NAME] == "openai"
    assert attrs[sc.OPERATION_NAME] == "chat"
    assert attrs[sc.REQUEST_MODEL] == "gpt-4o-mini"
    assert attrs[sc.REQUEST_TEMPERATURE] == 0.3
    assert attrs[sc.REQUEST_TOP_P] == 0.9
    assert attrs[sc.REQUEST_MAX_TOKENS] == 50
    assert attrs[sc.REQUEST_STOP_SEQUENCES] == ("\n\n",)
    assert attrs[sc.REQUEST_SEED] == 42
    assert attrs[sc.REQUEST_FREQUENCY_PENALTY] == 0.1
    assert attrs[sc.REQUEST_PRESENCE_PENALTY] == 0.2
    assert attrs[sc.RESPONSE_ID] == result.id
    assert attrs[sc.RESPONSE_MODEL] == result.model == "gpt-4o-mini-2024-07-18"
    assert attrs[sc.RESPONSE_FINISH_REASONS] == (result.choices[0].finish_reason,)
    assert attrs[sc.USAGE_INPUT_TOKENS] == result.usage.prompt_tokens  # type: ignore[union-attr]
    assert attrs[sc.USAGE_OUTPUT_TOKENS] == result.usage.completion_tokens  # type: ignore[union-attr]
    assert attrs[sc.SERVER_ADDRESS] == "127.0.0.1"
    assert isinstance(attrs[sc.SERVER_PORT], int)
    assert attrs[sc.OPENAI_RESPONSE_SYSTEM_FINGERPRINT] == "fp_stub0001"
    assert attrs[sc.COST_SOURCE] == "genai-prices"
    assert attrs[sc.COST_TOTAL_USD] == pytest.approx(attrs[sc.COST_INPUT_USD] + attrs[sc.COST_OUTPUT_USD])
    assert attrs[sc.COST_INPUT_USD] > 0 and attrs[sc.COST_OUTPUT_USD] > 0
    assert "genai-prices" in attrs[sc.COST_VERSION] and "gpt-4o-mini" in attrs[sc.COST_VERSION]
    for absent in (
        sc.USAGE_ESTIMATED,
        sc.ERROR_TYPE,
        sc.RESPONSE_TIME_TO_FIRST_CHUNK,
    ):
        assert absent not in attrs
    assert sc.OUTPUT_MESSAGES in attrs  # content is captured by default (through the redactor)


def test_metrics_carry_the_semconv_attributes_and_token_types(oai: openai.OpenAI) -> None:
    with capture() as cap:
        result = oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    common = {
        sc.OPERATION_NAME: "chat",
        sc.PROVIDER_NAME: "openai",
        sc.REQUEST_MODEL: "gpt-4o-mini",
        sc.RESPONSE_MODEL: "gpt-4o-mini-2024-07-18",
        sc.SERVER_ADDRESS: "127.0.0.1",
    }
    (duration,) = points(cap, sc.METRIC_OPERATION_DURATION)
    assert {k: duration.attributes[k] for k in common} == common
    assert duration.count == 1 and 0 < duration.sum < 10
    assert list(duration.explicit_bounds) == list(sc.DURATION_BUCKETS)
    inp = point(cap, sc.METRIC_TOKEN_USAGE, gen_ai__token__type="input")
    out = point(cap, sc.METRIC_TOKEN_USAGE, gen_ai__token__type="output")
    assert inp.sum == result.usage.prompt_tokens and out.sum == result.usage.completion_tokens  # type: ignore[union-attr]
    assert list(inp.explicit_bounds) == list(sc.TOKEN_BUCKETS)
    cost_in = point(cap, sc.METRIC_COST, agentel__cost__kind="input")
    cost_out = point(cap, sc.METRIC_COST, agentel__cost__kind="output")
    span = cap.span("chat gpt-4o-mini").attributes or {}
    assert cost_in.value == pytest.approx(span[sc.COST_INPUT_USD])
    assert cost_out.value == pytest.approx(span[sc.COST_OUTPUT_USD])
    assert not points(cap, sc.METRIC_TIME_TO_FIRST_CHUNK)


def test_tool_calls_and_content_when_capture_is_on(oai: openai.OpenAI) -> None:
    with uninstrumented():
        expected = oai.chat.completions.create(model="gpt-4o", messages=MESSAGES, tools=TOOLS)  # type: ignore[arg-type]
    with capture(capture_content=True) as cap:
        result = oai.chat.completions.create(model="gpt-4o", messages=MESSAGES, tools=TOOLS)  # type: ignore[arg-type]
    _same(result, expected)
    call = result.choices[0].message.tool_calls[0]  # type: ignore[index]
    attrs = cap.span("chat gpt-4o").attributes or {}
    assert attrs[sc.RESPONSE_FINISH_REASONS] == ("tool_call",)  # the conventions' enum
    assert json.loads(attrs[sc.INPUT_MESSAGES]) == [
        {"role": "system", "parts": [{"type": "text", "content": "You are terse."}]},
        {"role": "user", "parts": [{"type": "text", "content": "Say hello."}]},
    ]
    assert json.loads(attrs[sc.OUTPUT_MESSAGES]) == [
        {
            "role": "assistant",
            "parts": [
                {
                    "type": "tool_call",
                    "id": call.id,
                    "name": "get_weather",
                    "arguments": json.loads(call.function.arguments),  # type: ignore[union-attr]
                }
            ],
            "finish_reason": "tool_call",
        }
    ]
    assert json.loads(attrs[sc.TOOL_DEFINITIONS]) == [
        {
            "type": "function",
            "name": "get_weather",
            "description": "Weather in a city",
            "parameters": TOOLS[0]["function"]["parameters"],  # type: ignore[index]
        }
    ]
    (event,) = cap.events(sc.EVENT_INFERENCE_DETAILS)
    span = cap.span("chat gpt-4o")
    assert event.log_record.trace_id == span.context.trace_id
    assert event.log_record.span_id == span.context.span_id
    ev = dict(event.log_record.attributes or {})
    # on the event, content is structured (lists of maps), as the conventions require for events;
    # on the span it is the same value as a JSON string
    assert isinstance(ev[sc.INPUT_MESSAGES], (list, tuple))
    assert _plain(ev[sc.INPUT_MESSAGES]) == json.loads(attrs[sc.INPUT_MESSAGES])
    assert _plain(ev[sc.OUTPUT_MESSAGES]) == json.loads(attrs[sc.OUTPUT_MESSAGES])
    assert _plain(ev[sc.TOOL_DEFINITIONS]) == json.loads(attrs[sc.TOOL_DEFINITIONS])
    assert ev[sc.RESPONSE_ID] == result.id


def _plain(value: object) -> object:
    """An OTel AnyValue as plain JSON data (the SDK may hand back tuples and mapping proxies)."""
    return json.loads(json.dumps(value, default=dict))


def test_a_tool_result_round_trip_is_recorded_as_tool_call_response(oai: openai.OpenAI) -> None:
    first = oai.chat.completions.create(model="gpt-4o", messages=MESSAGES, tools=TOOLS)  # type: ignore[arg-type]
    call = first.choices[0].message.tool_calls[0]  # type: ignore[index]
    history = [
        *MESSAGES,
        first.choices[0].message,
        {"role": "tool", "tool_call_id": call.id, "content": "sunny"},
    ]
    with capture(capture_content=True) as cap:
        final = oai.chat.completions.create(model="gpt-4o", messages=history, tools=TOOLS)  # type: ignore[arg-type]
    assert final.choices[0].finish_reason == "stop"
    messages = json.loads((cap.span("chat gpt-4o").attributes or {})[sc.INPUT_MESSAGES])
    assert messages[2]["parts"][0]["type"] == "tool_call" and messages[2]["parts"][0]["id"] == call.id
    assert messages[3] == {
        "role": "tool",
        "parts": [{"type": "tool_call_response", "id": call.id, "response": "sunny"}],
    }


def test_streaming_with_usage_measures_tokens_and_time_to_first_chunk(oai: openai.OpenAI) -> None:
    kwargs = dict(model="gpt-4o-mini", messages=MESSAGES, stream=True, stream_options={"include_usage": True})
    with uninstrumented():
        expected = [c.model_dump(exclude={"id", "created"}) for c in oai.chat.completions.create(**kwargs)]  # type: ignore[call-overload]
    with capture(capture_content=True) as cap:
        stream = oai.chat.completions.create(**kwargs)  # type: ignore[call-overload]
        assert isinstance(stream, openai.Stream)
        chunks = list(stream)
    assert [c.model_dump(exclude={"id", "created"}) for c in chunks] == expected
    usage = chunks[-1].usage
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    attrs = cap.span("chat gpt-4o-mini").attributes or {}
    assert attrs[sc.REQUEST_STREAM] is True
    assert attrs[sc.USAGE_INPUT_TOKENS] == usage.prompt_tokens  # type: ignore[union-attr]
    assert attrs[sc.USAGE_OUTPUT_TOKENS] == usage.completion_tokens  # type: ignore[union-attr]
    assert sc.USAGE_ESTIMATED not in attrs and sc.STREAM_INCOMPLETE not in attrs
    assert attrs[sc.RESPONSE_FINISH_REASONS] == ("stop",)
    assert attrs[sc.RESPONSE_ID] == chunks[0].id
    ttft = attrs[sc.RESPONSE_TIME_TO_FIRST_CHUNK]
    (duration,) = points(cap, sc.METRIC_OPERATION_DURATION)
    assert 0 < ttft <= duration.sum
    (first_chunk,) = points(cap, sc.METRIC_TIME_TO_FIRST_CHUNK)
    assert first_chunk.sum == pytest.approx(ttft)
    assert json.loads(attrs[sc.OUTPUT_MESSAGES])[0]["parts"] == [{"type": "text", "content": text}]
    assert point(cap, sc.METRIC_TOKEN_USAGE, gen_ai__token__type="output").sum == usage.completion_tokens  # type: ignore[union-attr]


def test_streaming_without_usage_estimates_tokens_and_says_so(oai: openai.OpenAI) -> None:
    with capture() as cap:
        chunks = list(oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True))
    assert all(c.usage is None for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    attrs = cap.span("chat gpt-4o-mini").attributes or {}
    assert attrs[sc.USAGE_ESTIMATED] is True
    assert attrs[sc.USAGE_OUTPUT_TOKENS] == -(-len(text) // 4)
    assert attrs[sc.USAGE_INPUT_TOKENS] > 0
    assert attrs[sc.COST_TOTAL_USD] > 0  # an estimate too, flagged by agentel.usage.estimated
    # the semconv token histogram and the cost counter carry measured usage only
    assert not points(cap, sc.METRIC_TOKEN_USAGE)
    assert not points(cap, sc.METRIC_COST)
    assert points(cap, sc.METRIC_OPERATION_DURATION)


def test_breaking_out_of_a_stream_early_ends_the_span_with_what_was_seen(oai: openai.OpenAI) -> None:
    with capture(capture_content=True) as cap:
        seen = []
        for chunk in oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True):
            seen.append(chunk.choices[0].delta.content or "")
            if len(seen) == 3:
                break
        # the span ended as soon as the loop let go of the stream, not at shutdown
        assert cap.span_names() == ["chat gpt-4o-mini"]
    attrs = cap.span("chat gpt-4o-mini").attributes or {}
    assert attrs[sc.STREAM_INCOMPLETE] is True
    assert sc.RESPONSE_FINISH_REASONS not in attrs
    assert json.loads(attrs[sc.OUTPUT_MESSAGES])[0]["parts"] == [{"type": "text", "content": "".join(seen)}]
    assert cap.span("chat gpt-4o-mini").status.status_code is StatusCode.UNSET


def test_a_stream_used_as_a_context_manager_and_closed_early(oai: openai.OpenAI) -> None:
    with capture() as cap:
        with oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True) as stream:
            assert isinstance(stream, openai.Stream)
            first = next(stream)
            assert first.choices[0].delta.role == "assistant"
        assert stream.response.is_closed
        assert len(cap.spans) == 1
    assert (cap.spans[0].attributes or {})[sc.STREAM_INCOMPLETE] is True


def test_the_stream_helper_goes_through_the_instrumented_create(oai: openai.OpenAI) -> None:
    with capture() as cap, oai.chat.completions.stream(model="gpt-4o-mini", messages=MESSAGES) as stream:  # type: ignore[arg-type]
        final = stream.get_final_completion()
    attrs = cap.span("chat gpt-4o-mini").attributes or {}
    assert attrs[sc.RESPONSE_ID] == final.id
    assert attrs[sc.RESPONSE_FINISH_REASONS] == ("stop",)


def test_with_raw_response_records_the_parsed_body(oai: openai.OpenAI) -> None:
    with capture() as cap:
        raw = oai.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MESSAGES)  # type: ignore[arg-type]
        parsed = raw.parse()
    assert raw.http_response.status_code == 200
    attrs = cap.span("chat gpt-4o-mini").attributes or {}
    assert attrs[sc.RESPONSE_ID] == parsed.id
    assert attrs[sc.USAGE_OUTPUT_TOKENS] == parsed.usage.completion_tokens  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("status", "exc_type"),
    [
        (400, openai.BadRequestError),
        (401, openai.AuthenticationError),
        (429, openai.RateLimitError),
        (500, openai.InternalServerError),
        (503, openai.InternalServerError),
    ],
)
def test_http_errors_propagate_unchanged_and_are_recorded(
    oai: openai.OpenAI, status: int, exc_type: type[Exception]
) -> None:
    with uninstrumented(), pytest.raises(exc_type) as plain:
        oai.chat.completions.create(model=f"stub-error-{status}", messages=MESSAGES)
    with capture() as cap, pytest.raises(exc_type) as traced:
        oai.chat.completions.create(model=f"stub-error-{status}", messages=MESSAGES)
    assert type(traced.value) is type(plain.value) and traced.value.status_code == status  # type: ignore[attr-defined]
    assert str(traced.value) == str(plain.value)
    span = cap.span(f"chat stub-error-{status}")
    assert span.status.status_code is StatusCode.ERROR
    attrs = span.attributes or {}
    assert attrs[sc.ERROR_TYPE] == exc_type.__qualname__
    assert attrs[sc.HTTP_STATUS_CODE] == status
    assert sc.COST_TOTAL_USD not in attrs and sc.USAGE_INPUT_TOKENS not in attrs
    (duration,) = points(cap, sc.METRIC_OPERATION_DURATION)
    assert duration.attributes[sc.ERROR_TYPE] == exc_type.__qualname__
    assert not points(cap, sc.METRIC_TOKEN_USAGE)
    assert not points(cap, sc.METRIC_COST_UNKNOWN_MODEL)


def test_a_timeout_is_recorded_as_api_timeout_error(stub: object) -> None:
    client = openai.OpenAI(base_url=stub.openai_base_url, api_key="sk-test", max_retries=0, timeout=0.3)  # type: ignore[attr-defined]
    with capture() as cap, pytest.raises(openai.APITimeoutError):
        client.chat.completions.create(model="stub-timeout", messages=MESSAGES)  # type: ignore[arg-type]
    span = cap.span("chat stub-timeout")
    assert (span.attributes or {})[sc.ERROR_TYPE] == "APITimeoutError"
    assert span.end_time is not None and span.start_time is not None
    assert 0.25 < (span.end_time - span.start_time) / 1e9 < 5
    client.close()


def test_a_stream_cut_mid_way_records_the_error_raised_into_the_loop(oai: openai.OpenAI) -> None:
    with capture() as cap:
        got = []
        with pytest.raises(openai.APIError) as raised:
            for chunk in oai.chat.completions.create(model="stub-cut-stream", messages=MESSAGES, stream=True):
                got.append(chunk)
    assert got  # some chunks arrived before the connection dropped
    span = cap.span("chat stub-cut-stream")
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})[sc.ERROR_TYPE] == type(raised.value).__qualname__
    assert (span.attributes or {})[sc.RESPONSE_TIME_TO_FIRST_CHUNK] > 0


def test_n_choices_are_counted_and_each_finish_reason_kept(oai: openai.OpenAI) -> None:
    with capture() as cap:
        result = oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, n=2)
    attrs = cap.span("chat gpt-4o-mini").attributes or {}
    assert attrs[sc.REQUEST_CHOICE_COUNT] == 2
    assert attrs[sc.RESPONSE_FINISH_REASONS] == tuple(c.finish_reason for c in result.choices)


def test_a_system_message_fills_the_instructions(oai: openai.OpenAI) -> None:
    """Issue 18 item 13: an OpenAI system (or developer) message is the call's instructions, as
    Anthropic's ``system`` is; the messages keep it too."""
    with capture(capture_content=True) as cap:
        oai.chat.completions.create(
            model="gpt-4o-mini",
            messages=[
                {"role": "system", "content": "Be brief."},
                {"role": "developer", "content": "Use plain words."},
                {"role": "user", "content": "hi"},
            ],
        )
    [span] = [s for s in cap.spans if (s.attributes or {}).get(sc.SYSTEM_INSTRUCTIONS)]
    assert json.loads(span.attributes[sc.SYSTEM_INSTRUCTIONS]) == [
        {"type": "text", "content": "Be brief."},
        {"type": "text", "content": "Use plain words."},
    ]
    roles = [m["role"] for m in json.loads(span.attributes[sc.INPUT_MESSAGES])]
    assert roles == ["system", "developer", "user"]
