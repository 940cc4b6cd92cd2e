"""``@agentel.trace`` and ``agentel.span``: spans for the application's own work.

Exceptions are recorded on the span, its status set to ERROR with ``error.type``, and re-raised
unchanged. Generators get one span covering the whole iteration (closed early if the consumer
stops early).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, overload

from opentelemetry import context as otel_context
from opentelemetry import trace as trace_api
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from agentel._internal.errors import safe_attributes

F = TypeVar("F", bound=Callable[..., Any])
_SCOPE = "agentel"


def tracer() -> trace_api.Tracer:
    """agentel's tracer (through the global provider, so it follows re-configuration)."""
    return trace_api.get_tracer(_SCOPE)


def _fail(span: Span, exc: BaseException) -> None:
    if span.is_recording():
        span.record_exception(exc)
        span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))
        span.set_attribute("error.type", type(exc).__qualname__)


@contextmanager
def span(name: str, *, kind: SpanKind = SpanKind.INTERNAL, **attributes: Any) -> Iterator[Span]:
    """``with agentel.span("step", i=3) as s:`` — a span around a block."""
    if attributes:
        attributes = safe_attributes(attributes)  # an object whose __str__ raises never reaches the app
    with tracer().start_as_current_span(
        name, kind=kind, attributes=attributes or None, record_exception=False, set_status_on_exception=False
    ) as s:
        try:
            yield s
        except BaseException as exc:
            if not isinstance(exc, GeneratorExit):
                _fail(s, exc)
            raise


@overload
def trace(fn: F, /) -> F: ...
@overload
def trace(
    *, name: str | None = None, kind: SpanKind = SpanKind.INTERNAL, attributes: dict[str, Any] | None = None
) -> Callable[[F], F]: ...


def trace(
    fn: F | None = None,
    /,
    *,
    name: str | None = None,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: dict[str, Any] | None = None,
) -> Any:
    """Decorate a function (sync, async, generator or async generator) to run inside a span."""

    def deco(func: F) -> F:
        span_name = name or func.__qualname__
        attrs = {
            "code.function.name": func.__qualname__,
            "code.namespace": func.__module__,
            **(attributes or {}),
        }

        if inspect.isasyncgenfunction(func):

            @functools.wraps(func)
            async def agen_wrapper(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
                s = tracer().start_span(span_name, kind=kind, attributes=attrs)
                ctx = trace_api.set_span_in_context(s)
                gen = func(*args, **kwargs)
                try:
                    sent: Any = None
                    thrown: BaseException | None = None
                    while True:
                        token = otel_context.attach(ctx)
                        try:
                            item = await (gen.athrow(thrown) if thrown is not None else gen.asend(sent))
                        except StopAsyncIteration:
                            return
                        finally:
                            otel_context.detach(token)
                        sent, thrown = None, None
                        try:
                            sent = yield item
                        except GeneratorExit:
                            await gen.aclose()
                            raise
                        except BaseException as exc:
                            thrown = exc
                except BaseException as exc:
                    if not isinstance(exc, GeneratorExit):
                        _fail(s, exc)
                    raise
                finally:
                    s.end()

            return agen_wrapper  # type: ignore[return-value]

        if inspect.isgeneratorfunction(func):

            @functools.wraps(func)
            def gen_wrapper(*args: Any, **kwargs: Any) -> Iterator[Any]:
                # The span is made current only while the generator's own code runs, never
                # across a yield: the consumer's context stays the consumer's.
                s = tracer().start_span(span_name, kind=kind, attributes=attrs)
                ctx = trace_api.set_span_in_context(s)
                gen = func(*args, **kwargs)
                try:
                    sent: Any = None
                    thrown: BaseException | None = None
                    while True:
                        token = otel_context.attach(ctx)
                        try:
                            item = gen.throw(thrown) if thrown is not None else gen.send(sent)
                        except StopIteration as stop:
                            return stop.value
                        finally:
                            otel_context.detach(token)
                        sent, thrown = None, None
                        try:
                            sent = yield item
                        except GeneratorExit:
                            gen.close()
                            raise
                        except BaseException as exc:
                            thrown = exc
                except BaseException as exc:
                    if not isinstance(exc, GeneratorExit):
                        _fail(s, exc)
                    raise
                finally:
                    s.end()

            return gen_wrapper  # type: ignore[return-value]

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with span(span_name, kind=kind, **attrs):
                    return await func(*args, **kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with span(span_name, kind=kind, **attrs):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    if fn is not None:
        return deco(fn)
    return deco
