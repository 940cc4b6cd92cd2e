"""The ``anthropic`` SDK: messages — sync, async, ``stream=True`` and the ``.stream()`` helper.

Registered as the ``agentel_anthropic`` entry point (group ``opentelemetry_instrumentor``);
or call ``agentel.instrument_anthropic()``.

anthropic ≥ 2 traces its own API calls (span ``anthropic.messages.create``, with GenAI
attributes) through the global tracer provider. Under agentel that would be a second GenAI span
for the same call, so while agentel records a call the SDK's span for it is replaced by a
non-recording span carrying agentel's span context: one span per call, and the SDK still
propagates trace context in its request headers. ``instrument(keep_sdk_spans=True)`` keeps both.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Generator
from typing import Any

from opentelemetry import trace as trace_api
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor  # type: ignore[attr-defined]
from opentelemetry.instrumentation.utils import is_instrumentation_enabled

from agentel.genai import content
from agentel.genai import semconv as sc
from agentel.genai.call import _VERSION, SCOPE, LLMCall, current_llm_call, estimate_tokens
from agentel.genai.instrumentors._base import (
    AsyncStream,
    ImportHook,
    Patch,
    StreamState,
    SyncStream,
    fail_safe,
    given,
    raw_stream_response,
    run_async,
    run_sync,
    server_of,
)

__all__ = ["AnthropicInstrumentor"]

_PARAMS = (
    ("max_tokens", sc.REQUEST_MAX_TOKENS),
    ("temperature", sc.REQUEST_TEMPERATURE),
    ("top_p", sc.REQUEST_TOP_P),
    ("top_k", sc.REQUEST_TOP_K),
)


def _request(kwargs: dict[str, Any]) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    # anthropic 2.x dropped temperature/top_p/top_k from the signature: they travel in extra_body
    extra = kwargs.get("extra_body")
    extra = extra if isinstance(extra, dict) else {}
    for key, name in _PARAMS:
        value = kwargs.get(key, extra.get(key))
        if value is not None and given(value):
            # top_k is an integer to Anthropic, a double in the conventions' registry
            attrs[name] = float(value) if name == sc.REQUEST_TOP_K else value
    stop = kwargs.get("stop_sequences")
    if stop is not None and given(stop):
        attrs[sc.REQUEST_STOP_SEQUENCES] = list(stop)
    if kwargs.get("stream") is True:
        attrs[sc.REQUEST_STREAM] = True
    return attrs


def request_attributes(kwargs: Any) -> dict[str, Any]:
    """Span attributes of a messages request (the SDK's keyword arguments, or the JSON body a
    log recorded)."""
    return _request(kwargs)


def _usage(call: LLMCall, usage: Any) -> None:
    """Anthropic reports uncached input apart from cache reads/writes; the conventions' input
    count is their sum, with the cache counts as subsets."""
    uncached = usage.input_tokens or 0
    read = getattr(usage, "cache_read_input_tokens", None) or 0
    write = getattr(usage, "cache_creation_input_tokens", None) or 0
    call.input_tokens = uncached + read + write
    call.output_tokens = usage.output_tokens
    call.cache_read_tokens = read
    call.cache_write_tokens = write
    split = getattr(usage, "cache_creation", None)
    if split is not None:
        call.cache_write_1h_tokens = getattr(split, "ephemeral_1h_input_tokens", None) or 0
    details = getattr(usage, "output_tokens_details", None)
    if details is not None:
        call.reasoning_tokens = getattr(details, "thinking_tokens", None)


def _stop_reason(call: LLMCall, stop: str) -> None:
    """The conventions' finish reason, with Anthropic's own word kept beside it."""
    call.finish_reasons = [sc.finish_reason(stop)]
    extra = call.attributes = call.attributes or {}
    extra[sc.ANTHROPIC_STOP_REASON] = stop


def _message(call: LLMCall, message: Any) -> None:
    call.response_id = message.id
    call.response_model = message.model
    if message.stop_reason:
        _stop_reason(call, message.stop_reason)
    if message.usage is not None:
        _usage(call, message.usage)
    if call.capture_span or call.capture_event:
        call.output_messages = content.anthropic_output(message.content, message.stop_reason)


class MessageStream(StreamState):
    """Accumulates raw message events: start (id, model, input usage), deltas, stop reason."""

    __slots__ = ("blocks", "chars", "id", "messages", "model", "stop", "usage_in", "usage_out")

    def __init__(self, messages: Any) -> None:
        self.messages = messages
        self.id: str | None = None
        self.model: str | None = None
        self.stop: str | None = None
        self.usage_in: Any = None
        self.usage_out: Any = None
        self.chars = 0
        self.blocks: dict[int, dict[str, Any]] = {}

    def on_item(self, event: Any, call: LLMCall) -> None:
        kind = event.type
        if kind == "content_block_delta":
            delta = event.delta
            text = (
                getattr(delta, "text", None)
                or getattr(delta, "partial_json", None)
                or getattr(delta, "thinking", None)
            )
            if text:
                self.chars += len(text)
                if call.capture_span or call.capture_event:
                    block = self.blocks.setdefault(event.index, {"type": "text", "parts": []})
                    block["parts"].append(text)
        elif kind == "message_start":
            message = event.message
            self.id = message.id
            self.model = message.model
            self.usage_in = message.usage
        elif kind == "message_delta":
            self.stop = event.delta.stop_reason or self.stop
            self.usage_out = event.usage
        elif kind == "content_block_start" and (call.capture_span or call.capture_event):
            cb = event.content_block
            self.blocks[event.index] = {
                "type": cb.type,
                "id": getattr(cb, "id", None),
                "name": getattr(cb, "name", None),
                "parts": [cb.text] if getattr(cb, "text", None) else [],
            }

    def finish(self, call: LLMCall, error: BaseException | None = None) -> None:
        call.response_id = self.id
        call.response_model = self.model
        if self.stop:
            _stop_reason(call, self.stop)
        if error is not None and (self.usage_out is None or self.usage_in is None):
            pass  # failed before message_delta: message_start's usage is partial, none is recorded
        elif self.usage_in is not None:
            _usage(call, self.usage_in)
            out = self.usage_out
            if out is not None:
                call.output_tokens = out.output_tokens
                # newer API versions repeat (final) input and cache counts on message_delta
                if getattr(out, "input_tokens", None) is not None:
                    _usage(call, out)
        else:  # the stream ended before message_start: nothing was measured
            call.input_tokens = estimate_tokens(len(content.to_json(self.messages or "")))
            call.output_tokens = estimate_tokens(self.chars)
            call.estimated = True
        if call.capture_span or call.capture_event:
            parts: list[dict[str, Any]] = []
            for _, block in sorted(self.blocks.items()):
                joined = "".join(block["parts"])
                if block["type"] == "tool_use":
                    parts.append(content.tool_call_part(block.get("id"), block.get("name"), joined or "{}"))
                elif block["type"] == "thinking":
                    parts.append({"type": "reasoning", "content": joined})
                else:
                    parts.append(content.text_part(joined))
            reason = sc.finish_reason(self.stop) if self.stop else ""
            call.output_messages = [{"role": "assistant", "parts": parts, "finish_reason": reason}]


def _on_result(kwargs: dict[str, Any]) -> Callable[[Any, LLMCall], Any]:
    def on_result(result: Any, call: LLMCall) -> Any:
        import anthropic

        if isinstance(result, anthropic.Stream):
            return SyncStream(result, call, MessageStream(kwargs.get("messages")))
        if isinstance(result, anthropic.AsyncStream):
            return AsyncStream(result, call, MessageStream(kwargs.get("messages")))
        if hasattr(result, "http_response"):  # raw responses
            parse = getattr(result, "parse", None)
            kind = type(result).__name__
            if kind in ("LegacyAPIResponse", "APIResponse", "AsyncAPIResponse") and parse:
                if kwargs.get("stream"):  # the call ends with the stream parse() returns

                    def wrap(parsed: Any) -> Any:
                        if isinstance(parsed, anthropic.Stream):
                            return SyncStream(parsed, call, MessageStream(kwargs.get("messages")))
                        if isinstance(parsed, anthropic.AsyncStream):
                            return AsyncStream(parsed, call, MessageStream(kwargs.get("messages")))
                        return None

                    return raw_stream_response(result, call, wrap)
                if kind != "AsyncAPIResponse":  # its parse() is a coroutine: left unread
                    _message(call, parse())
            call.end()  # .with_streaming_response: the body is the application's to read
            return result
        _message(call, result)
        call.end()
        return result

    return on_result


class _LazyAwaitable:
    """An awaitable that makes its coroutine only when awaited (no never-awaited warnings)."""

    __slots__ = ("_make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make

    def __await__(self) -> Generator[Any, None, Any]:
        return self._make().__await__()  # type: ignore[no-any-return]


class AnthropicInstrumentor(BaseInstrumentor):  # type: ignore[misc]
    """GenAI spans, metrics, cost and opt-in content for the ``anthropic`` SDK.

    ``instrument(tracer_provider=None, capture_content=None, keep_sdk_spans=False)``.
    """

    def __init__(self) -> None:
        if not hasattr(self, "_patches"):  # a singleton: __init__ runs on every construction
            self._patches: list[Patch] = []
            self._lock = threading.Lock()
            self._hook = ImportHook("anthropic", self._patch)

    def instrumentation_dependencies(self) -> Collection[str]:
        return ("anthropic >= 0.40",)

    def _instrument(self, **kwargs: Any) -> None:
        # patched now if the application imported anthropic already, else when it does
        self._hook.arm(kwargs)

    def _patch(self, kwargs: dict[str, Any]) -> None:
        import importlib

        from agentel.genai.cost import warm_up

        provider = kwargs.get("tracer_provider")
        tracer = trace_api.get_tracer(SCOPE, _VERSION, tracer_provider=provider) if provider else None
        capture = kwargs.get("capture_content")
        try:
            module = importlib.import_module("anthropic.resources.messages.messages")
        except ImportError:  # pragma: no cover - very old SDK layout
            module = importlib.import_module("anthropic.resources.messages")
        with self._lock:
            for cls_name in ("Messages", "AsyncMessages"):
                cls = getattr(module, cls_name, None)
                if cls is None:
                    continue
                is_async = cls_name == "AsyncMessages"
                for method in ("create", "parse"):
                    patch = Patch(cls, method, f"anthropic {cls_name}.{method}")
                    if patch.install(_make_call_wrapper(tracer, capture, is_async)):
                        self._patches.append(patch)
                patch = Patch(cls, "stream", f"anthropic {cls_name}.stream")
                if patch.install(_make_stream_wrapper(tracer, capture, is_async)):
                    self._patches.append(patch)
            if not kwargs.get("keep_sdk_spans"):
                base = importlib.import_module("anthropic._base_client")
                patch = Patch(base, "start_api_call_span", "anthropic SDK spans")  # type: ignore[arg-type]
                if _module_patch(patch):
                    self._patches.append(patch)
        threading.Thread(target=warm_up, name="agentel-prices-warmup", daemon=True).start()

    def _uninstrument(self, **kwargs: Any) -> None:
        self._hook.disarm()
        with self._lock:
            for patch in self._patches:
                patch.uninstall()
            self._patches.clear()


def _module_patch(patch: Patch) -> bool:
    """Fold the SDK's own call span into agentel's while agentel records the call."""
    module = patch.cls
    original = getattr(module, patch.name, None)
    if original is None:
        return False

    def folded(*args: Any, **kwargs: Any) -> Any:
        call = current_llm_call()
        if call is not None and patch.wrapper is not None and trace_api.get_current_span() is call.span:
            return trace_api.NonRecordingSpan(call.span.get_span_context())
        return original(*args, **kwargs)

    patch.original = original
    patch.wrapper = folded
    setattr(module, patch.name, folded)
    return True


def _start(
    patch: Patch, instance: Any, kwargs: dict[str, Any], tracer: Any, capture_override: Any
) -> LLMCall | None:
    if patch.step_aside() or not is_instrumentation_enabled():
        return None
    host, port = server_of(instance._client)
    model = kwargs.get("model")
    call = LLMCall(
        sc.PROVIDER_ANTHROPIC,
        sc.OP_CHAT,
        model if isinstance(model, str) else None,
        server_address=host,
        server_port=port,
        attributes=_request(kwargs),
        tracer=tracer,
        capture=content.capture_mode(capture_override) if capture_override is not None else None,
    )
    if call.capture_span or call.capture_event:
        call.input_messages = content.anthropic_input(kwargs.get("messages"))
        system = kwargs.get("system")
        if system is not None and given(system):
            call.system_instructions = content.anthropic_system(system)
        tools = kwargs.get("tools")
        if tools is not None and given(tools):
            call.tool_definitions = content.tool_definitions(tools)
    return call


def _safe_start(
    patch: Patch, instance: Any, kwargs: dict[str, Any], tracer: Any, capture: Any
) -> LLMCall | None:
    try:
        return _start(patch, instance, kwargs, tracer, capture)
    except Exception as exc:
        fail_safe("genai.anthropic.start", exc)
        return None


def _make_call_wrapper(tracer: Any, capture: Any, is_async: bool) -> Callable[[Patch], Callable[..., Any]]:
    def make(patch: Patch) -> Callable[..., Any]:
        if is_async:

            async def async_wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
                call = _safe_start(patch, instance, kwargs, tracer, capture)
                if call is None:
                    return await wrapped(*args, **kwargs)
                return await run_async(wrapped, args, kwargs, call, _on_result(kwargs))

            return async_wrapper

        def wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
            call = _safe_start(patch, instance, kwargs, tracer, capture)
            if call is None:
                return wrapped(*args, **kwargs)
            return run_sync(wrapped, args, kwargs, call, _on_result(kwargs))

        return wrapper

    return make


def _make_stream_wrapper(tracer: Any, capture: Any, is_async: bool) -> Callable[[Patch], Callable[..., Any]]:
    """``messages.stream(...)`` returns a manager that sends the request on ``__enter__``; the
    call is recorded from there, around the manager's request, with the raw stream observed."""

    def make(patch: Patch) -> Callable[..., Any]:
        def wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
            manager = wrapped(*args, **kwargs)
            try:
                attr = f"_{type(manager).__name__}__api_request"
                api_request = getattr(manager, attr, None)
                if api_request is None:
                    return manager  # an SDK layout this version does not know: left unrecorded
                params = {**kwargs, "stream": True}
                if is_async:

                    async def request_async() -> Any:
                        call = _safe_start(patch, instance, params, tracer, capture)
                        if call is None:
                            return await api_request
                        return await run_async(lambda: api_request, (), {}, call, _on_result(params))

                    setattr(manager, attr, _LazyAwaitable(request_async))
                else:

                    def request() -> Any:
                        call = _safe_start(patch, instance, params, tracer, capture)
                        if call is None:
                            return api_request()
                        return run_sync(api_request, (), {}, call, _on_result(params))

                    setattr(manager, attr, request)
            except Exception as exc:
                fail_safe("genai.anthropic.stream", exc)
            return manager

        return wrapper

    return make
