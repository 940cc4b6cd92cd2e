"""Pack tests: a stub LLM server and the real openai SDK, instrumented for the test and removed after."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest

import agentel
from agentel.genai.instrumentors.openai import OpenAIInstrumentor
from agentel.testing.stubllm import StubLLMServer


@pytest.fixture(scope="session")
def llm_stub() -> Iterator[StubLLMServer]:
    with StubLLMServer(seed=5) as srv:
        yield srv


@pytest.fixture()
def client(llm_stub: StubLLMServer) -> Iterator[openai.OpenAI]:
    """An instrumented openai client on the stub (the instrumentation is removed after the test)."""
    agentel.instrument_openai()
    c = openai.OpenAI(base_url=llm_stub.openai_base_url, api_key="sk-test", max_retries=0, timeout=10)
    yield c
    c.close()
    OpenAIInstrumentor().uninstrument()
