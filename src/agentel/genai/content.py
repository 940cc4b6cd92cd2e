"""Message content: whether it is captured, where it goes, and its GenAI-convention JSON shape.

Content is off unless turned on (``AGENTEL_CAPTURE_CONTENT=1`` or
``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT``), and when on it still passes the
redacting processors in front of every sink. The shapes follow the conventions' JSON schemas:
``[{"role": ..., "parts": [{"type": "text", "content": ...}, {"type": "tool_call", ...}]}]``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from agentel._internal import state
from agentel.genai.semconv import finish_reason

NO_CONTENT = (False, False)
_MODES = {
    "NO_CONTENT": (False, False),
    "SPAN_ONLY": (True, False),
    "EVENT_ONLY": (False, True),
    "SPAN_AND_EVENT": (True, True),
}

_cache: tuple[Any, tuple[bool, bool]] = (object(), NO_CONTENT)


def capture_mode(override: str | bool | None = None) -> tuple[bool, bool]:
    """(on span?, on event?) for message content under the settings in force.

    Content is captured when the privacy switch is on (the default; ``AGENTEL_CAPTURE_CONTENT=off``
    or, when that is unset, OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=false turn it off, see config); the mode
    says where it goes (default SPAN_AND_EVENT). ``override`` (``instrument(capture_content=...)``)
    can only narrow that: turn it off, or keep just the span or the event.
    """
    global _cache
    settings = state.settings()
    cached_for, mode = _cache
    if settings is not cached_for:
        mode = _resolve(settings)
        _cache = (settings, mode)
    if override is None:
        return mode
    if isinstance(override, bool):
        wanted = (True, True) if override else NO_CONTENT
    else:
        wanted = _MODES.get(str(override).upper(), NO_CONTENT)
    return (mode[0] and wanted[0], mode[1] and wanted[1])


def _resolve(settings: Any) -> tuple[bool, bool]:
    if settings is None or not settings.capture_content:
        return NO_CONTENT
    mode = settings.genai_capture_message_content
    if mode in (None, "NO_CONTENT"):  # AGENTEL_CAPTURE_CONTENT=on wins over the standard "off"
        mode = "SPAN_AND_EVENT"
    return _MODES.get(mode, NO_CONTENT)


def to_json(value: Any) -> str:
    """Compact JSON for a content attribute (non-JSON values rendered with ``str``)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def structured(value: Any) -> Any:
    """``value`` as an OTel AnyValue (maps, lists, scalars) for a log record's attributes: the
    event form of content. ``None`` map entries are left out; other values become strings."""
    if isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, Mapping):
        return {str(k): structured(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [structured(v) for v in value if v is not None]
    if value is None:
        return ""
    return str(value)


def _get(obj: Any, key: str) -> Any:
    """A field of an SDK object or of its JSON form (a dict)."""
    if isinstance(obj, Mapping):
        return obj.get(key)
    return getattr(obj, key, None)


def as_dict(obj: Any) -> Mapping[str, Any]:
    """A message/block given as a dict or as an SDK (pydantic) object, as a mapping."""
    if isinstance(obj, Mapping):
        return obj
    dump = getattr(obj, "model_dump", None)
    if dump is not None:
        try:
            return dump(exclude_none=True)  # type: ignore[no-any-return]
        except TypeError:
            return dump()  # type: ignore[no-any-return]
    return {"content": str(obj)}


def _arguments(raw: Any) -> Any:
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def text_part(text: str) -> dict[str, Any]:
    return {"type": "text", "content": text}


def tool_call_part(call_id: Any, name: Any, arguments: Any) -> dict[str, Any]:
    return {"type": "tool_call", "id": call_id, "name": name, "arguments": _arguments(arguments)}


# --- OpenAI chat completions -----------------------------------------------------------------


def _openai_content_parts(content: Any) -> list[dict[str, Any]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [text_part(content)]
    parts: list[dict[str, Any]] = []
    for raw in content if isinstance(content, Iterable) else (content,):
        item = as_dict(raw)
        kind = item.get("type")
        if kind in ("text", "input_text", "output_text"):
            parts.append(text_part(str(item.get("text", ""))))
        elif kind == "refusal":
            parts.append(text_part(str(item.get("refusal", ""))))
        elif kind in ("image_url", "input_image"):
            url = item.get("image_url")
            url = url.get("url") if isinstance(url, Mapping) else url
            if isinstance(url, str) and not url.startswith("data:"):
                parts.append({"type": "uri", "modality": "image", "uri": url})
            else:
                parts.append({"type": "blob", "modality": "image"})
        elif kind in ("input_audio", "file", "input_file"):
            parts.append({"type": "blob", "modality": "audio" if kind == "input_audio" else "file"})
        else:
            parts.append({"type": str(kind)})
    return parts


def openai_chat_input(messages: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for raw in messages or ():
        msg = as_dict(raw)
        role = msg.get("role", "user")
        if role == "tool":
            parts: list[dict[str, Any]] = [
                {"type": "tool_call_response", "id": msg.get("tool_call_id"), "response": msg.get("content")}
            ]
        else:
            parts = _openai_content_parts(msg.get("content"))
            for tc in msg.get("tool_calls") or ():
                call = as_dict(tc)
                fn = as_dict(call.get("function") or {})
                parts.append(tool_call_part(call.get("id"), fn.get("name"), fn.get("arguments")))
        out.append({"role": role, "parts": parts})
    return out


def openai_chat_output(choices: Any) -> list[dict[str, Any]]:
    """Output messages of chat completion choices (SDK objects or their JSON)."""
    out: list[dict[str, Any]] = []
    for choice in choices or ():
        message = _get(choice, "message")
        parts: list[dict[str, Any]] = []
        if message is not None:
            text = _get(message, "content")
            if isinstance(text, str) and text:
                parts.append(text_part(text))
            elif isinstance(text, list):
                parts.extend(_openai_content_parts(text))
            refusal = _get(message, "refusal")
            if refusal:
                parts.append(text_part(refusal))
            for tc in _get(message, "tool_calls") or ():
                fn = _get(tc, "function")
                parts.append(
                    tool_call_part(
                        _get(tc, "id"),
                        _get(fn, "name") if fn is not None else None,
                        _get(fn, "arguments") if fn is not None else None,
                    )
                )
        reason = _get(choice, "finish_reason")
        out.append(
            {
                "role": (_get(message, "role") if message is not None else None) or "assistant",
                "parts": parts,
                "finish_reason": finish_reason(reason) if reason else "",
            }
        )
    return out


def tool_definitions(tools: Any) -> list[dict[str, Any]]:
    """The conventions' tool definitions: type, name, description and the parameters' schema
    (OpenAI ``function.parameters`` / ``parameters``, Anthropic ``input_schema``) when given."""
    out: list[dict[str, Any]] = []
    for raw in tools or ():
        tool = as_dict(raw)
        fn = tool.get("function")
        src: Mapping[str, Any] = fn if isinstance(fn, Mapping) else tool
        entry: dict[str, Any] = {
            "type": "function" if fn is not None else tool.get("type", "function"),
            "name": src.get("name"),
            "description": src.get("description"),
        }
        params = src.get("parameters", src.get("input_schema"))
        if params is not None:
            entry["parameters"] = params
        out.append(entry)
    return out


# --- OpenAI responses ------------------------------------------------------------------------


def openai_responses_input(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if isinstance(value, str):
        return [{"role": "user", "parts": [text_part(value)]}]
    out: list[dict[str, Any]] = []
    for raw in value:
        item = as_dict(raw)
        kind = item.get("type", "message")
        if kind == "function_call_output":
            out.append(
                {
                    "role": "tool",
                    "parts": [
                        {
                            "type": "tool_call_response",
                            "id": item.get("call_id"),
                            "response": item.get("output"),
                        }
                    ],
                }
            )
        elif kind == "function_call":
            out.append(
                {
                    "role": "assistant",
                    "parts": [tool_call_part(item.get("call_id"), item.get("name"), item.get("arguments"))],
                }
            )
        else:
            out.append(
                {"role": item.get("role", "user"), "parts": _openai_content_parts(item.get("content"))}
            )
    return out


def openai_responses_output(response: Any) -> list[dict[str, Any]]:
    """Output messages of a Responses API response (an SDK object or its JSON)."""
    parts: list[dict[str, Any]] = []
    for item in _get(response, "output") or ():
        kind = _get(item, "type")
        if kind == "message":
            for c in _get(item, "content") or ():
                text = _get(c, "text") or _get(c, "refusal")
                if text:
                    parts.append(text_part(text))
        elif kind == "function_call":
            parts.append(tool_call_part(_get(item, "call_id"), _get(item, "name"), _get(item, "arguments")))
        elif kind == "reasoning":
            summary = " ".join(_get(s, "text") or "" for s in _get(item, "summary") or ())
            parts.append({"type": "reasoning", "content": summary})
    return [{"role": "assistant", "parts": parts, "finish_reason": ""}]


# --- Anthropic messages ----------------------------------------------------------------------


def _anthropic_blocks(content: Any) -> list[dict[str, Any]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [text_part(content)]
    parts: list[dict[str, Any]] = []
    for raw in content:
        block = as_dict(raw)
        kind = block.get("type")
        if kind == "text":
            parts.append(text_part(str(block.get("text", ""))))
        elif kind == "tool_use":
            parts.append(tool_call_part(block.get("id"), block.get("name"), block.get("input")))
        elif kind == "tool_result":
            result = block.get("content")
            if isinstance(result, list):
                result = " ".join(str(as_dict(b).get("text", "")) for b in result)
            parts.append({"type": "tool_call_response", "id": block.get("tool_use_id"), "response": result})
        elif kind == "thinking":
            parts.append({"type": "reasoning", "content": block.get("thinking", "")})
        elif kind in ("image", "document"):
            parts.append({"type": "blob", "modality": "image" if kind == "image" else "file"})
        else:
            parts.append({"type": str(kind)})
    return parts


def anthropic_input(messages: Any) -> list[dict[str, Any]]:
    return [
        {"role": as_dict(m).get("role", "user"), "parts": _anthropic_blocks(as_dict(m).get("content"))}
        for m in messages or ()
    ]


def instructions(system: Any, input_messages: Any) -> Any:
    """The call's system instructions: given apart (Anthropic's ``system``, Responses'
    ``instructions``), else the parts of its system/developer messages (OpenAI chat), which stay in
    the input messages too. None when there are none."""
    if system:
        return system
    parts = [
        part
        for m in input_messages or ()
        if isinstance(m, dict) and m.get("role") in ("system", "developer")
        for part in m.get("parts") or ()
    ]
    return parts or None


def anthropic_system(system: Any) -> list[dict[str, Any]]:
    return _anthropic_blocks(system)


def anthropic_output(content: Any, stop_reason: Any) -> list[dict[str, Any]]:
    reason = finish_reason(stop_reason) if stop_reason else ""
    return [{"role": "assistant", "parts": _anthropic_blocks(content), "finish_reason": reason}]
