"""What every pack helper shares: a span with correlation keys, events emitted in a given span.

Pack helpers are thin: spans come from :mod:`agentel.tracing`, labels from
:mod:`agentel.correlation`, events and instruments from :mod:`agentel.registry`. Nothing here
imports the store; the names emitted are the store's contract (docs/storage.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from typing import Any

from opentelemetry import trace as trace_api
from opentelemetry.trace import Span

from agentel import correlation, tracing
from agentel._internal import errors
from agentel.registry import event


@contextmanager
def pack_span(
    name: str, labels: Mapping[str, Any] | None = None, attrs: Mapping[str, Any] | None = None
) -> Iterator[Span]:
    """A span named ``name`` whose block (and every span/event in it) carries ``labels``.

    ``labels`` are correlation keys (``run``, ``task``, ``iteration``): the store's typed tables
    read them from LLM-call spans, so the calls made inside are attributed to the run.
    """
    with ExitStack() as stack:
        if labels:
            stack.enter_context(correlation.context(**{k: v for k, v in labels.items() if v is not None}))
        clean = {k: v for k, v in (attrs or {}).items() if v is not None}
        yield stack.enter_context(tracing.span(name, **clean))


def emit_in(span: Span | None, name: str, **attributes: Any) -> None:
    """Emit registered event ``name`` as if inside ``span`` (so its trace/span ids point at it).

    Pack events are often decided after the span they describe has ended (the arbiter picks a
    member's answer after the member's call is over); the record still belongs to that span.
    ``span=None`` emits in the current span. None values are left out. Never raises.
    """
    try:
        if span is None:
            event(name, **attributes)
            return
        with trace_api.use_span(
            span, end_on_exit=False, record_exception=False, set_status_on_exception=False
        ):
            event(name, **attributes)
    except Exception as exc:  # hot path: no context manager
        errors.record_internal_error(f"packs.event.{name}", exc)
        if errors.RAISE:
            raise


def as_json(value: Any) -> str | None:
    """A compact JSON string for structured values (config, metrics, details); None stays None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)


def record(site: str) -> Any:
    """``with record("packs.x"):`` — telemetry bookkeeping that never raises into the program."""
    return errors.handle_internal_errors(site)
