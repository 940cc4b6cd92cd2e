"""llm_logs.response is the answer's text (issue 18 item 12), whatever convention recorded it; the
structured output messages are in llm_logs.output_messages."""

from __future__ import annotations

import json
from pathlib import Path

import agentel
from agentel.store.engine import Engine
from agentel.store.loader import load

OTEL_OUTPUT = [
    {
        "role": "assistant",
        "parts": [
            {"type": "reasoning", "content": "thinking..."},
            {"type": "text", "content": "The traceback shows a KeyError "},
            {"type": "text", "content": "in parse()."},
            {"type": "tool_call", "id": "c1", "name": "lookup", "arguments": {"q": "x"}},
        ],
        "finish_reason": "stop",
    }
]


def _call(model: str, **attrs: object) -> None:
    base = {"gen_ai.operation.name": "chat", "gen_ai.request.model": model, "gen_ai.provider.name": "openai"}
    with agentel.span(f"chat {model}", **base, **attrs):  # type: ignore[arg-type]
        pass


def test_response_is_the_answer_text_in_every_convention(engine: Engine, tmp_path: Path) -> None:
    agentel.configure(dir=str(tmp_path), run_id="r", metrics_interval_s=0)
    _call("otel", **{"gen_ai.output.messages": json.dumps(OTEL_OUTPUT)})
    _call("openllmetry", **{"gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.content": "Paris."})
    _call("plain", **{"output.value": "just text, not JSON"})
    _call("none")
    agentel.shutdown()
    load(engine, [str(tmp_path)])
    rows = dict(
        (model, (response, output))
        for model, response, output in engine.query(
            "SELECT model, response, output_messages FROM llm_logs"
        ).rows
    )
    assert rows["otel"][0] == "The traceback shows a KeyError in parse()."
    assert json.loads(rows["otel"][1]) == OTEL_OUTPUT
    assert rows["openllmetry"][0] == "Paris."
    assert json.loads(rows["openllmetry"][1])[0]["content"] == "Paris."
    assert rows["plain"] == ("just text, not JSON", "just text, not JSON")
    assert rows["none"] == ("", "")
    snippets = engine.query(
        "SELECT substring(response, 1, 100) FROM llm_logs WHERE positionCaseInsensitive(response, 'traceback') > 0"
    ).rows
    assert snippets == [("The traceback shows a KeyError in parse().",)]
