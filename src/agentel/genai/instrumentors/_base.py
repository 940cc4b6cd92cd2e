"""What the openai and anthropic instrumentors share: patching, peer detection, stream proxies.

Patching wraps SDK methods on their classes with ``wrapt.FunctionWrapper`` and puts the original
back on ``uninstrument()``. When another GenAI instrumentation (opentelemetry-instrumentation-
openai-v2, OpenLLMetry, OpenLIT, Logfire, ...) already wraps a method, agentel leaves it alone;
when one wraps *over* agentel later, agentel's wrapper steps aside at call time. Either way it
says so once, and the call gets exactly one GenAI span.

A stream is returned as a proxy of the SDK's stream: the application sees the same object
(``isinstance`` holds, every attribute passes through), and the call ends when the stream ends,
fails, is closed, or is dropped after an early ``break`` — with what was seen so far.
"""

from __future__ import annotations

import inspect
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import wrapt

from agentel._internal import errors
from agentel.genai.call import LLMCall, activate, deactivate

_log = logging.getLogger("agentel.genai")

#: module prefixes of other GenAI instrumentations → how to name them to the user
PEERS = {
    "opentelemetry.instrumentation.openai_v2": "opentelemetry-instrumentation-openai-v2",
    "opentelemetry.instrumentation.openai": "opentelemetry-instrumentation-openai (OpenLLMetry)",
    "opentelemetry.instrumentation.anthropic": "opentelemetry-instrumentation-anthropic (OpenLLMetry)",
    "traceloop": "traceloop-sdk (OpenLLMetry)",
    "openlit": "openlit",
    "logfire": "logfire",
    "langfuse": "langfuse",
    "openinference.instrumentation": "openinference",
}
_warned: set[tuple[str, str]] = set()
_warn_lock = threading.Lock()


def peer_of(obj: Any, stop: Any = None) -> str | None:
    """The name of the GenAI instrumentation whose wrapper ``obj`` is (or wraps), if any."""
    seen = 0
    while obj is not None and obj is not stop and seen < 16:
        seen += 1
        candidates = (getattr(obj, "_self_wrapper", None), obj)
        for c in candidates:
            module = getattr(c, "__module__", None) or ""
            for prefix, name in PEERS.items():
                if module == prefix or module.startswith(prefix + "."):
                    return name
        obj = getattr(obj, "__wrapped__", None)
    return None


def warn_peer(target: str, peer: str) -> None:
    """Log once per (SDK, peer) that agentel steps aside for another instrumentation."""
    sdk = target.split(" ", 1)[0]
    with _warn_lock:
        if (sdk, peer) in _warned:
            return
        _warned.add((sdk, peer))
    _log.warning(
        "agentel: the %s SDK is already instrumented by %s (first seen on %s); agentel records no "
        "span where it is active, so each call has one GenAI span. Uninstrument %s (or set "
        "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS) to use agentel's.",
        sdk,
        peer,
        target,
        peer,
    )


class ImportHook:
    """Run an instrumentor's patching when the application imports the SDK, not at start-up.

    ``arm(kwargs)`` patches at once when ``module`` is already imported; otherwise a post-import
    hook (wrapt's) patches when the application imports it, so a program that never imports the SDK
    never pays for importing it. ``disarm()`` (uninstrument) makes a pending hook do nothing.
    """

    __slots__ = ("_apply", "_armed", "_hooked", "_lock", "module")

    def __init__(self, module: str, apply: Callable[[dict[str, Any]], None]) -> None:
        self.module = module
        self._apply = apply
        self._armed: dict[str, Any] | None = None
        self._hooked = False
        self._lock = threading.Lock()

    def arm(self, kwargs: dict[str, Any]) -> None:
        with self._lock:
            self._armed = dict(kwargs)
            if self.module not in sys.modules:
                if not self._hooked:
                    self._hooked = True
                    wrapt.register_post_import_hook(self._on_import, self.module)
                return
        self._fire()

    def disarm(self) -> None:
        with self._lock:
            self._armed = None

    def _on_import(self, _module: Any) -> None:
        with self._lock:
            self._hooked = False
        try:
            self._fire()
        except Exception as exc:  # the application's import never fails because of telemetry
            errors.record_internal_error("genai.instrument", exc)

    def _fire(self) -> None:
        with self._lock:
            kwargs, self._armed = self._armed, None
        if kwargs is not None:
            self._apply(kwargs)


class Patch:
    """One SDK method wrapped on its class; knows how to put it back and whether to step aside."""

    __slots__ = ("_outer", "_outer_peer", "cls", "label", "name", "original", "wrapper")

    def __init__(self, cls: type, name: str, label: str) -> None:
        self.cls = cls
        self.name = name
        self.label = label
        self.original: Any = None
        self.wrapper: Any = None
        self._outer: Any = None
        self._outer_peer: str | None = None

    def install(self, make: Callable[[Patch], Callable[..., Any]]) -> bool:
        current = self.cls.__dict__.get(self.name)
        if current is None:
            return False
        peer = peer_of(current)
        if peer is not None:
            warn_peer(self.label, peer)
            return False
        self.original = current
        self.wrapper = wrapt.FunctionWrapper(current, make(self))
        setattr(self.cls, self.name, self.wrapper)
        return True

    def uninstall(self) -> None:
        if self.wrapper is None:
            return
        if self.cls.__dict__.get(self.name) is self.wrapper:
            setattr(self.cls, self.name, self.original)
        # else someone wrapped over ours: removing ours would drop theirs; ours is disabled instead
        self.wrapper = None

    def step_aside(self) -> bool:
        """True when agentel should not record this call (uninstrumented, or a peer wraps over it)."""
        wrapper = self.wrapper
        if wrapper is None:
            return True
        current = self.cls.__dict__.get(self.name)
        if current is wrapper:
            return False
        if current is not self._outer:
            self._outer = current
            self._outer_peer = peer_of(current, stop=wrapper)
            if self._outer_peer:
                warn_peer(self.label, self._outer_peer)
        return self._outer_peer is not None


def fail_safe(site: str, exc: Exception) -> None:
    """Count and log an internal error once; re-raise under the test suite."""
    errors.record_internal_error(site, exc)
    if errors.RAISE:
        raise exc


# --- streams ---------------------------------------------------------------------------------


class StreamState:
    """What a provider's stream handler accumulates; ``finish`` copies it onto the call."""

    def on_item(self, item: Any, call: LLMCall) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def finish(self, call: LLMCall, error: BaseException | None = None) -> None:  # pragma: no cover
        """Copy what was seen onto ``call``; ``error`` when the stream failed mid-way."""
        raise NotImplementedError


def _end(proxy: Any, error: BaseException | None, incomplete: bool) -> None:
    if proxy._self_done:
        return
    proxy._self_done = True
    call: LLMCall = proxy._self_call
    try:
        proxy._self_state.finish(call, error)
        call.incomplete = incomplete
    except Exception as exc:
        errors.record_internal_error("genai.stream.finish", exc)
        if errors.RAISE:
            call.end(error)
            raise
    call.end(error)


def _observe(proxy: Any, item: Any) -> None:
    call = proxy._self_call
    call.chunk()
    try:
        proxy._self_state.on_item(item, call)
    except Exception as exc:
        fail_safe("genai.stream.item", exc)


class SyncStream(wrapt.ObjectProxy):  # type: ignore[misc]
    """The SDK's stream, observed: every item passes through unchanged."""

    def __init__(self, wrapped: Any, call: LLMCall, state: StreamState) -> None:
        super().__init__(wrapped)
        self._self_call = call
        self._self_state = state
        self._self_done = False

    def __iter__(self) -> Iterator[Any]:
        try:
            for item in self.__wrapped__:
                _observe(self, item)
                yield item
        except GeneratorExit:
            _end(self, None, incomplete=True)
            raise
        except BaseException as exc:
            _end(self, exc, incomplete=False)
            raise
        _end(self, None, incomplete=False)

    def __next__(self) -> Any:
        try:
            item = self.__wrapped__.__next__()
        except StopIteration:
            _end(self, None, incomplete=False)
            raise
        except BaseException as exc:
            _end(self, exc, incomplete=False)
            raise
        _observe(self, item)
        return item

    def __enter__(self) -> Any:
        self.__wrapped__.__enter__()
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> Any:
        try:
            return self.__wrapped__.__exit__(exc_type, exc, tb)
        finally:
            _end(self, None, incomplete=True)

    def close(self) -> None:
        try:
            self.__wrapped__.close()
        finally:
            _end(self, None, incomplete=True)

    def __del__(self) -> None:
        if not getattr(self, "_self_done", True):
            try:
                _end(self, None, incomplete=True)
            except Exception:  # pragma: no cover - never raise from a finalizer
                pass


class AsyncStream(wrapt.ObjectProxy):  # type: ignore[misc]
    """The SDK's async stream, observed: every item passes through unchanged."""

    def __init__(self, wrapped: Any, call: LLMCall, state: StreamState) -> None:
        super().__init__(wrapped)
        self._self_call = call
        self._self_state = state
        self._self_done = False

    def __aiter__(self) -> Any:
        return self._self_iterate()

    async def _self_iterate(self) -> Any:
        try:
            async for item in self.__wrapped__:
                _observe(self, item)
                yield item
        except GeneratorExit:
            _end(self, None, incomplete=True)
            raise
        except BaseException as exc:
            _end(self, exc, incomplete=False)
            raise
        _end(self, None, incomplete=False)

    async def __anext__(self) -> Any:
        try:
            item = await self.__wrapped__.__anext__()
        except StopAsyncIteration:
            _end(self, None, incomplete=False)
            raise
        except BaseException as exc:
            _end(self, exc, incomplete=False)
            raise
        _observe(self, item)
        return item

    async def __aenter__(self) -> Any:
        await self.__wrapped__.__aenter__()
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> Any:
        try:
            return await self.__wrapped__.__aexit__(exc_type, exc, tb)
        finally:
            _end(self, None, incomplete=True)

    async def close(self) -> None:
        try:
            await self.__wrapped__.close()
        finally:
            _end(self, None, incomplete=True)

    def __del__(self) -> None:
        if not getattr(self, "_self_done", True):
            try:
                _end(self, None, incomplete=True)
            except Exception:  # pragma: no cover - never raise from a finalizer
                pass


class RawStreamResponse(wrapt.ObjectProxy):  # type: ignore[misc]
    """The ``with_raw_response`` result of a streamed call: ``parse()`` hands back the SDK's
    stream observed, so the call ends when the stream is consumed or closed (not when the
    headers arrive). ``wrap`` turns a parsed stream into its observing proxy (None: not a stream)."""

    def __init__(self, wrapped: Any, call: LLMCall, wrap: Callable[[Any], Any]) -> None:
        super().__init__(wrapped)
        self._self_call = call
        self._self_wrap = wrap
        self._self_parsed: Any = None
        self._self_stream: Any = None

    def parse(self, *args: Any, **kwargs: Any) -> Any:
        return self._self_observed(self.__wrapped__.parse(*args, **kwargs))

    def _self_observed(self, parsed: Any) -> Any:
        if self._self_stream is not None and parsed is self._self_parsed:
            return self._self_stream  # the SDK caches its parse: so do we
        stream = None
        if not self._self_call._ended:
            try:
                stream = self._self_wrap(parsed)
            except Exception as exc:
                fail_safe("genai.raw_stream", exc)
        if stream is None:
            self._self_call.end()
            return parsed
        self._self_parsed, self._self_stream = parsed, stream
        return stream

    def __del__(self) -> None:
        call = getattr(self, "_self_call", None)
        if call is not None and self._self_stream is None and not call._ended:
            try:  # never parsed (the body read some other way, or not at all)
                call.incomplete = True
                call.end()
            except Exception:  # pragma: no cover - never raise from a finalizer
                pass


class AsyncRawStreamResponse(RawStreamResponse):
    """:class:`RawStreamResponse` for an SDK whose async raw response has ``async def parse``."""

    async def parse(self, *args: Any, **kwargs: Any) -> Any:
        return self._self_observed(await self.__wrapped__.parse(*args, **kwargs))


def raw_stream_response(result: Any, call: LLMCall, wrap: Callable[[Any], Any]) -> Any:
    """``result`` (a raw response of a streamed call) proxied so the call ends with its stream."""
    if inspect.iscoroutinefunction(getattr(type(result), "parse", None)):
        return AsyncRawStreamResponse(result, call, wrap)
    return RawStreamResponse(result, call, wrap)


# --- the call around a wrapped method --------------------------------------------------------


def run_sync(
    wrapped: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    call: LLMCall,
    on_result: Callable[[Any, LLMCall], Any],
) -> Any:
    """Call the SDK with ``call`` current; hand the result to ``on_result`` (which may wrap it)."""
    token = activate(call)
    try:
        result = wrapped(*args, **kwargs)
    except BaseException as exc:
        deactivate(token)
        call.end(exc)
        raise
    deactivate(token)
    try:
        return on_result(result, call)
    except Exception as exc:
        call.end(None)
        fail_safe("genai.result", exc)
        return result


async def run_async(
    wrapped: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    call: LLMCall,
    on_result: Callable[[Any, LLMCall], Any],
) -> Any:
    token = activate(call)
    try:
        result = await wrapped(*args, **kwargs)
    except BaseException as exc:
        deactivate(token)
        call.end(exc)
        raise
    deactivate(token)
    try:
        return on_result(result, call)
    except Exception as exc:
        call.end(None)
        fail_safe("genai.result", exc)
        return result


def given(value: Any) -> bool:
    """False for None and the SDKs' ``omit`` / ``NOT_GIVEN`` sentinels."""
    return value is not None and type(value).__name__ not in ("Omit", "NotGiven")


def server_of(client: Any) -> tuple[str | None, int | None]:
    """(server.address, server.port) of an SDK client's base URL; the port is the scheme's when
    the URL gives none (the conventions require server.port whenever server.address is set)."""
    url = getattr(client, "base_url", None) or getattr(client, "_base_url", None)
    if url is None:
        return None, None
    host = getattr(url, "host", None)
    port = getattr(url, "port", None) or _DEFAULT_PORTS.get(str(getattr(url, "scheme", "")))
    return (host or None), (port or None)


_DEFAULT_PORTS = {"https": 443, "http": 80}
