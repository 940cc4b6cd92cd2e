"""Issue 16 item 4 (API part): agents and tools as GenAI spans, the calls inside as their children."""

from __future__ import annotations

import asyncio

import pytest

import agentel
from agentel.testing import capture


@agentel.tool
def get_weather(city: str, tool_call_id: str | None = None) -> str:
    """Today's weather in a city.

    More text that is not the description."""
    return f"sunny in {city}"


@agentel.tool(name="search", description="web search")
async def search(q: str) -> list[str]:
    return [q]


@agentel.tool
def broken() -> None:
    raise KeyError("nope")


def test_agent_and_tool_spans_follow_the_conventions() -> None:
    with capture() as cap:
        with agentel.agent("planner", id="a-1", description="plans", conversation_id="conv-9"):
            with agentel.llm_call(model="gpt-4o-mini", provider="openai") as call:
                call.set_usage(input_tokens=3, output_tokens=2)
            assert get_weather("Paris", tool_call_id="call_1") == "sunny in Paris"
            assert asyncio.run(search("x")) == ["x"]
            with pytest.raises(KeyError):
                broken()
    spans = {s["name"]: s for s in cap.span_dicts()}
    agent = spans["invoke_agent planner"]
    assert {k: v for k, v in agent["attributes"].items() if k.startswith("gen_ai.")} == {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.agent.name": "planner",
        "gen_ai.agent.id": "a-1",
        "gen_ai.agent.description": "plans",
        "gen_ai.conversation.id": "conv-9",
    }
    tool = spans["execute_tool get_weather"]
    assert {k: v for k, v in tool["attributes"].items() if k.startswith("gen_ai.")} == {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "get_weather",
        "gen_ai.tool.type": "function",
        "gen_ai.tool.description": "Today's weather in a city.",
        "gen_ai.tool.call.id": "call_1",
    }
    assert spans["execute_tool search"]["attributes"]["gen_ai.tool.description"] == "web search"
    failed = spans["execute_tool broken"]
    assert failed["status"] == "ERROR" and failed["attributes"]["error.type"] == "KeyError"
    for name in (
        "chat gpt-4o-mini",
        "execute_tool get_weather",
        "execute_tool search",
        "execute_tool broken",
    ):
        assert spans[name]["parent"] == agent["span_id"], name
