"""Log records in each supported format, as the SDKs' own objects serialize them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def openai_pair(n: int = 1, *, answer: str = "Paris.", model: str = "gpt-4o-mini") -> dict[str, Any]:
    return {
        "request": {
            "model": model,
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": f"Question {n}: capital of France?"},
            ],
            "temperature": 0.2,
            "max_tokens": 50,
        },
        "response": {
            "id": f"chatcmpl-{n:06d}",
            "object": "chat.completion",
            "created": 1_767_225_600 + n,
            "model": f"{model}-2024-07-18",
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}
            ],
            "usage": {
                "prompt_tokens": 20,
                "completion_tokens": 2,
                "total_tokens": 22,
                "prompt_tokens_details": {"cached_tokens": 0},
            },
        },
        "latency_ms": 640,
    }


def anthropic_pair(n: int = 1, *, answer: str = "4") -> dict[str, Any]:
    return {
        "request": {
            "model": "claude-3-5-haiku-latest",
            "max_tokens": 100,
            "system": "Be brief.",
            "messages": [{"role": "user", "content": [{"type": "text", "text": f"Q{n}: 2+2?"}]}],
        },
        "response": {
            "id": f"msg_{n:06d}",
            "type": "message",
            "role": "assistant",
            "model": "claude-3-5-haiku-20241022",
            "content": [{"type": "text", "text": answer}],
            "stop_reason": "end_turn",
            "usage": {
                "input_tokens": 10,
                "output_tokens": 1,
                "cache_read_input_tokens": 5,
                "cache_creation_input_tokens": 3,
            },
        },
        "timestamp": "2026-01-01T10:00:00Z",
        "latency_s": 0.5,
    }


def agentel_record(n: int = 1, **extra: Any) -> dict[str, Any]:
    record = {
        "id": f"rec-{n}",
        "model": "gpt-4o",
        "instructions": "You are terse.",
        "prompt": f"Say hello #{n}",
        "answer": "Hello.",
        "usage": {"input_tokens": 12, "output_tokens": 2},
        "timestamp": 1_767_225_700 + n,
        "latency_s": 1.25,
        "run": "import-1",
        "task": "greeting",
    }
    record.update(extra)
    return record


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data))
    return path


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path
