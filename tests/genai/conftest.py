"""Fixtures for the GenAI tests: one stub LLM server per session, real SDK clients pointed at it,
and the instrumentors turned on for a test and really removed after it."""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import openai
import pytest

import agentel
from agentel.genai.instrumentors.anthropic import AnthropicInstrumentor
from agentel.genai.instrumentors.openai import OpenAIInstrumentor
from agentel.testing.stubllm import StubLLMServer


@pytest.fixture(scope="session")
def stub() -> Iterator[StubLLMServer]:
    with StubLLMServer(seed=11, hang_s=30) as srv:
        yield srv


@pytest.fixture()
def oai(stub: StubLLMServer) -> Iterator[openai.OpenAI]:
    client = openai.OpenAI(base_url=stub.openai_base_url, api_key="sk-test", max_retries=0, timeout=10)
    yield client
    client.close()


@pytest.fixture()
def aoai(stub: StubLLMServer) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=stub.openai_base_url, api_key="sk-test", max_retries=0, timeout=10)


@pytest.fixture()
def ant(stub: StubLLMServer) -> Iterator[anthropic.Anthropic]:
    client = anthropic.Anthropic(base_url=stub.base_url, api_key="sk-ant-test", max_retries=0, timeout=10)
    yield client
    client.close()


@pytest.fixture()
def aant(stub: StubLLMServer) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(base_url=stub.base_url, api_key="sk-ant-test", max_retries=0, timeout=10)


@pytest.fixture()
def instrumented() -> Iterator[None]:
    """Both SDKs instrumented for the test; uninstrumented (originals restored) after it."""
    agentel.instrument_openai()
    agentel.instrument_anthropic()
    yield
    OpenAIInstrumentor().uninstrument()
    AnthropicInstrumentor().uninstrument()
