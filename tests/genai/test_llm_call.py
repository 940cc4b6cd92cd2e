"""agentel.llm_call: record any client by hand, with the same span, metrics and cost."""

from __future__ import annotations

import asyncio
import json

import pytest
from genai_helpers import point, points
from opentelemetry.trace import SpanKind, StatusCode

import agentel
from agentel.genai import semconv as sc
from agentel.testing import capture


def test_a_context_manager_records_a_call_like_the_instrumentors() -> None:
    with capture(capture_content=True) as cap:
        with agentel.llm_call(
            provider="anthropic", model="claude-haiku-4-5", server_address="llm.internal"
        ) as call:
            call.set_request(max_tokens=256, temperature=0.2, stop_sequences="STOP")
            call.set_messages(input="What is OTel?", output="A telemetry standard.", system="Be brief.")
            call.set_usage(input_tokens=1200, output_tokens=40, cache_read_input_tokens=1000)
            call.set_response(id="msg_1", model="claude-haiku-4-5-20251001", finish_reasons=["end_turn"])
            with agentel.span("inside"):
                pass
    span = cap.span("chat claude-haiku-4-5")
    assert span.kind is SpanKind.CLIENT
    attrs = dict(span.attributes or {})
    assert {
        k: attrs[k] for k in (sc.PROVIDER_NAME, sc.OPERATION_NAME, sc.REQUEST_MODEL, sc.SERVER_ADDRESS)
    } == {
        sc.PROVIDER_NAME: "anthropic",
        sc.OPERATION_NAME: "chat",
        sc.REQUEST_MODEL: "claude-haiku-4-5",
        sc.SERVER_ADDRESS: "llm.internal",
    }
    assert attrs[sc.REQUEST_MAX_TOKENS] == 256 and attrs[sc.REQUEST_STOP_SEQUENCES] == ("STOP",)
    assert attrs[sc.RESPONSE_ID] == "msg_1" and attrs[sc.RESPONSE_FINISH_REASONS] == ("end_turn",)
    assert attrs[sc.USAGE_CACHE_READ_INPUT_TOKENS] == 1000
    # haiku 4.5: 200 uncached at $1, 1000 cache reads at $0.10, 40 output at $5 per MTok
    assert attrs[sc.COST_INPUT_USD] == pytest.approx((200 * 1 + 1000 * 0.1) / 1e6)
    assert attrs[sc.COST_OUTPUT_USD] == pytest.approx(40 * 5 / 1e6)
    assert json.loads(attrs[sc.INPUT_MESSAGES]) == [
        {"role": "user", "parts": [{"type": "text", "content": "What is OTel?"}]}
    ]
    assert json.loads(attrs[sc.SYSTEM_INSTRUCTIONS]) == [{"type": "text", "content": "Be brief."}]
    inner = cap.span("inside")
    assert inner.parent is not None and inner.parent.span_id == span.context.span_id
    assert point(cap, sc.METRIC_TOKEN_USAGE, gen_ai__token__type="input").sum == 1200
    assert (
        point(cap, sc.METRIC_OPERATION_DURATION).attributes[sc.RESPONSE_MODEL] == "claude-haiku-4-5-20251001"
    )
    assert cap.events(sc.EVENT_INFERENCE_DETAILS)


def test_an_exception_is_recorded_and_re_raised_unchanged() -> None:
    class ProviderDown(Exception):
        pass

    with capture() as cap, pytest.raises(ProviderDown):
        with agentel.llm_call("mistral_ai", "mistral-large-latest"):
            raise ProviderDown("503 from upstream")
    span = cap.span("chat mistral-large-latest")
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})[
        sc.ERROR_TYPE
    ] == "test_an_exception_is_recorded_and_re_raised_unchanged.<locals>.ProviderDown"
    assert points(cap, sc.METRIC_OPERATION_DURATION)[0].attributes[sc.ERROR_TYPE].endswith("ProviderDown")


def test_a_decorator_reaches_its_call_and_works_on_async_functions() -> None:
    @agentel.llm_call(provider="openai", model="gpt-4o-mini", operation="text_completion")
    def complete(prompt: str) -> str:
        call = agentel.current_llm_call()
        assert call is not None
        call.set_usage(input_tokens=len(prompt), output_tokens=3)
        return "ok"

    @agentel.llm_call("openai", "text-embedding-3-small", "embeddings")
    async def embed(text: str) -> list[float]:
        call = agentel.current_llm_call()
        assert call is not None
        call.set_usage(input_tokens=5)
        return [0.0]

    with capture() as cap:
        assert complete("hello") == "ok"
        assert complete("hi") == "ok"
        assert asyncio.run(embed("x")) == [0.0]
    assert cap.span_names() == [
        "text_completion gpt-4o-mini",
        "text_completion gpt-4o-mini",
        "embeddings text-embedding-3-small",
    ]
    assert [(s.attributes or {})[sc.USAGE_INPUT_TOKENS] for s in cap.spans] == [5, 2, 5]
    assert agentel.current_llm_call() is None


def test_async_context_manager() -> None:
    async def run() -> None:
        async with agentel.llm_call("openai", "gpt-4o") as call:
            call.first_chunk()
            call.set_usage(input_tokens=10, output_tokens=20)

    with capture() as cap:
        asyncio.run(run())
    attrs = cap.span("chat gpt-4o").attributes or {}
    assert attrs[sc.RESPONSE_TIME_TO_FIRST_CHUNK] >= 0
    assert points(cap, sc.METRIC_TIME_TO_FIRST_CHUNK)


def test_openinference_attributes_are_accepted_on_the_way_in() -> None:
    with capture() as cap, agentel.llm_call("openai") as call:
        call.set_attributes(
            {
                "llm.model_name": "gpt-4o-mini",
                "llm.token_count.prompt": 100,
                "llm.token_count.completion": 20,
                "llm.token_count.total": 120,
                "llm.invocation_parameters": json.dumps(
                    {"temperature": 0.7, "max_tokens": 64, "stop": "###"}
                ),
                "openinference.span.kind": "LLM",
                "app.custom": "kept",
            }
        )
    span = cap.span("chat gpt-4o-mini")
    attrs = dict(span.attributes or {})
    assert attrs[sc.REQUEST_MODEL] == "gpt-4o-mini"
    assert attrs[sc.USAGE_INPUT_TOKENS] == 100 and attrs[sc.USAGE_OUTPUT_TOKENS] == 20
    assert attrs[sc.REQUEST_TEMPERATURE] == 0.7 and attrs[sc.REQUEST_MAX_TOKENS] == 64
    assert attrs[sc.REQUEST_STOP_SEQUENCES] == ("###",)
    assert attrs["app.custom"] == "kept"
    assert not [k for k in attrs if k.startswith(("llm.", "openinference."))]
    assert attrs[sc.COST_TOTAL_USD] > 0


def test_a_cost_the_client_reports_replaces_the_computed_one() -> None:
    with capture() as cap, agentel.llm_call("openrouter", "some/router-model") as call:
        call.set_usage(input_tokens=10, output_tokens=10)
        call.set_cost(0.001, 0.002, source="openrouter")
    attrs = cap.span("chat some/router-model").attributes or {}
    assert (attrs[sc.COST_TOTAL_USD], attrs[sc.COST_SOURCE]) == (pytest.approx(0.003), "openrouter")
    assert sc.METRIC_COST_UNKNOWN_MODEL not in cap.metrics()


def test_estimated_usage_is_flagged_and_kept_out_of_the_token_metric() -> None:
    with capture() as cap, agentel.llm_call("openai", "gpt-4o-mini") as call:
        call.set_usage(input_tokens=12, output_tokens=30, estimated=True)
    assert (cap.span("chat gpt-4o-mini").attributes or {})[sc.USAGE_ESTIMATED] is True
    assert not points(cap, sc.METRIC_TOKEN_USAGE)


def test_no_usage_means_no_cost_and_no_unknown_count() -> None:
    with capture() as cap, agentel.llm_call("openai", "gpt-4o-mini"):
        pass
    attrs = cap.span("chat gpt-4o-mini").attributes or {}
    assert not [k for k in attrs if k.startswith("agentel.cost")]
    assert sc.METRIC_COST_UNKNOWN_MODEL not in cap.metrics()


def test_llm_call_before_configure_is_harmless() -> None:
    with agentel.llm_call("openai", "gpt-4o-mini") as call:
        call.set_usage(input_tokens=1, output_tokens=1)
