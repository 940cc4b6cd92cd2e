"""The ``openai`` SDK: chat completions, responses and embeddings — sync, async and streaming.

Registered as the ``agentel_openai`` entry point (group ``opentelemetry_instrumentor``), so
``opentelemetry-instrument`` loads it; or call ``agentel.instrument_openai()``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from typing import Any

from opentelemetry import trace as trace_api
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor  # type: ignore[attr-defined]
from opentelemetry.instrumentation.utils import is_instrumentation_enabled

from agentel.genai import content
from agentel.genai import semconv as sc
from agentel.genai.call import _VERSION, SCOPE, LLMCall, estimate_tokens
from agentel.genai.instrumentors._base import (
    AsyncStream,
    ImportHook,
    Patch,
    StreamState,
    SyncStream,
    given,
    raw_stream_response,
    run_async,
    run_sync,
    server_of,
)

__all__ = ["OpenAIInstrumentor"]

#: OpenAI-compatible hosts whose provider the conventions name (for the span and for prices)
_HOST_PROVIDERS = (
    (".openai.azure.com", "azure.ai.openai"),
    ("api.groq.com", "groq"),
    ("api.deepseek.com", "deepseek"),
    ("api.x.ai", "x_ai"),
    ("api.mistral.ai", "mistral_ai"),
    ("openrouter.ai", "openrouter"),
    ("api.perplexity.ai", "perplexity"),
    ("generativelanguage.googleapis.com", "gcp.gemini"),
    ("api.together.xyz", "together"),
    ("api.fireworks.ai", "fireworks"),
)
_providers: dict[str | None, str] = {}

_CHAT_PARAMS = (
    ("temperature", sc.REQUEST_TEMPERATURE),
    ("top_p", sc.REQUEST_TOP_P),
    ("max_tokens", sc.REQUEST_MAX_TOKENS),
    ("max_completion_tokens", sc.REQUEST_MAX_TOKENS),
    ("frequency_penalty", sc.REQUEST_FREQUENCY_PENALTY),
    ("presence_penalty", sc.REQUEST_PRESENCE_PENALTY),
    ("seed", sc.REQUEST_SEED),
)
_RESPONSES_PARAMS = (
    ("temperature", sc.REQUEST_TEMPERATURE),
    ("top_p", sc.REQUEST_TOP_P),
    ("max_output_tokens", sc.REQUEST_MAX_TOKENS),
)


def _provider(host: str | None) -> str:
    found = _providers.get(host)
    if found is None:
        found = sc.PROVIDER_OPENAI
        for suffix, name in _HOST_PROVIDERS:
            if host and host.endswith(suffix):
                found = name
                break
        _providers[host] = found
    return found


def _params(kwargs: dict[str, Any], table: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for key, name in table:
        value = kwargs.get(key)
        if value is not None and given(value):
            attrs[name] = value
    return attrs


# --- chat completions ------------------------------------------------------------------------


def _service_tier(kwargs: Any, attrs: dict[str, Any]) -> None:
    extra = kwargs.get("extra_body")  # sent last: it wins over the keyword argument
    tier = extra.get("service_tier") if isinstance(extra, dict) else None
    if tier is None:
        tier = kwargs.get("service_tier")
    if tier is not None and given(tier):
        attrs[sc.OPENAI_REQUEST_SERVICE_TIER] = tier


def chat_request_attributes(kwargs: Any) -> dict[str, Any]:
    """Span attributes of a chat completions request (the SDK's keyword arguments, or the JSON
    body a log recorded)."""
    return _chat_request(kwargs)


def responses_request_attributes(kwargs: Any) -> dict[str, Any]:
    """Span attributes of a Responses API request (keyword arguments or the JSON body)."""
    return _responses_request(kwargs)


def _chat_request(kwargs: dict[str, Any]) -> dict[str, Any]:
    attrs = _params(kwargs, _CHAT_PARAMS)
    stop = kwargs.get("stop")
    if stop is not None and given(stop):
        attrs[sc.REQUEST_STOP_SEQUENCES] = [stop] if isinstance(stop, str) else list(stop)
    n = kwargs.get("n")
    if n is not None and given(n) and n != 1:
        attrs[sc.REQUEST_CHOICE_COUNT] = n
    if kwargs.get("stream") is True:
        attrs[sc.REQUEST_STREAM] = True
    _service_tier(kwargs, attrs)
    fmt = kwargs.get("response_format")
    if fmt is not None and given(fmt):
        kind = fmt.get("type") if isinstance(fmt, dict) else "json"
        attrs[sc.OUTPUT_TYPE] = "text" if kind == "text" else "json"
    return attrs


def _chat_usage(call: LLMCall, usage: Any) -> None:
    call.input_tokens = usage.prompt_tokens
    call.output_tokens = usage.completion_tokens
    details = usage.prompt_tokens_details
    if details is not None:
        call.cache_read_tokens = details.cached_tokens
        call.cache_write_tokens = getattr(details, "cache_write_tokens", None)
    details = usage.completion_tokens_details
    if details is not None:
        call.reasoning_tokens = details.reasoning_tokens


def _response_extras(call: LLMCall, obj: Any) -> None:
    tier = getattr(obj, "service_tier", None)
    fingerprint = getattr(obj, "system_fingerprint", None)
    if tier or fingerprint:
        extra = call.attributes = call.attributes or {}
        if tier:
            extra[sc.OPENAI_RESPONSE_SERVICE_TIER] = tier
        if fingerprint:
            extra[sc.OPENAI_RESPONSE_SYSTEM_FINGERPRINT] = fingerprint


def _chat_completion(call: LLMCall, result: Any) -> None:
    call.response_id = result.id
    call.response_model = result.model
    call.finish_reasons = [sc.finish_reason(c.finish_reason or "") for c in result.choices]
    if result.usage is not None:
        _chat_usage(call, result.usage)
    _response_extras(call, result)
    if call.capture_span or call.capture_event:
        call.output_messages = content.openai_chat_output(result.choices)


def _chars_of_messages(messages: Any) -> int:
    total = 0
    for raw in messages or ():
        msg = content.as_dict(raw)
        c = msg.get("content")
        if isinstance(c, str):
            total += len(c)
        elif isinstance(c, list):
            total += sum(len(str(content.as_dict(p).get("text", ""))) for p in c)
        total += 4  # role and framing
    return total


class ChatStream(StreamState):
    """Accumulates a chat completion stream: id, model, finish reasons, usage, text and tools."""

    __slots__ = ("chars", "finishes", "id", "messages", "model", "texts", "tier", "tools", "usage")

    def __init__(self, messages: Any) -> None:
        self.messages = messages
        self.id: str | None = None
        self.model: str | None = None
        self.usage: Any = None
        self.tier: Any = None
        self.finishes: dict[int, str] = {}
        self.chars = 0
        self.texts: dict[int, list[str]] = {}
        self.tools: dict[tuple[int, int], dict[str, Any]] = {}

    def on_item(self, chunk: Any, call: LLMCall) -> None:
        if self.id is None:
            self.id = chunk.id
            self.model = chunk.model
        if chunk.usage is not None:
            self.usage = chunk.usage
        if self.tier is None:
            self.tier = getattr(chunk, "service_tier", None)
        capture = call.capture_span or call.capture_event
        for choice in chunk.choices:
            if choice.finish_reason:
                self.finishes[choice.index] = choice.finish_reason
            delta = choice.delta
            if delta is None:
                continue
            text = delta.content
            if text:
                self.chars += len(text)
                if capture:
                    self.texts.setdefault(choice.index, []).append(text)
            if delta.tool_calls:
                for tc in delta.tool_calls:
                    fn = tc.function
                    args = (fn.arguments if fn is not None else None) or ""
                    self.chars += len(args)
                    if capture:
                        slot = self.tools.setdefault(
                            (choice.index, tc.index), {"id": None, "name": None, "args": []}
                        )
                        if tc.id:
                            slot["id"] = tc.id
                        if fn is not None and fn.name:
                            slot["name"] = fn.name
                        slot["args"].append(args)

    def finish(self, call: LLMCall, error: BaseException | None = None) -> None:
        call.response_id = self.id
        call.response_model = self.model
        if self.finishes:
            call.finish_reasons = [sc.finish_reason(self.finishes[i]) for i in sorted(self.finishes)]
        if self.tier:
            call.attributes = {**(call.attributes or {}), sc.OPENAI_RESPONSE_SERVICE_TIER: self.tier}
        if self.usage is not None:
            _chat_usage(call, self.usage)
        elif error is None:  # no usage chunk (stream_options.include_usage unset): estimate, say so
            call.input_tokens = estimate_tokens(_chars_of_messages(self.messages))
            call.output_tokens = estimate_tokens(self.chars)
            call.estimated = True
        if call.capture_span or call.capture_event:
            indexes = sorted(set(self.texts) | set(self.finishes) | {i for i, _ in self.tools})
            out = []
            for i in indexes:
                parts: list[dict[str, Any]] = []
                if self.texts.get(i):
                    parts.append(content.text_part("".join(self.texts[i])))
                for (ci, _), tool in sorted(self.tools.items()):
                    if ci == i:
                        parts.append(content.tool_call_part(tool["id"], tool["name"], "".join(tool["args"])))
                reason = sc.finish_reason(self.finishes.get(i, ""))
                out.append({"role": "assistant", "parts": parts, "finish_reason": reason})
            call.output_messages = out


# --- responses -------------------------------------------------------------------------------


def _responses_request(kwargs: dict[str, Any]) -> dict[str, Any]:
    attrs = _params(kwargs, _RESPONSES_PARAMS)
    if kwargs.get("stream") is True:
        attrs[sc.REQUEST_STREAM] = True
    _service_tier(kwargs, attrs)
    text = kwargs.get("text")
    fmt = text.get("format") if isinstance(text, dict) else None
    if isinstance(fmt, dict) and fmt.get("type"):
        attrs[sc.OUTPUT_TYPE] = "text" if fmt["type"] == "text" else "json"
    return attrs


def _response(call: LLMCall, r: Any) -> None:
    call.response_id = r.id
    call.response_model = r.model
    status = getattr(r, "status", None)
    if status == "incomplete":
        details = getattr(r, "incomplete_details", None)
        call.finish_reasons = [sc.finish_reason(getattr(details, "reason", None) or "incomplete")]
    elif status == "failed":
        call.finish_reasons = [sc.FINISH_ERROR]
        err = getattr(r, "error", None)
        call.error_type = str(getattr(err, "code", None) or "response_failed")
    elif status == "completed":
        tool = any(getattr(o, "type", None) == "function_call" for o in r.output or ())
        call.finish_reasons = [sc.FINISH_TOOL_CALL if tool else sc.FINISH_STOP]
    usage = r.usage
    if usage is not None:
        call.input_tokens = usage.input_tokens
        call.output_tokens = usage.output_tokens
        details = usage.input_tokens_details
        if details is not None:
            call.cache_read_tokens = details.cached_tokens
        details = usage.output_tokens_details
        if details is not None:
            call.reasoning_tokens = details.reasoning_tokens
    _response_extras(call, r)
    if call.capture_span or call.capture_event:
        out = content.openai_responses_output(r)
        if call.finish_reasons:
            out[0]["finish_reason"] = call.finish_reasons[0]
        call.output_messages = out


class ResponsesStream(StreamState):
    """Accumulates a Responses API event stream; the final event carries the whole response."""

    __slots__ = ("chars", "final", "id", "input", "model")

    def __init__(self, input: Any) -> None:  # noqa: A002
        self.input = input
        self.id: str | None = None
        self.model: str | None = None
        self.final: Any = None
        self.chars = 0

    def on_item(self, event: Any, call: LLMCall) -> None:
        kind = event.type
        if kind in ("response.output_text.delta", "response.function_call_arguments.delta"):
            self.chars += len(event.delta or "")
        elif kind in ("response.completed", "response.incomplete", "response.failed"):
            self.final = event.response
        elif kind == "response.created":
            self.id = event.response.id
            self.model = event.response.model
        elif kind == "error":
            call.error_type = str(getattr(event, "code", None) or "error")

    def finish(self, call: LLMCall, error: BaseException | None = None) -> None:
        if self.final is not None:
            _response(call, self.final)
            if self.final.usage is not None:
                return
        else:
            call.response_id, call.response_model = self.id, self.model
        if error is not None:
            return  # failed mid-way: no usage was reported, none is estimated
        text = self.input if isinstance(self.input, str) else content.to_json(self.input or "")
        call.input_tokens = estimate_tokens(len(text))
        call.output_tokens = estimate_tokens(self.chars)
        call.estimated = True


# --- embeddings ------------------------------------------------------------------------------


def _embeddings_request(kwargs: dict[str, Any]) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    fmt = kwargs.get("encoding_format")
    if fmt is not None and given(fmt):
        attrs[sc.REQUEST_ENCODING_FORMATS] = [fmt]
    dims = kwargs.get("dimensions")
    if dims is not None and given(dims):
        attrs[sc.EMBEDDINGS_DIMENSION_COUNT] = dims
    return attrs


def _embeddings(call: LLMCall, r: Any) -> None:
    call.response_model = r.model
    if r.usage is not None:
        call.input_tokens = r.usage.prompt_tokens


# --- results ---------------------------------------------------------------------------------


_types: dict[str, Any] = {}


def _result_types() -> dict[str, Any]:
    if not _types:
        import openai
        from openai._legacy_response import LegacyAPIResponse

        _types.update(stream=openai.Stream, astream=openai.AsyncStream, legacy=LegacyAPIResponse)
    return _types


def _result_handler(
    apply: Callable[[LLMCall, Any], None], state: Callable[[dict[str, Any]], StreamState]
) -> Callable[[dict[str, Any]], Callable[[Any, LLMCall], Any]]:
    """The function that records a result (or wraps a stream) for one kind of call."""

    def for_kwargs(kwargs: dict[str, Any]) -> Callable[[Any, LLMCall], Any]:
        def on_result(result: Any, call: LLMCall) -> Any:
            types = _types or _result_types()
            if isinstance(result, types["stream"]):
                return SyncStream(result, call, state(kwargs))
            if isinstance(result, types["astream"]):
                return AsyncStream(result, call, state(kwargs))
            if isinstance(result, types["legacy"]):  # .with_raw_response: the parse is cached
                if kwargs.get("stream"):  # the call ends with the stream parse() returns

                    def wrap(parsed: Any) -> Any:
                        if isinstance(parsed, types["stream"]):
                            return SyncStream(parsed, call, state(kwargs))
                        if isinstance(parsed, types["astream"]):
                            return AsyncStream(parsed, call, state(kwargs))
                        return None

                    return raw_stream_response(result, call, wrap)
                apply(call, result.parse())
                call.end()
                return result
            if hasattr(result, "http_response"):  # .with_streaming_response: body not read yet
                call.end()
                return result
            apply(call, result)
            call.end()
            return result

        return on_result

    return for_kwargs


_CHAT = _result_handler(_chat_completion, lambda kw: ChatStream(kw.get("messages")))
_RESPONSES = _result_handler(_response, lambda kw: ResponsesStream(kw.get("input")))
_EMBEDDINGS = _result_handler(_embeddings, lambda kw: ChatStream(None))

#: (module, class, method, operation, request attributes, result handler, content of the request)
_TARGETS: tuple[tuple[str, str, str, str, Any, Any, str], ...] = (
    (
        "openai.resources.chat.completions.completions",
        "Completions",
        "create",
        sc.OP_CHAT,
        _chat_request,
        _CHAT,
        "chat",
    ),
    (
        "openai.resources.chat.completions.completions",
        "Completions",
        "parse",
        sc.OP_CHAT,
        _chat_request,
        _CHAT,
        "chat",
    ),
    (
        "openai.resources.chat.completions.completions",
        "AsyncCompletions",
        "create",
        sc.OP_CHAT,
        _chat_request,
        _CHAT,
        "chat",
    ),
    (
        "openai.resources.chat.completions.completions",
        "AsyncCompletions",
        "parse",
        sc.OP_CHAT,
        _chat_request,
        _CHAT,
        "chat",
    ),
    (
        "openai.resources.responses.responses",
        "Responses",
        "create",
        sc.OP_CHAT,
        _responses_request,
        _RESPONSES,
        "responses",
    ),
    (
        "openai.resources.responses.responses",
        "Responses",
        "parse",
        sc.OP_CHAT,
        _responses_request,
        _RESPONSES,
        "responses",
    ),
    (
        "openai.resources.responses.responses",
        "AsyncResponses",
        "create",
        sc.OP_CHAT,
        _responses_request,
        _RESPONSES,
        "responses",
    ),
    (
        "openai.resources.responses.responses",
        "AsyncResponses",
        "parse",
        sc.OP_CHAT,
        _responses_request,
        _RESPONSES,
        "responses",
    ),
    (
        "openai.resources.embeddings",
        "Embeddings",
        "create",
        sc.OP_EMBEDDINGS,
        _embeddings_request,
        _EMBEDDINGS,
        "",
    ),
    (
        "openai.resources.embeddings",
        "AsyncEmbeddings",
        "create",
        sc.OP_EMBEDDINGS,
        _embeddings_request,
        _EMBEDDINGS,
        "",
    ),
)


def _request_content(call: LLMCall, kind: str, kwargs: dict[str, Any]) -> None:
    if kind == "chat":
        call.input_messages = content.openai_chat_input(kwargs.get("messages"))
    elif kind == "responses":
        call.input_messages = content.openai_responses_input(kwargs.get("input"))
        instructions = kwargs.get("instructions")
        if isinstance(instructions, str):
            call.system_instructions = [content.text_part(instructions)]
    tools = kwargs.get("tools")
    if tools is not None and given(tools):
        call.tool_definitions = content.tool_definitions(tools)


class OpenAIInstrumentor(BaseInstrumentor):  # type: ignore[misc]
    """GenAI spans, metrics, cost and opt-in content for the ``openai`` SDK.

    ``instrument(tracer_provider=None, capture_content=None)``: ``capture_content`` (a bool or a
    capture mode) overrides the settings for these calls.
    """

    def __init__(self) -> None:
        # BaseInstrumentor is a singleton whose __init__ runs on every OpenAIInstrumentor()
        if not hasattr(self, "_patches"):
            self._patches: list[Patch] = []
            self._lock = threading.Lock()
            self._hook = ImportHook("openai", self._patch)

    def instrumentation_dependencies(self) -> Collection[str]:
        return ("openai >= 1.0",)

    def _instrument(self, **kwargs: Any) -> None:
        # patched now if the application imported openai already, else when it does
        self._hook.arm(kwargs)

    def _patch(self, kwargs: dict[str, Any]) -> None:
        import importlib

        from agentel.genai.cost import warm_up

        provider = kwargs.get("tracer_provider")
        tracer = trace_api.get_tracer(SCOPE, _VERSION, tracer_provider=provider) if provider else None
        capture_override = kwargs.get("capture_content")
        with self._lock:
            for module_name, cls_name, method, operation, request, handler, kind in _TARGETS:
                try:
                    cls = getattr(importlib.import_module(module_name), cls_name)
                except (ImportError, AttributeError):
                    continue  # an SDK version without this API
                patch = Patch(cls, method, f"openai {cls_name}.{method}")
                is_async = cls_name.startswith("Async")
                make = _make_wrapper(operation, request, handler, kind, tracer, capture_override, is_async)
                if patch.install(make):
                    self._patches.append(patch)
        threading.Thread(target=warm_up, name="agentel-prices-warmup", daemon=True).start()

    def _uninstrument(self, **kwargs: Any) -> None:
        self._hook.disarm()
        with self._lock:
            for patch in self._patches:
                patch.uninstall()
            self._patches.clear()


def _make_wrapper(
    operation: str,
    request: Callable[[dict[str, Any]], dict[str, Any]],
    handler: Callable[[dict[str, Any]], Callable[[Any, LLMCall], Any]],
    kind: str,
    tracer: trace_api.Tracer | None,
    capture_override: Any,
    is_async: bool,
) -> Callable[[Patch], Callable[..., Any]]:
    def make(patch: Patch) -> Callable[..., Any]:
        def start(instance: Any, kwargs: dict[str, Any]) -> LLMCall | None:
            if patch.step_aside() or not is_instrumentation_enabled():
                return None
            host, port = server_of(instance._client)
            capture = content.capture_mode(capture_override) if capture_override is not None else None
            model = kwargs.get("model")
            call = LLMCall(
                _provider(host),
                operation,
                model if isinstance(model, str) else None,
                server_address=host,
                server_port=port,
                attributes=request(kwargs),
                tracer=tracer,
                capture=capture,
            )
            if call.capture_span or call.capture_event:
                _request_content(call, kind, kwargs)
            return call

        if is_async:

            async def async_wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
                try:
                    call = start(instance, kwargs)
                except Exception as exc:
                    from agentel.genai.instrumentors._base import fail_safe

                    fail_safe("genai.openai.start", exc)
                    call = None
                if call is None:
                    return await wrapped(*args, **kwargs)
                return await run_async(wrapped, args, kwargs, call, handler(kwargs))

            return async_wrapper

        def wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
            try:
                call = start(instance, kwargs)
            except Exception as exc:
                from agentel.genai.instrumentors._base import fail_safe

                fail_safe("genai.openai.start", exc)
                call = None
            if call is None:
                return wrapped(*args, **kwargs)
            return run_sync(wrapped, args, kwargs, call, handler(kwargs))

        return wrapper

    return make
