"""Correlation contexts: keys like run, iteration, request, model that label everything inside.

``with agentel.context(run="r1", iteration=2):`` puts the keys in the OTel context twice: typed,
under a private context key (what local spans and log records get as attributes), and as W3C
baggage entries ``agentel.ctx.<key>`` (what crosses process boundaries with traceparent). On
the far side of a process boundary the baggage entries are read back (as strings).
"""

from __future__ import annotations

import contextvars
import functools
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from opentelemetry import baggage
from opentelemetry import context as otel_context
from opentelemetry.context import Context

BAGGAGE_PREFIX = "agentel.ctx."
_KEY = otel_context.create_key("agentel.correlation")
_Scalar = str | bool | int | float


def _coerce(value: Any) -> _Scalar:
    if isinstance(value, (str, bool, int, float)):
        return value
    return str(value)


@contextmanager
def context(**keys: Any) -> Iterator[Mapping[str, _Scalar]]:
    """Label every span, log record and event made inside with ``keys`` (nests; inner wins)."""
    current = current_keys()
    merged = {**current, **{k: _coerce(v) for k, v in keys.items() if v is not None}}
    ctx = otel_context.set_value(_KEY, merged)
    for k, v in merged.items():
        ctx = baggage.set_baggage(BAGGAGE_PREFIX + k, str(v), context=ctx)
    token = otel_context.attach(ctx)
    try:
        yield merged
    finally:
        otel_context.detach(token)


def current_keys(ctx: Context | None = None) -> Mapping[str, _Scalar]:
    """The correlation keys in force (typed locally, strings when they came over the wire)."""
    local = otel_context.get_value(_KEY, ctx)
    if local is not None:
        return local  # type: ignore[return-value]
    entries = baggage.get_all(ctx)
    if not entries:
        return {}
    return {k[len(BAGGAGE_PREFIX) :]: str(v) for k, v in entries.items() if k.startswith(BAGGAGE_PREFIX)}


# --- carrying the context into threads -------------------------------------------------------

_patched = False
_orig_start = threading.Thread.start
_orig_run = threading.Thread.run
_orig_submit = ThreadPoolExecutor.submit


def _start(self: threading.Thread) -> None:
    self._agentel_ctx = contextvars.copy_context()  # type: ignore[attr-defined]
    _orig_start(self)


def _run(self: threading.Thread) -> None:
    ctx = getattr(self, "_agentel_ctx", None)
    if ctx is None:
        _orig_run(self)
    else:
        ctx.run(_orig_run, self)


def _submit(self: ThreadPoolExecutor, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    ctx = contextvars.copy_context()
    return _orig_submit(self, functools.partial(ctx.run, fn), *args, **kwargs)


def propagate_into_threads(enable: bool = True) -> bool:
    """Make new threads and thread-pool tasks start in their creator's context (idempotent);
    ``enable=False`` puts the original methods back. True when this call changed anything."""
    global _patched
    if enable and not _patched:
        threading.Thread.start = _start  # type: ignore[method-assign]
        threading.Thread.run = _run  # type: ignore[method-assign]
        ThreadPoolExecutor.submit = _submit  # type: ignore[method-assign,assignment]
        _patched = True
        return True
    if not enable and _patched:
        threading.Thread.start = _orig_start  # type: ignore[method-assign]
        threading.Thread.run = _orig_run  # type: ignore[method-assign]
        ThreadPoolExecutor.submit = _orig_submit  # type: ignore[method-assign,assignment]
        _patched = False
        return True
    return False
