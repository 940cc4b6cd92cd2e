"""Log formats ingest understands, each turned into one :class:`Interaction` per LLM call.

* ``openai.chat``: ``{"request": {chat.completions request}, "response": {ChatCompletion}}``
* ``openai.responses``: ``{"request": {responses.create request}, "response": {Response}}``
* ``anthropic.messages``: ``{"request": {messages request}, "response": {Message}}``
* ``agentel``: the simple format of docs/ingest.md — ``model``, ``instructions``, ``prompt`` (or
  ``messages``), ``answer``, ``usage``, ``timestamp``, ``latency_s``…

Every record may also carry ``timestamp`` (ISO 8601 or epoch s/ms/µs/ns), ``latency_s`` (or
``latency_ms``/``duration_s``/``duration_ms``), ``error``, ``reference_answer``, ``run``, ``task``
and ``metadata`` (a flat object). A record that cannot be read raises :class:`FormatError` naming
the field and what was expected.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from agentel.genai import content
from agentel.genai import semconv as sc
from agentel.genai.instrumentors import anthropic as anthropic_requests
from agentel.genai.instrumentors import openai as openai_requests


class FormatError(ValueError):
    """A record is not in a format ingest knows, or a field has the wrong shape."""


@dataclass
class Interaction:
    """One LLM call read from a log, in the GenAI conventions' terms."""

    format: str
    provider: str
    model: str
    start_ns: int
    key: str  # stable identity, for "nothing ingested twice"
    operation: str = "chat"
    duration_s: float | None = None
    input_messages: list[dict[str, Any]] = field(default_factory=list)
    output_messages: list[dict[str, Any]] = field(default_factory=list)
    system: list[dict[str, Any]] | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None
    usage_estimated: bool = False
    response_model: str | None = None
    response_id: str | None = None
    finish_reasons: list[str] = field(default_factory=list)
    error_type: str | None = None
    error_message: str | None = None
    request_params: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)
    reference_answer: str | None = None
    expects_json: bool = False
    cost_usd: float | None = None  # a cost the log reported (else computed from usage)
    # what a live call records too (same names as agentel.genai.call.LLMCall: one attribute builder)
    cache_write_1h_tokens: int | None = None
    reasoning_tokens: int | None = None
    ttft: float | None = None
    incomplete: bool = False
    tool_definitions: list[dict[str, Any]] | None = None
    #: request attributes by their full names, read as the SDK instrumentors read them
    request_attributes: dict[str, Any] = field(default_factory=dict)

    # LLMCall's names for the fields above, for agentel.genai.call.genai_attributes
    @property
    def request_model(self) -> str:
        return self.model

    @property
    def system_instructions(self) -> list[dict[str, Any]] | None:
        return self.system

    @property
    def estimated(self) -> bool:
        return self.usage_estimated

    cost = None  # a computed cost is the builder's (a reported one is cost_usd)


# --- shared field readers ---------------------------------------------------------------------


def _obj(value: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise FormatError(f"{name}: expected an object, got {type(value).__name__}")
    return value


def _str(value: Any, name: str, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise FormatError(f"{name}: missing (a non-empty string is required)")
        return None
    if not isinstance(value, str):
        raise FormatError(f"{name}: expected a string, got {type(value).__name__}")
    return value


def _count(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or value != int(value):
        raise FormatError(f"{name}: expected a non-negative whole number, got {value!r}")
    return int(value)


def _seconds(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or value < 0
        or not math.isfinite(value)
    ):
        raise FormatError(f"{name}: expected a non-negative number of seconds, got {value!r}")
    return float(value)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: the last nanosecond a signed 64-bit nanosecond clock (OTLP, ClickHouse DateTime64(9)) can hold
MAX_TIME_NS = 2**63 - 1
_RANGE = "a time between 1970 and 2262-04-11 (what nanosecond timestamps can hold)"


def _in_range(ns: int, value: Any, name: str) -> int:
    if not 0 < ns <= MAX_TIME_NS:
        raise FormatError(f"{name}: expected {_RANGE}, got {value!r}")
    return ns


def parse_time_ns(value: Any, name: str = "timestamp") -> int:
    """Epoch seconds/ms/µs/ns (told apart by size) or an ISO 8601 string (UTC unless it says)."""
    if isinstance(value, bool):
        raise FormatError(f"{name}: expected a time, got {value!r}")
    if isinstance(value, (int, float)):
        if not value > 0 or not math.isfinite(value):
            raise FormatError(f"{name}: expected {_RANGE}, got {value!r}")
        scale = 10**9 if value < 1e11 else 10**6 if value < 1e14 else 10**3 if value < 1e17 else 1
        if isinstance(value, int):
            return _in_range(value * scale, value, name)
        # exact digits: a float product rounds at ns
        return _in_range(int(Decimal(repr(value)) * scale), value, name)
    if isinstance(value, str):
        try:
            t = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise FormatError(
                f"{name}: expected ISO 8601 (2026-11-02T14:30:00Z) or epoch seconds, got {value!r}"
            ) from None
        if t.tzinfo is None:
            t = t.replace(tzinfo=timezone.utc)
        return _in_range((t - _EPOCH) // timedelta(microseconds=1) * 1000, value, name)
    raise FormatError(f"{name}: expected ISO 8601 or epoch seconds, got {type(value).__name__}")


def _duration(obj: Mapping[str, Any]) -> float | None:
    for key, scale in (("latency_s", 1.0), ("duration_s", 1.0), ("latency_ms", 1e-3), ("duration_ms", 1e-3)):
        if obj.get(key) is not None:
            s = _seconds(obj[key], key)
            return None if s is None else s * scale
    return None


def _ttft(obj: Mapping[str, Any]) -> float | None:
    """Time to first chunk of a streamed call, in seconds (``ttft_s`` / ``ttft_ms``)."""
    for key, scale in (("ttft_s", 1.0), ("time_to_first_chunk_s", 1.0), ("ttft_ms", 1e-3)):
        if obj.get(key) is not None:
            s = _seconds(obj[key], key)
            return None if s is None else s * scale
    return None


def _time(obj: Mapping[str, Any], fallback: Any, default_ns: int) -> int:
    for key in ("timestamp", "start_time", "time"):
        if obj.get(key) is not None:
            return parse_time_ns(obj[key], key)
    if fallback is not None:
        return parse_time_ns(fallback, "response.created")
    return default_ns


def _error(value: Any) -> tuple[str | None, str | None]:
    """(error.type, message) from an ``error`` field: a string, or ``{"type"/"code", "message"}``."""
    if value is None or value is False or value == "":
        return None, None
    if isinstance(value, str):
        return value, None
    if isinstance(value, Mapping):
        nested = value.get("error")
        inner: Mapping[str, Any] = nested if isinstance(nested, Mapping) else value
        kind = inner.get("type") or inner.get("code") or "error"
        msg = inner.get("message")
        return str(kind), str(msg) if msg is not None else None
    raise FormatError(f"error: expected a string or an object, got {type(value).__name__}")


def _common(it: Interaction, obj: Mapping[str, Any]) -> Interaction:
    """Fields every format may carry at the top level."""
    it.reference_answer = _str(obj.get("reference_answer"), "reference_answer")
    for key in ("run", "task", "iteration"):
        if obj.get(key) is not None:
            value = obj[key]
            if not isinstance(value, (str, int)) or isinstance(value, bool):
                raise FormatError(f"{key}: expected a string, got {type(value).__name__}")
            it.attributes[key] = str(value)
    meta = obj.get("metadata")
    if meta is not None:
        for k, v in _obj(meta, "metadata").items():
            if isinstance(v, (str, int, float, bool)):
                it.attributes[f"metadata.{k}"] = v
    if obj.get("cost_usd") is not None:
        it.cost_usd = _seconds(obj["cost_usd"], "cost_usd")  # same shape: a non-negative number
    it.ttft = _ttft(obj)
    return it


def _key(fmt: str, ident: str | None, obj: Any) -> str:
    if ident:
        return f"{fmt}:{ident}"
    canon = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return f"{fmt}:sha256:{hashlib.sha256(canon.encode()).hexdigest()[:32]}"


_REQUEST_PARAMS = {
    "temperature": "temperature",
    "top_p": "top_p",
    "top_k": "top_k",
    "max_tokens": "max_tokens",
    "max_completion_tokens": "max_tokens",
    "seed": "seed",
    "frequency_penalty": "frequency_penalty",
    "presence_penalty": "presence_penalty",
    "stop": "stop_sequences",
    "stop_sequences": "stop_sequences",
    "n": "choice_count",
    "stream": "stream",
}


def _params(request: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, name in _REQUEST_PARAMS.items():
        v = request.get(key)
        if isinstance(v, (str, int, float, bool)) or (
            isinstance(v, list) and all(isinstance(x, str) for x in v)
        ):
            out[name] = [v] if name == "stop_sequences" and isinstance(v, str) else v
    return out


# --- OpenAI chat completions -------------------------------------------------------------------


def _openai_output(choices: Any) -> tuple[list[dict[str, Any]], list[str]]:
    if not isinstance(choices, Sequence) or isinstance(choices, (str, bytes)):
        raise FormatError("response.choices: expected a list")
    out, reasons = [], []
    for i, choice in enumerate(choices):
        choice = _obj(choice, f"response.choices[{i}]")
        msg = _obj(choice.get("message") or {}, f"response.choices[{i}].message")
        parts: list[dict[str, Any]] = []
        text = msg.get("content")
        if isinstance(text, str) and text:
            parts.append(content.text_part(text))
        elif isinstance(text, list):
            parts.extend(content.openai_chat_input([{"content": text}])[0]["parts"])
        if isinstance(msg.get("refusal"), str) and msg["refusal"]:
            parts.append(content.text_part(msg["refusal"]))
        for tc in msg.get("tool_calls") or ():
            if not isinstance(tc, Mapping):
                raise FormatError(f"response.choices[{i}].message.tool_calls: expected objects")
            raw_fn = tc.get("function")
            fn: Mapping[str, Any] = raw_fn if isinstance(raw_fn, Mapping) else {}
            parts.append(content.tool_call_part(tc.get("id"), fn.get("name"), fn.get("arguments")))
        reason = sc.finish_reason(str(choice.get("finish_reason") or ""))
        reasons.append(reason)
        out.append({"role": msg.get("role") or "assistant", "parts": parts, "finish_reason": reason})
    return out, reasons


def parse_openai_chat(obj: Mapping[str, Any], default_ns: int) -> Interaction:
    request = _obj(obj.get("request"), "request")
    response_raw = obj.get("response")
    error_type, error_message = _error(obj.get("error"))
    response: Mapping[str, Any] = {}
    if response_raw is not None:
        response = _obj(response_raw, "response")
        if "error" in response and not response.get("choices"):
            error_type, error_message = _error(response)
    if not response and error_type is None:
        raise FormatError("response: missing (an OpenAI ChatCompletion object, or an `error`)")
    model = _str(request.get("model"), "request.model") or _str(response.get("model"), "response.model")
    if not model:
        raise FormatError("request.model: missing")
    messages = request.get("messages")
    if not isinstance(messages, list) or not messages:
        raise FormatError("request.messages: expected a non-empty list of messages")
    it = Interaction(
        "openai.chat",
        _str(obj.get("provider"), "provider") or "openai",
        model,
        _time(obj, response.get("created"), default_ns),
        _key("openai.chat", _str(response.get("id"), "response.id"), obj),
        duration_s=_duration(obj),
        input_messages=content.openai_chat_input(messages),
        request_attributes=openai_requests.chat_request_attributes(request),
        tool_definitions=content.tool_definitions(request["tools"]) if request.get("tools") else None,
        error_type=error_type,
        error_message=error_message,
    )
    if response and not error_type:
        it.output_messages, it.finish_reasons = _openai_output(response.get("choices", []))
        _openai_extras(it, response)
        it.response_id = _str(response.get("id"), "response.id")
        it.response_model = _str(response.get("model"), "response.model")
        usage = response.get("usage")
        if usage is not None:
            usage = _obj(usage, "response.usage")
            it.input_tokens = _count(usage.get("prompt_tokens"), "response.usage.prompt_tokens")
            it.output_tokens = _count(usage.get("completion_tokens"), "response.usage.completion_tokens")
            details = usage.get("prompt_tokens_details")
            if isinstance(details, Mapping):
                it.cache_read_tokens = _count(
                    details.get("cached_tokens"), "usage.prompt_tokens_details.cached_tokens"
                )
                it.cache_write_tokens = _count(
                    details.get("cache_write_tokens"), "usage.prompt_tokens_details.cache_write_tokens"
                )
            details = usage.get("completion_tokens_details")
            if isinstance(details, Mapping):
                it.reasoning_tokens = _count(
                    details.get("reasoning_tokens"), "usage.completion_tokens_details.reasoning_tokens"
                )
    fmt = request.get("response_format")
    it.expects_json = isinstance(fmt, Mapping) and fmt.get("type") in ("json_object", "json_schema")
    return _common(it, obj)


def _openai_extras(it: Interaction, response: Mapping[str, Any]) -> None:
    """The OpenAI response details a live call records (service tier, system fingerprint)."""
    tier, fingerprint = response.get("service_tier"), response.get("system_fingerprint")
    if isinstance(tier, str) and tier:
        it.attributes[sc.OPENAI_RESPONSE_SERVICE_TIER] = tier
    if isinstance(fingerprint, str) and fingerprint:
        it.attributes[sc.OPENAI_RESPONSE_SYSTEM_FINGERPRINT] = fingerprint


# --- OpenAI Responses API ----------------------------------------------------------------------


def parse_openai_responses(obj: Mapping[str, Any], default_ns: int) -> Interaction:
    """``{"request": {responses.create body}, "response": {Response}}`` (``object: "response"``)."""
    request = _obj(obj.get("request"), "request")
    response_raw = obj.get("response")
    error_type, error_message = _error(obj.get("error"))
    response: Mapping[str, Any] = {}
    if response_raw is not None:
        response = _obj(response_raw, "response")
        if "error" in response and response.get("object") != "response":
            error_type, error_message = _error(response)  # an API error body
    if not response and error_type is None:
        raise FormatError("response: missing (an OpenAI Response object, or an `error`)")
    model = _str(request.get("model"), "request.model") or _str(response.get("model"), "response.model")
    if not model:
        raise FormatError("request.model: missing")
    if "input" not in request:
        raise FormatError("request.input: missing (a string or a list of input items)")
    inp = request["input"]
    if not isinstance(inp, (str, list)):
        raise FormatError(f"request.input: expected a string or a list, got {type(inp).__name__}")
    instructions = _str(request.get("instructions"), "request.instructions")
    it = Interaction(
        "openai.responses",
        _str(obj.get("provider"), "provider") or "openai",
        model,
        _time(obj, response.get("created_at"), default_ns),
        _key("openai.responses", _str(response.get("id"), "response.id"), obj),
        duration_s=_duration(obj),
        input_messages=content.openai_responses_input(inp),
        system=[content.text_part(instructions)] if instructions else None,
        request_attributes=openai_requests.responses_request_attributes(request),
        tool_definitions=content.tool_definitions(request["tools"]) if request.get("tools") else None,
        error_type=error_type,
        error_message=error_message,
    )
    if response and not error_type:
        output = response.get("output")
        if not isinstance(output, list):
            raise FormatError("response.output: expected a list of output items")
        for i, item in enumerate(output):
            _obj(item, f"response.output[{i}]")
        it.response_id = _str(response.get("id"), "response.id")
        it.response_model = _str(response.get("model"), "response.model")
        status = response.get("status")
        if status == "incomplete":
            details = response.get("incomplete_details")
            reason = details.get("reason") if isinstance(details, Mapping) else None
            it.finish_reasons = [sc.finish_reason(str(reason or "incomplete"))]
        elif status == "failed":
            it.finish_reasons = [sc.FINISH_ERROR]
            err = response.get("error")
            code = err.get("code") if isinstance(err, Mapping) else None
            it.error_type = str(code or "response_failed")
        elif status == "completed":
            tool = any(item.get("type") == "function_call" for item in output)
            it.finish_reasons = [sc.FINISH_TOOL_CALL if tool else sc.FINISH_STOP]
        out = content.openai_responses_output(response)
        if it.finish_reasons:
            out[0]["finish_reason"] = it.finish_reasons[0]
        it.output_messages = out
        usage = response.get("usage")
        if usage is not None:
            usage = _obj(usage, "response.usage")
            it.input_tokens = _count(usage.get("input_tokens"), "response.usage.input_tokens")
            it.output_tokens = _count(usage.get("output_tokens"), "response.usage.output_tokens")
            details = usage.get("input_tokens_details")
            if isinstance(details, Mapping):
                it.cache_read_tokens = _count(
                    details.get("cached_tokens"), "response.usage.input_tokens_details.cached_tokens"
                )
            details = usage.get("output_tokens_details")
            if isinstance(details, Mapping):
                it.reasoning_tokens = _count(
                    details.get("reasoning_tokens"), "response.usage.output_tokens_details.reasoning_tokens"
                )
        _openai_extras(it, response)
    text = request.get("text")
    fmt = text.get("format") if isinstance(text, Mapping) else None
    it.expects_json = isinstance(fmt, Mapping) and fmt.get("type") in ("json_object", "json_schema")
    return _common(it, obj)


# --- Anthropic messages ------------------------------------------------------------------------


def parse_anthropic(obj: Mapping[str, Any], default_ns: int) -> Interaction:
    request = _obj(obj.get("request"), "request")
    response_raw = obj.get("response")
    error_type, error_message = _error(obj.get("error"))
    response: Mapping[str, Any] = {}
    if response_raw is not None:
        response = _obj(response_raw, "response")
        if response.get("type") == "error":
            error_type, error_message = _error(response)
    if not response and error_type is None:
        raise FormatError("response: missing (an Anthropic Message object, or an `error`)")
    model = _str(request.get("model"), "request.model") or _str(response.get("model"), "response.model")
    if not model:
        raise FormatError("request.model: missing")
    messages = request.get("messages")
    if not isinstance(messages, list) or not messages:
        raise FormatError("request.messages: expected a non-empty list of messages")
    it = Interaction(
        "anthropic.messages",
        _str(obj.get("provider"), "provider") or "anthropic",
        model,
        _time(obj, None, default_ns),
        _key("anthropic.messages", _str(response.get("id"), "response.id"), obj),
        duration_s=_duration(obj),
        input_messages=content.anthropic_input(messages),
        system=content.anthropic_system(request["system"]) if request.get("system") else None,
        request_attributes=anthropic_requests.request_attributes(request),
        tool_definitions=content.tool_definitions(request["tools"]) if request.get("tools") else None,
        error_type=error_type,
        error_message=error_message,
    )
    if response and not error_type:
        blocks = response.get("content")
        if not isinstance(blocks, list):
            raise FormatError("response.content: expected a list of content blocks")
        stop = response.get("stop_reason")
        it.output_messages = content.anthropic_output(blocks, stop)
        it.finish_reasons = [sc.finish_reason(str(stop))] if stop else []
        if stop:
            it.attributes[sc.ANTHROPIC_STOP_REASON] = str(stop)
        it.response_id = _str(response.get("id"), "response.id")
        it.response_model = _str(response.get("model"), "response.model")
        usage = response.get("usage")
        if usage is not None:
            usage = _obj(usage, "response.usage")
            uncached = _count(usage.get("input_tokens"), "response.usage.input_tokens")
            read = _count(usage.get("cache_read_input_tokens"), "response.usage.cache_read_input_tokens") or 0
            write = (
                _count(usage.get("cache_creation_input_tokens"), "response.usage.cache_creation_input_tokens")
                or 0
            )
            # the conventions' input tokens include cache reads and writes; Anthropic's exclude them
            it.input_tokens = None if uncached is None else uncached + read + write
            it.cache_read_tokens = read or None
            it.cache_write_tokens = write or None
            it.output_tokens = _count(usage.get("output_tokens"), "response.usage.output_tokens")
            split = usage.get("cache_creation")
            if isinstance(split, Mapping):
                it.cache_write_1h_tokens = _count(
                    split.get("ephemeral_1h_input_tokens"),
                    "response.usage.cache_creation.ephemeral_1h_input_tokens",
                )
    return _common(it, obj)


# --- the agentel format ------------------------------------------------------------------------


def parse_agentel(obj: Mapping[str, Any], default_ns: int) -> Interaction:
    model = _str(obj.get("model"), "model", required=True)
    assert model is not None
    prompt = _str(obj.get("prompt"), "prompt")
    messages = obj.get("messages")
    if messages is not None and (not isinstance(messages, list) or not messages):
        raise FormatError("messages: expected a non-empty list of {role, content} messages")
    if prompt is None and messages is None:
        raise FormatError("prompt: missing (give `prompt`, or `messages` for a whole conversation)")
    error_type, error_message = _error(obj.get("error"))
    answer = obj.get("answer", obj.get("response"))
    if answer is not None and not isinstance(answer, str):
        raise FormatError(f"answer: expected a string, got {type(answer).__name__}")
    if answer is None and error_type is None:
        raise FormatError("answer: missing (give the model's `answer`, or an `error`)")
    instructions = _str(obj.get("instructions", obj.get("system")), "instructions")
    inp = content.openai_chat_input(messages) if messages is not None else []
    if prompt is not None:
        inp.append({"role": "user", "parts": [content.text_part(prompt)]})
    it = Interaction(
        "agentel",
        _str(obj.get("provider"), "provider") or _guess_provider(model),
        model,
        _time(obj, None, default_ns),
        _key("agentel", _str(obj.get("id"), "id"), obj),
        operation=_str(obj.get("operation"), "operation") or "chat",
        duration_s=_duration(obj),
        input_messages=inp,
        system=[content.text_part(instructions)] if instructions else None,
        error_type=error_type,
        error_message=error_message,
        request_params=_params(obj.get("parameters") or {})
        if isinstance(obj.get("parameters"), Mapping)
        else {},
        expects_json=obj.get("expects_json") is True,
    )
    if answer is not None and not error_type:
        reason = _str(obj.get("finish_reason"), "finish_reason") or "stop"
        it.output_messages = [
            {"role": "assistant", "parts": [content.text_part(answer)], "finish_reason": reason}
        ]
        it.finish_reasons = [reason]
    usage = obj.get("usage")
    if usage is not None:
        usage = _obj(usage, "usage")
        it.input_tokens = _count(usage.get("input_tokens", usage.get("prompt_tokens")), "usage.input_tokens")
        it.output_tokens = _count(
            usage.get("output_tokens", usage.get("completion_tokens")), "usage.output_tokens"
        )
        it.cache_read_tokens = _count(usage.get("cache_read_tokens"), "usage.cache_read_tokens")
        it.cache_write_tokens = _count(usage.get("cache_write_tokens"), "usage.cache_write_tokens")
        it.reasoning_tokens = _count(usage.get("reasoning_tokens"), "usage.reasoning_tokens")
    it.response_model = _str(obj.get("response_model"), "response_model")
    return _common(it, obj)


def _guess_provider(model: str) -> str:
    low = model.lower()
    for prefix, provider in (
        ("gpt", "openai"),
        ("o1", "openai"),
        ("o3", "openai"),
        ("o4", "openai"),
        ("claude", "anthropic"),
        ("gemini", "gcp.gemini"),
        ("mistral", "mistral_ai"),
        ("llama", "meta"),
    ):
        if low.startswith(prefix):
            return provider
    return "unknown"


# --- detection --------------------------------------------------------------------------------

FORMATS = {
    "openai.chat": parse_openai_chat,
    "openai.responses": parse_openai_responses,
    "anthropic.messages": parse_anthropic,
    "agentel": parse_agentel,
}


def detect(obj: Any) -> str:
    """Which format ``obj`` is in (``FormatError`` when none fits)."""
    if not isinstance(obj, Mapping):
        raise FormatError(f"expected a JSON object per record, got {type(obj).__name__}")
    declared = obj.get("format")
    if isinstance(declared, str):
        if declared not in FORMATS:
            raise FormatError(f"format: unknown {declared!r} (known: {', '.join(FORMATS)})")
        return declared
    request, response = obj.get("request"), obj.get("response")
    if isinstance(request, Mapping):
        resp = response if isinstance(response, Mapping) else {}
        provider = str(obj.get("provider") or "").lower()
        if resp.get("object") == "response" or ("input" in request and "messages" not in request):
            return "openai.responses"
        if (
            resp.get("object") == "chat.completion"
            or "choices" in resp
            or provider == "openai"
            or "response_format" in request
        ):
            return "openai.chat"
        if (
            resp.get("type") in ("message", "error")
            or "stop_reason" in resp
            or provider == "anthropic"
            or "system" in request
        ):
            return "anthropic.messages"
        if "max_tokens" in request and isinstance(resp.get("content"), list):
            return "anthropic.messages"
        if not resp:
            return "openai.chat"  # a request that failed; OpenAI's error shape is the common one
        raise FormatError(
            "request/response pair in an unknown shape: expected an OpenAI ChatCompletion (choices), "
            "an OpenAI Response (object: response, output) or an Anthropic Message (content, "
            'stop_reason); or set "format"'
        )
    if "model" in obj and ("prompt" in obj or "messages" in obj or "answer" in obj):
        return "agentel"
    raise FormatError(
        "not a known log format: expected {request, response} (OpenAI or Anthropic) or the agentel "
        "format {model, prompt, answer, usage} (docs/ingest.md)"
    )


def parse_record(obj: Any, default_ns: int) -> Interaction:
    """The interaction in ``obj`` (any known format); ``default_ns`` when it carries no time."""
    it = FORMATS[detect(obj)](obj, default_ns)
    if it.duration_s is not None and it.start_ns + it.duration_s * 1e9 > MAX_TIME_NS:
        raise FormatError(
            f"latency: {it.duration_s!r} s after the start puts the call's end past 2262-04-11 "
            "(what nanosecond timestamps can hold)"
        )
    return it


__all__ = ["FORMATS", "FormatError", "Interaction", "detect", "parse_record", "parse_time_ns"]
