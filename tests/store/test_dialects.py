"""Issue 16 item 1: every GenAI dialect lands in llm_calls with the same typed columns.

The attribute sets are those the projects emit: OpenTelemetry's openai-v2 (current and older
semantic conventions), OpenLLMetry's openai/anthropic instrumentations (semconv_ai: gen_ai.system,
gen_ai.usage.prompt_tokens, llm.request.type, llm.usage.total_tokens, gen_ai.prompt.<i>.*,
traceloop.workflow.name) and OpenInference's (llm.model_name, llm.provider, llm.token_count.*,
llm.input_messages.<i>.message.*, openinference.span.kind).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from agentel.store import dialects
from agentel.store.engine import Engine
from agentel.store.loader import load

NOW_NS = (int(time.time()) - 3600) * 1_000_000_000


def _value(v: Any) -> dict[str, Any]:
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}
    if isinstance(v, list):
        return {"arrayValue": {"values": [_value(x) for x in v]}}
    return {"stringValue": v}


def _load(engine: Engine, tmp_path: Path, spans: list[dict[str, Any]]) -> None:
    line = {
        "resourceSpans": [
            {
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "svc"}}]},
                "scopeSpans": [
                    {
                        "scope": {"name": "third-party"},
                        "spans": [
                            {
                                "traceId": "5b8efff798038103d269b633813fc60c",
                                "spanId": f"{i + 1:016x}",
                                "name": name,
                                "kind": 3,
                                "startTimeUnixNano": str(NOW_NS),
                                "endTimeUnixNano": str(NOW_NS + 1_000_000_000),
                                "attributes": [{"key": k, "value": _value(v)} for k, v in attrs.items()],
                                "status": {},
                            }
                            for i, (name, attrs) in enumerate(spans)
                        ],
                    }
                ],
            }
        ]
    }
    d = tmp_path / "otlp"
    d.mkdir(exist_ok=True)
    (d / "traces-2026-11-22T10-00-00.000.json").write_text(json.dumps(line) + "\n")
    assert load(engine, [str(d)]).spans == len(spans)


COLS = (
    "Provider, Operation, RequestModel, Model, InputTokens, OutputTokens, CacheReadTokens, "
    "CacheWriteTokens, Task, FinishReasons, InputMessages, OutputMessages, Convention"
)


def _rows(engine: Engine) -> list[dict[str, Any]]:
    names = [c.strip() for c in COLS.split(",")]
    return [dict(zip(names, r, strict=True)) for r in engine.query(f"SELECT {COLS} FROM llm_calls").rows]


def test_current_otel_genai(engine: Engine, tmp_path: Path) -> None:
    msgs = '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]'
    _load(
        engine,
        tmp_path,
        [
            (
                "chat gpt-4o-mini",
                {
                    "gen_ai.operation.name": "chat",
                    "gen_ai.provider.name": "openai",
                    "gen_ai.request.model": "gpt-4o-mini",
                    "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
                    "gen_ai.usage.input_tokens": 12,
                    "gen_ai.usage.output_tokens": 5,
                    "gen_ai.usage.cache_read.input_tokens": 4,
                    "gen_ai.response.finish_reasons": ["stop"],
                    "gen_ai.input.messages": msgs,
                },
            )
        ],
    )
    (row,) = _rows(engine)
    assert (row["Provider"], row["Operation"], row["Model"], row["InputTokens"], row["OutputTokens"]) == (
        "openai",
        "chat",
        "gpt-4o-mini-2024-07-18",
        12,
        5,
    )
    assert row["CacheReadTokens"] == 4 and row["InputMessages"] == msgs and row["Convention"] == "gen_ai"


def test_older_otel_genai_flattened_prompts(engine: Engine, tmp_path: Path) -> None:
    _load(
        engine,
        tmp_path,
        [
            (
                "anthropic.chat",
                {
                    "gen_ai.system": "Anthropic",
                    "gen_ai.request.model": "claude-3-5-haiku-20241022",
                    "gen_ai.response.model": "claude-3-5-haiku-20241022",
                    "gen_ai.usage.prompt_tokens": 20,
                    "gen_ai.usage.completion_tokens": 8,
                    "gen_ai.prompt.0.role": "user",
                    "gen_ai.prompt.0.content": "hi",
                    "gen_ai.completion.0.role": "assistant",
                    "gen_ai.completion.0.content": "hello",
                    "gen_ai.completion.0.finish_reason": "end_turn",
                },
            )
        ],
    )
    (row,) = _rows(engine)
    assert (row["Provider"], row["InputTokens"], row["OutputTokens"]) == ("anthropic", 20, 8)
    assert json.loads(row["InputMessages"]) == [{"role": "user", "content": "hi"}]
    assert json.loads(row["OutputMessages"]) == [
        {"role": "assistant", "content": "hello", "finish_reason": "end_turn"}
    ]
    assert json.loads(row["FinishReasons"]) == ["end_turn"]
    assert row["Convention"] == "gen_ai_legacy"


def test_openllmetry(engine: Engine, tmp_path: Path) -> None:
    _load(
        engine,
        tmp_path,
        [
            (
                "support-bot.workflow",
                {"traceloop.span.kind": "workflow", "traceloop.workflow.name": "support-bot"},
            ),
            (
                "openai.chat",
                {
                    "llm.request.type": "chat",
                    "gen_ai.system": "openai",
                    "gen_ai.request.model": "gpt-4o-mini",
                    "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
                    "llm.usage.total_tokens": 17,
                    "gen_ai.usage.prompt_tokens": 12,
                    "gen_ai.usage.completion_tokens": 5,
                    "gen_ai.usage.cache_read_input_tokens": 3,
                    "llm.is_streaming": False,
                    "gen_ai.openai.api_base": "http://127.0.0.1:1/v1/",
                    "traceloop.workflow.name": "support-bot",
                    "gen_ai.prompt.0.role": "system",
                    "gen_ai.prompt.0.content": "Be brief",
                    "gen_ai.prompt.1.role": "user",
                    "gen_ai.prompt.1.content": "hi",
                    "gen_ai.completion.0.role": "assistant",
                    "gen_ai.completion.0.content": "hello",
                    "gen_ai.completion.0.finish_reason": "stop",
                },
            ),
            (
                "openai.embeddings",
                {
                    "llm.request.type": "embedding",
                    "gen_ai.system": "openai",
                    "gen_ai.request.model": "text-embedding-3-small",
                    "llm.usage.prompt_tokens": 4,  # the older OpenLLMetry spelling
                },
            ),
        ],
    )
    chat, emb = sorted(_rows(engine), key=lambda r: r["Operation"])
    assert (chat["Operation"], chat["InputTokens"], chat["OutputTokens"], chat["CacheReadTokens"]) == (
        "chat",
        12,
        5,
        3,
    )
    assert chat["Task"] == "support-bot" and chat["Convention"] == "openllmetry"
    assert [m["role"] for m in json.loads(chat["InputMessages"])] == ["system", "user"]
    assert (emb["Operation"], emb["Model"], emb["InputTokens"]) == ("embeddings", "text-embedding-3-small", 4)


def test_openinference(engine: Engine, tmp_path: Path) -> None:
    _load(
        engine,
        tmp_path,
        [
            ("Agent", {"openinference.span.kind": "AGENT", "input.value": "weather in Paris?"}),
            ("get_weather", {"openinference.span.kind": "TOOL", "tool.name": "get_weather"}),
            ("RunnableSequence", {"openinference.span.kind": "CHAIN", "input.value": "{}"}),
            ("VectorStoreRetriever", {"openinference.span.kind": "RETRIEVER", "input.value": "q"}),
            (
                "ChatCompletion",
                {
                    "openinference.span.kind": "LLM",
                    "llm.model_name": "gpt-4o-mini-2024-07-18",
                    "llm.provider": "openai",
                    "llm.system": "openai",
                    "llm.invocation_parameters": '{"model": "gpt-4o-mini"}',
                    "llm.token_count.prompt": 12,
                    "llm.token_count.completion": 5,
                    "llm.token_count.total": 17,
                    "llm.token_count.prompt_details.cache_read": 2,
                    "llm.token_count.prompt_details.cache_write": 1,
                    "llm.token_count.completion_details.reasoning": 0,
                    "llm.input_messages.0.message.role": "system",
                    "llm.input_messages.0.message.content": "Be brief",
                    "llm.input_messages.1.message.role": "user",
                    "llm.input_messages.1.message.content": "weather in Paris?",
                    "llm.output_messages.0.message.role": "assistant",
                    "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "get_weather",
                    "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"city": "Paris"}',
                    "input.value": '{"messages": []}',
                    "input.mime_type": "application/json",
                    "output.value": "{}",
                },
            ),
            (
                "CreateEmbeddingResponse",
                {
                    "openinference.span.kind": "EMBEDDING",
                    "embedding.model_name": "text-embedding-3-small",
                    "llm.token_count.prompt": 4,
                },
            ),
        ],
    )
    rows = sorted(_rows(engine), key=lambda r: r["Operation"])
    assert len(rows) == 2  # AGENT, TOOL, CHAIN and RETRIEVER spans are the tree, not calls
    chat, emb = rows
    assert (chat["Provider"], chat["Model"], chat["InputTokens"], chat["OutputTokens"]) == (
        "openai",
        "gpt-4o-mini-2024-07-18",
        12,
        5,
    )
    assert (chat["CacheReadTokens"], chat["CacheWriteTokens"], chat["Convention"]) == (2, 1, "openinference")
    assert json.loads(chat["InputMessages"]) == [
        {"role": "system", "content": "Be brief"},
        {"role": "user", "content": "weather in Paris?"},
    ]
    out = json.loads(chat["OutputMessages"])[0]
    assert out["role"] == "assistant"
    assert out["tool_calls.0.tool_call.function.name"] == "get_weather"
    assert (emb["Operation"], emb["Model"], emb["InputTokens"]) == ("embeddings", "text-embedding-3-small", 4)


@pytest.mark.parametrize("path", list(dialects.rendered()), ids=lambda p: p.name)
def test_generated_files_are_current(path: Path) -> None:
    expected = dialects.rendered()[path]
    assert path.read_text(encoding="utf-8") == expected, (
        f"{path} is stale: run python -m agentel.store.dialects --write"
    )


def test_agent_and_tool_spans_are_not_calls_even_naming_a_model(engine: Engine, tmp_path: Path) -> None:
    _load(
        engine,
        tmp_path,
        [
            (
                "invoke_agent planner",
                {
                    "gen_ai.operation.name": "invoke_agent",
                    "gen_ai.agent.name": "planner",
                    "gen_ai.request.model": "gpt-4o",
                },
            ),
            (
                "execute_tool get_weather",
                {
                    "gen_ai.operation.name": "execute_tool",
                    "gen_ai.tool.name": "get_weather",
                    "gen_ai.request.model": "gpt-4o",
                },
            ),
            ("chat gpt-4o", {"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o"}),
        ],
    )
    assert [r["Operation"] for r in _rows(engine)] == ["chat"]


def test_collector_gives_openinference_agent_and_tool_spans_the_genai_operations() -> None:
    statements = dialects.transform_statements()
    assert (
        'set(span.attributes["gen_ai.operation.name"], "invoke_agent") where span.attributes["gen_ai.operation.name"] '
        '== nil and span.attributes["openinference.span.kind"] == "AGENT"'
    ) in statements
    assert any('"execute_tool"' in s and '== "TOOL"' in s for s in statements)
    assert any(
        s.startswith('set(span.attributes["gen_ai.tool.name"], span.attributes["tool.name"])')
        for s in statements
    )
