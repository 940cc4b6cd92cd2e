"""GenAI instrumentation: LLM calls as OTel GenAI spans and metrics, with cost.

``agentel.instrument_openai()`` / ``agentel.instrument_anthropic()`` patch the SDKs (also loaded by
``opentelemetry-instrument`` through entry points); ``agentel.llm_call(...)`` records any other
client by hand. Importing this package registers the GenAI metrics and events and imports no SDK.
"""

from __future__ import annotations

from typing import Any

from agentel.genai import semconv
from agentel.genai.call import LLMCall, current_llm_call, llm_call

__all__ = ["LLMCall", "current_llm_call", "instrument_anthropic", "instrument_openai", "llm_call", "semconv"]


def instrument_openai(**kwargs: Any) -> Any:
    """Instrument the ``openai`` SDK (idempotent); returns the instrumentor.

    Keyword arguments go to ``OpenAIInstrumentor().instrument()``: ``tracer_provider``,
    ``capture_content`` (bool or an OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT mode).
    """
    from agentel.genai.instrumentors.openai import OpenAIInstrumentor

    inst = OpenAIInstrumentor()
    if not inst.is_instrumented_by_opentelemetry:
        inst.instrument(**kwargs)
    return inst


def instrument_anthropic(**kwargs: Any) -> Any:
    """Instrument the ``anthropic`` SDK (idempotent); returns the instrumentor.

    Keyword arguments go to ``AnthropicInstrumentor().instrument()``: ``tracer_provider``,
    ``capture_content``, ``keep_sdk_spans`` (keep the SDK's own call spans as well).
    """
    from agentel.genai.instrumentors.anthropic import AnthropicInstrumentor

    inst = AnthropicInstrumentor()
    if not inst.is_instrumented_by_opentelemetry:
        inst.instrument(**kwargs)
    return inst
