"""The in-process span feed: a consumer the SDK installs behind enrichment, that others subscribe to.

``configure()`` puts :class:`SpanFeed` in the pipeline it builds (after the enriching processor,
in front of the redacting door; it exports nothing, so nothing leaves the process through it).
In-process consumers — the alert monitor — call :func:`subscribe` instead of adding processors to
a provider: the pipeline stays built in one place and the subscription survives re-configures.
Consumers run on the application's thread at span end: they must only enqueue.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor

from agentel._internal import errors

Consumer = Callable[[ReadableSpan], None]

_lock = threading.Lock()
_consumers: tuple[Consumer, ...] = ()


def subscribe(consumer: Consumer) -> Callable[[], None]:
    """Hand every ended span to ``consumer`` (cheap, non-blocking); returns the unsubscribe function."""
    global _consumers
    with _lock:
        _consumers = (*_consumers, consumer)

    def unsubscribe() -> None:
        global _consumers
        with _lock:
            _consumers = tuple(c for c in _consumers if c is not consumer)

    return unsubscribe


def consumers() -> tuple[Consumer, ...]:
    return _consumers


class SpanFeed(SpanProcessor):
    """Hands each ended span to the subscribed consumers; a consumer's failure stays internal."""

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        pass

    def on_end(self, span: ReadableSpan) -> None:
        for consumer in _consumers:  # a tuple: read once, no lock on the hot path
            try:
                consumer(span)
            except Exception as exc:  # never into the application
                errors.record_internal_error("feed.span", exc)
                if errors.RAISE:
                    raise

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True
