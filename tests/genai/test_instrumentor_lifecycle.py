"""Instrumentor lifecycle: entry points, real restore on uninstrument, peers, never breaking the client."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import entry_points
from typing import Any

import anthropic
import openai
import pytest
import wrapt
from genai_helpers import MESSAGES
from openai.resources.chat.completions.completions import AsyncCompletions, Completions
from opentelemetry import trace
from opentelemetry.instrumentation.utils import suppress_instrumentation

import agentel
from agentel._internal import errors
from agentel.genai import semconv as sc
from agentel.genai.call import LLMCall
from agentel.genai.instrumentors import _base
from agentel.genai.instrumentors.anthropic import AnthropicInstrumentor
from agentel.genai.instrumentors.openai import OpenAIInstrumentor
from agentel.testing import capture
from agentel.testing.stubllm import StubLLMServer


def _targets() -> dict[str, Any]:
    from anthropic import _base_client
    from anthropic.resources.messages.messages import AsyncMessages, Messages
    from openai.resources.embeddings import AsyncEmbeddings, Embeddings
    from openai.resources.responses.responses import AsyncResponses, Responses

    out: dict[str, Any] = {
        "anthropic._base_client.start_api_call_span": _base_client.__dict__["start_api_call_span"]
    }
    for cls, names in (
        (Completions, ("create", "parse")),
        (AsyncCompletions, ("create", "parse")),
        (Responses, ("create", "parse")),
        (AsyncResponses, ("create", "parse")),
        (Embeddings, ("create",)),
        (AsyncEmbeddings, ("create",)),
        (Messages, ("create", "parse", "stream")),
        (AsyncMessages, ("create", "parse", "stream")),
    ):
        for name in names:
            out[f"{cls.__module__}.{cls.__name__}.{name}"] = cls.__dict__[name]
    return out


def test_entry_points_name_our_instrumentors() -> None:
    found = {
        e.name: e for e in entry_points(group="opentelemetry_instrumentor") if e.name.startswith("agentel_")
    }
    assert found["agentel_openai"].load() is OpenAIInstrumentor
    assert found["agentel_anthropic"].load() is AnthropicInstrumentor


def test_uninstrument_really_restores_every_method() -> None:
    before = _targets()
    agentel.instrument_openai()
    agentel.instrument_anthropic()
    during = _targets()
    assert all(during[k] is not before[k] for k in before), [k for k in before if during[k] is before[k]]
    assert agentel.instrument_openai() is OpenAIInstrumentor()  # idempotent, no double wrapping
    assert _targets() == during
    OpenAIInstrumentor().uninstrument()
    AnthropicInstrumentor().uninstrument()
    after = _targets()
    assert all(after[k] is before[k] for k in before)


def test_opentelemetry_instrument_loads_agentel_distro_and_instrumentors(tmp_path: Any) -> None:
    code = (
        "from openai.resources.chat.completions.completions import Completions\n"
        "from anthropic.resources.messages.messages import Messages\n"
        "import agentel.sdk as s\n"
        "print(type(Completions.__dict__['create']).__name__, type(Messages.__dict__['create']).__name__, s.current_settings_or_none() is not None)\n"
    )
    env = {
        **os.environ,
        "AGENTEL_DIR": str(tmp_path),
        "OTEL_PYTHON_DISTRO": "agentel",
        "OTEL_PYTHON_CONFIGURATOR": "agentel",
    }
    exe = os.path.join(os.path.dirname(sys.executable), "opentelemetry-instrument")
    out = subprocess.run(
        [exe, sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["FunctionWrapper", "FunctionWrapper", "True"]


def _fake_peer_wrapper() -> Any:
    """A wrapper that looks like opentelemetry-instrumentation-openai-v2's (same module name)."""
    tracer = trace.get_tracer("opentelemetry.instrumentation.openai_v2")

    def chat_completions_create(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
        with tracer.start_as_current_span(
            f"chat {kwargs.get('model')}",
            kind=trace.SpanKind.CLIENT,
            attributes={"gen_ai.operation.name": "chat"},
        ):
            return wrapped(*args, **kwargs)

    chat_completions_create.__module__ = "opentelemetry.instrumentation.openai_v2.patch"
    return chat_completions_create


@pytest.fixture()
def restore_completions() -> Iterator[None]:
    original = Completions.__dict__["create"]
    _base._warned.clear()
    yield
    OpenAIInstrumentor().uninstrument()
    Completions.create = original  # type: ignore[method-assign]
    _base._warned.clear()


@pytest.mark.usefixtures("restore_completions")
def test_a_peer_already_instrumenting_openai_wins_and_we_say_so_once(
    oai: openai.OpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    wrapt.wrap_function_wrapper(Completions, "create", _fake_peer_wrapper())
    with caplog.at_level(logging.WARNING, logger="agentel.genai"):
        agentel.instrument_openai()
        with capture() as cap:
            oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)  # type: ignore[arg-type]
            oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)  # type: ignore[arg-type]
    assert [s.instrumentation_scope.name for s in cap.spans] == [
        "opentelemetry.instrumentation.openai_v2"
    ] * 2  # type: ignore[union-attr]
    warnings = [r for r in caplog.records if "opentelemetry-instrumentation-openai-v2" in r.getMessage()]
    assert len(warnings) == 1 and "openai Completions.create" in warnings[0].getMessage()


@pytest.mark.usefixtures("restore_completions")
def test_a_peer_wrapping_over_agentel_later_makes_agentel_step_aside(
    oai: openai.OpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    agentel.instrument_openai()
    wrapt.wrap_function_wrapper(Completions, "create", _fake_peer_wrapper())
    with caplog.at_level(logging.WARNING, logger="agentel.genai"), capture() as cap:
        oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)  # type: ignore[arg-type]
        oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)  # type: ignore[arg-type]
    assert [s.instrumentation_scope.name for s in cap.spans] == [
        "opentelemetry.instrumentation.openai_v2"
    ] * 2  # type: ignore[union-attr]
    assert len([r for r in caplog.records if "already instrumented by" in r.getMessage()]) == 1


@pytest.mark.usefixtures("restore_completions")
def test_an_unrelated_wrapper_over_agentel_does_not_silence_it(oai: openai.OpenAI) -> None:
    agentel.instrument_openai()
    wrapt.wrap_function_wrapper(
        Completions, "create", lambda wrapped, instance, args, kwargs: wrapped(*args, **kwargs)
    )
    with capture() as cap:
        oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)  # type: ignore[arg-type]
    assert cap.span_names() == ["chat gpt-4o-mini"]


@pytest.mark.usefixtures("instrumented")
def test_suppressed_instrumentation_records_nothing(oai: openai.OpenAI) -> None:
    with capture() as cap:
        with suppress_instrumentation():
            oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)  # type: ignore[arg-type]
    assert cap.spans == []


@pytest.mark.usefixtures("instrumented")
def test_a_bug_in_agentel_never_reaches_the_application(
    oai: openai.OpenAI, ant: anthropic.Anthropic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(errors, "RAISE", False)
    expected = oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)  # type: ignore[arg-type]

    def broken(self: LLMCall, duration: float, error: BaseException | None) -> None:
        raise RuntimeError("bug in agentel")

    before = errors.internal_error_counts().get("genai.call.end", 0)
    monkeypatch.setattr(LLMCall, "_finish", broken)
    with capture() as cap:
        result = oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)  # type: ignore[arg-type]
        chunks = list(oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True))  # type: ignore[call-overload]
        message = ant.messages.create(
            model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "x"}]
        )
    assert result.choices[0].message.content == expected.choices[0].message.content
    assert chunks and message.content
    assert errors.internal_error_counts()["genai.call.end"] == before + 3
    assert len(cap.spans) == 3  # the spans still ended (bare), nothing leaked open

    monkeypatch.setattr("agentel.genai.instrumentors.openai._provider", lambda host: 1 / 0)
    with capture() as cap2:
        again = oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)  # type: ignore[arg-type]
    assert again.choices[0].message.content == expected.choices[0].message.content
    assert cap2.spans == [] and errors.internal_error_counts()["genai.openai.start"] >= 1


def test_the_tracer_provider_argument_is_honoured(stub: StubLLMServer) -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    from agentel.testing import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    OpenAIInstrumentor().instrument(tracer_provider=provider)
    try:
        client = openai.OpenAI(base_url=stub.openai_base_url, api_key="sk-test", max_retries=0)
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)  # type: ignore[arg-type]
        client.close()
    finally:
        OpenAIInstrumentor().uninstrument()
    assert [s.name for s in exporter.spans] == ["chat gpt-4o-mini"]
    assert (exporter.spans[0].attributes or {})[sc.USAGE_INPUT_TOKENS] > 0
