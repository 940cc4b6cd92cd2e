"""Agents and tools as GenAI spans: ``with agentel.agent("planner"):`` and ``@agentel.tool``.

The GenAI agent conventions: ``invoke_agent {name}`` spans (``gen_ai.operation.name`` =
``invoke_agent``, ``gen_ai.agent.name``/``.id``/``.description``, ``gen_ai.conversation.id``) and
``execute_tool {name}`` spans (``execute_tool``, ``gen_ai.tool.name``/``.description``/``.type``,
``gen_ai.tool.call.id``). LLM calls made inside are their children. Neither span is an LLM call:
the store keeps them in the trace, not in ``llm_calls``. Tool arguments and results are content
and are not recorded here.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, overload

from opentelemetry import trace as trace_api
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from agentel.genai import semconv as sc
from agentel.genai.call import _VERSION, SCOPE

F = TypeVar("F", bound=Callable[..., Any])


def _tracer() -> trace_api.Tracer:
    return trace_api.get_tracer(SCOPE, _VERSION)


def _fail(span: Span, exc: BaseException) -> None:
    span.set_attribute(sc.ERROR_TYPE, type(exc).__qualname__)
    span.record_exception(exc)
    span.set_status(Status(StatusCode.ERROR, str(exc)[:200]))


@contextmanager
def agent(
    name: str,
    *,
    id: str | None = None,  # noqa: A002 - the convention's name
    description: str | None = None,
    conversation_id: str | None = None,
    provider: str | None = None,
) -> Iterator[Span]:
    """An ``invoke_agent {name}`` span around the block; the LLM calls and tools inside are its children."""
    attrs: dict[str, Any] = {sc.OPERATION_NAME: sc.OP_INVOKE_AGENT, sc.AGENT_NAME: name}
    for key, value in (
        (sc.AGENT_ID, id),
        (sc.AGENT_DESCRIPTION, description),
        (sc.CONVERSATION_ID, conversation_id),
        (sc.PROVIDER_NAME, provider),
    ):
        if value is not None:
            attrs[key] = value
    with _tracer().start_as_current_span(
        f"invoke_agent {name}",
        kind=SpanKind.INTERNAL,
        attributes=attrs,
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield span
        except BaseException as exc:
            _fail(span, exc)
            raise


def _tool_attrs(name: str, description: str | None) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        sc.OPERATION_NAME: sc.OP_EXECUTE_TOOL,
        sc.TOOL_NAME: name,
        sc.TOOL_TYPE: "function",
    }
    if description:
        attrs[sc.TOOL_DESCRIPTION] = description
    return attrs


@overload
def tool(fn: F, /) -> F: ...
@overload
def tool(*, name: str | None = None, description: str | None = None) -> Callable[[F], F]: ...


def tool(
    fn: Callable[..., Any] | None = None, /, *, name: str | None = None, description: str | None = None
) -> Any:
    """Record each call of the function as an ``execute_tool {name}`` span (sync or async).

    ``name`` defaults to the function's name, ``description`` to the first line of its docstring.
    A ``tool_call_id=`` keyword argument, when the function takes one, becomes ``gen_ai.tool.call.id``.
    """

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        tool_name = name or f.__name__
        doc = description if description is not None else (inspect.getdoc(f) or "").split("\n", 1)[0]
        attrs = _tool_attrs(tool_name, doc or None)

        def start(kwargs: dict[str, Any]) -> Any:
            a = dict(attrs)
            call_id = kwargs.get("tool_call_id")
            if isinstance(call_id, str):
                a[sc.TOOL_CALL_ID] = call_id
            return _tracer().start_as_current_span(
                f"execute_tool {tool_name}",
                kind=SpanKind.INTERNAL,
                attributes=a,
                record_exception=False,
                set_status_on_exception=False,
            )

        if inspect.iscoroutinefunction(f):

            @functools.wraps(f)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with start(kwargs) as span:
                    try:
                        return await f(*args, **kwargs)
                    except BaseException as exc:
                        _fail(span, exc)
                        raise

            return async_wrapper

        @functools.wraps(f)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with start(kwargs) as span:
                try:
                    return f(*args, **kwargs)
                except BaseException as exc:
                    _fail(span, exc)
                    raise

        return wrapper

    return decorate(fn) if fn is not None else decorate
