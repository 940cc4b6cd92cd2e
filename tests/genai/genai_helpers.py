"""Helpers shared by the GenAI tests (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import agentel
from agentel.genai.instrumentors.anthropic import AnthropicInstrumentor
from agentel.genai.instrumentors.openai import OpenAIInstrumentor

ANTHROPIC_MODEL = "claude-sonnet-4-6"
MESSAGES = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say hello."}]


@contextlib.contextmanager
def uninstrumented() -> Iterator[None]:
    """Run a block with the SDKs as they ship (for the results-unchanged comparisons)."""
    OpenAIInstrumentor().uninstrument()
    AnthropicInstrumentor().uninstrument()
    try:
        yield
    finally:
        agentel.instrument_openai()
        agentel.instrument_anthropic()


def points(cap: Any, name: str) -> list[Any]:
    """The data points of metric ``name`` in a capture (empty when none were recorded)."""
    return cap.metrics().get(name, [])


def point(cap: Any, name: str, **attrs: Any) -> Any:
    """The one data point of ``name`` whose attributes include ``attrs`` (dots spelled ``__``)."""
    want = {k.replace("__", "."): v for k, v in attrs.items()}
    found = [p for p in points(cap, name) if all(p.attributes.get(k) == v for k, v in want.items())]
    assert len(found) == 1, (
        f"{name}: expected one point with {want}, got {[dict(p.attributes) for p in points(cap, name)]}"
    )
    return found[0]
