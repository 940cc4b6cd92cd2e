"""What a check judges (:class:`Call`) and what it returns (:class:`CheckResult`).

A :class:`Call` is built the same way whichever side judges it: in the application (from an
``agentel.llm_call`` or plain strings), during ingest (from a log file), or from the store (an
``llm_calls`` row). Message content is read in the GenAI conventions' JSON shape
(``[{"role": ..., "parts": [{"type": "text", "content": ...}]}]``) and, leniently, in the
OpenAI/Anthropic shapes (``{"role": ..., "content": "..." | [blocks]}``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

PASS = "pass"
FAIL = "fail"


class EvalError(ValueError):
    """A check name, parameter or argument is wrong; the message names it and the fix."""


@dataclass(frozen=True)
class CheckResult:
    """One check's verdict on one call: ``gen_ai.evaluation.result`` once emitted."""

    name: str
    score: float | None
    label: str | None
    explanation: str = ""

    @property
    def passed(self) -> bool:
        """True when the label says pass (or, without a label, the score is at least 1)."""
        if self.label is not None:
            return self.label == PASS
        return self.score is not None and self.score >= 1


def verdict(name: str, ok: bool, explanation: str = "", score: float | None = None) -> CheckResult:
    """A pass/fail result (score 1.0/0.0 unless given)."""
    return CheckResult(
        name, (1.0 if ok else 0.0) if score is None else score, PASS if ok else FAIL, explanation
    )


@dataclass(frozen=True)
class Call:
    """One LLM call as checks see it: prompt, answer, usage, timing, and the ids it is linked to.

    ``None`` means *unknown* (content not captured, usage not reported); checks that need an
    unknown field are skipped rather than failed.
    """

    prompt: str | None = None
    response: str | None = None
    system: str | None = None
    messages: tuple[Mapping[str, Any], ...] = ()
    model: str | None = None
    provider: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    latency_s: float | None = None
    error_type: str | None = None
    finish_reasons: tuple[str, ...] = ()
    reference_answer: str | None = None
    expects_json: bool = False
    trace_id: str | None = None
    span_id: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)

    @property
    def total_tokens(self) -> int | None:
        if self.input_tokens is None and self.output_tokens is None:
            return None
        return (self.input_tokens or 0) + (self.output_tokens or 0)

    @property
    def conversation_length(self) -> int | None:
        """Messages sent (system instructions not counted), when the messages are known."""
        return len(self.messages) if self.messages else None

    @property
    def failed(self) -> bool:
        """The call itself failed (an API error): content checks have nothing to judge."""
        return bool(self.error_type)

    @classmethod
    def from_messages(
        cls,
        input_messages: Any = None,
        output_messages: Any = None,
        system: Any = None,
        **fields: Any,
    ) -> Call:
        """A call from message lists (convention-shaped, provider-shaped, or their JSON text)."""
        inp = parse_messages(input_messages)
        out = parse_messages(output_messages)
        sys_text = text_of_parts(_load(system)) if system is not None else None
        fields.setdefault("prompt", last_user_text(inp) if inp is not None else None)
        fields.setdefault("response", messages_text(out) if out is not None else None)
        if sys_text is None and inp:
            sys_msgs = [m for m in inp if m.get("role") == "system"]
            if sys_msgs:
                sys_text = messages_text(sys_msgs)
        fields.setdefault("system", sys_text)
        fields.setdefault("messages", tuple(m for m in inp or () if m.get("role") != "system"))
        return cls(**fields)


# --- reading message content ------------------------------------------------------------------


def _load(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if text[:1] in "[{":
            try:
                return json.loads(text)
            except ValueError:
                return None  # a truncated or redacted value: unknown, not empty
        return value
    return value


def parse_messages(value: Any) -> list[Mapping[str, Any]] | None:
    """A message list from JSON text or objects; None when unknown (absent, redacted, corrupt)."""
    data = _load(value)
    if data is None:
        return None
    if isinstance(data, str):  # plain text given for a message list: one user message
        return [{"role": "user", "parts": [{"type": "text", "content": data}]}]
    if isinstance(data, Mapping):
        data = [data]
    if not isinstance(data, Sequence):
        return None
    return [m for m in data if isinstance(m, Mapping)]


def text_of_parts(parts: Any) -> str | None:
    """The text in a ``parts``/``content`` value: a string, or text blocks joined by newlines."""
    if parts is None:
        return None
    if isinstance(parts, str):
        return parts
    if isinstance(parts, Mapping):
        parts = [parts]
    if not isinstance(parts, Iterable):
        return None
    texts: list[str] = []
    for p in parts:
        if isinstance(p, str):
            texts.append(p)
        elif isinstance(p, Mapping):
            kind = p.get("type", "text")
            if kind in ("text", "output_text", "input_text"):
                value = p.get("content", p.get("text"))
                if isinstance(value, str):
                    texts.append(value)
            elif kind == "refusal" and isinstance(p.get("refusal"), str):
                texts.append(p["refusal"])
    return "\n".join(texts)


def message_text(message: Mapping[str, Any]) -> str:
    if "parts" in message:
        return text_of_parts(message.get("parts")) or ""
    return text_of_parts(message.get("content")) or ""


def messages_text(messages: Sequence[Mapping[str, Any]]) -> str:
    return "\n".join(t for t in (message_text(m) for m in messages) if t)


def last_user_text(messages: Sequence[Mapping[str, Any]]) -> str | None:
    for m in reversed(messages):
        if m.get("role", "user") == "user":
            return message_text(m)
    return None


__all__ = [
    "FAIL",
    "PASS",
    "Call",
    "CheckResult",
    "EvalError",
    "last_user_text",
    "messages_text",
    "parse_messages",
    "text_of_parts",
    "verdict",
]
