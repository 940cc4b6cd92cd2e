"""Emitting evaluation results and feedback as OTel log records linked to the judged span.

The record's TraceId/SpanId are the judged call's, set through an explicit context, so a result
decided long after the call (by ``agentel evals run``, by ingest, by a person) still points at it.
Timestamps may be given (ingest and ``agentel fake`` record the past).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace as trace_api
from opentelemetry._logs import SeverityNumber, get_logger
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from agentel._internal import errors
from agentel._internal.errors import record_internal_error
from agentel._internal.totals import ObservableTotals
from agentel.evals.model import CheckResult, EvalError
from agentel.evals.names import EVALUATION_RESULTS
from agentel.registry import REGISTRY, SEVERITIES, EventSpec

EVALUATION_EVENT = "gen_ai.evaluation.result"
FEEDBACK_EVENT = "agentel.feedback"
SCOPE = "agentel.evals"

_HEX = re.compile(r"^(?:0x)?[0-9a-fA-F]+$")


def trace_id_int(value: Any, name: str = "trace_id") -> int:
    """A trace id (32 hex digits, or an int) as an int; :class:`EvalError` names a bad one."""
    return _id_int(value, name, 32)


def span_id_int(value: Any, name: str = "span_id") -> int:
    """A span id (16 hex digits, or an int) as an int."""
    return _id_int(value, name, 16)


def _id_int(value: Any, name: str, digits: int) -> int:
    if isinstance(value, bool):
        raise EvalError(f"{name}: expected {digits} hex digits, got {value!r}")
    text = value.strip().lower().removeprefix("0x") if isinstance(value, str) else None
    if isinstance(value, int):
        out = value
    elif text is not None and len(text) == digits and _HEX.match(text):
        out = int(text, 16)
    else:
        hint = (
            " (that looks like a span id: pass it as span_id=, with the trace id)"
            if name == "trace_id" and text is not None and len(text) == 16
            else ""
        )
        raise EvalError(f"{name}: expected {digits} hex digits, got {value!r}{hint}")
    if not 0 < out < 1 << (4 * digits):
        raise EvalError(f"{name}: {value!r} is not a valid id (zero or too large)")
    return out


@contextmanager
def guarded(site: str) -> Iterator[None]:
    """Emission never raises into the application — except a strict-redaction refusal with
    ``AGENTEL_REDACTION_STRICT_ACTION=raise``, which exists to reach the caller."""
    try:
        yield
    except Exception as exc:
        from agentel.redaction.processors import StrictRedactionError

        if isinstance(exc, StrictRedactionError):
            raise
        record_internal_error(site, exc)
        if errors.RAISE:
            raise


def hex_trace(value: int) -> str:
    return format(value, "032x")


def hex_span(value: int) -> str:
    return format(value, "016x")


def link_context(trace_id: int | None, span_id: int | None) -> otel_context.Context:
    """The current context with the judged span (ids only) as the current span.

    Baggage and correlation keys in force are kept; without ids the current span is used.
    """
    if not trace_id:
        return otel_context.get_current()
    sc = SpanContext(trace_id, span_id or 0, is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED))
    return trace_api.set_span_in_context(NonRecordingSpan(sc))


def emit_linked(
    name: str,
    attributes: Mapping[str, Any],
    *,
    trace_id: int | None,
    span_id: int | None,
    timestamp_ns: int | None = None,
    body: Any = None,
    severity: str | None = None,
) -> None:
    """Emit registered event ``name`` linked to (trace_id, span_id), at ``timestamp_ns`` if given."""
    spec, emit = REGISTRY.should_emit(name)
    if not emit:
        return
    sev = severity or (spec.severity if isinstance(spec, EventSpec) else "info")
    attrs = {k: v for k, v in attributes.items() if v is not None}
    get_logger(SCOPE).emit(
        timestamp=timestamp_ns,
        context=link_context(trace_id, span_id),
        event_name=name,
        severity_number=SEVERITIES.get(sev, SeverityNumber.INFO),
        severity_text=sev.upper(),
        body=body,
        attributes=attrs,
    )


def result_attributes(result: CheckResult) -> dict[str, Any]:
    return {
        "gen_ai.evaluation.name": result.name,
        "gen_ai.evaluation.score.value": result.score,
        "gen_ai.evaluation.score.label": result.label,
        "gen_ai.evaluation.explanation": result.explanation or None,
    }


def emit_result(
    result: CheckResult,
    *,
    trace_id: int | str | None = None,
    span_id: int | str | None = None,
    timestamp_ns: int | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> None:
    """Emit ``gen_ai.evaluation.result`` for ``result`` on the judged span (default: the current one)."""
    tid = trace_id_int(trace_id) if trace_id not in (None, "", 0) else None
    sid = span_id_int(span_id) if span_id not in (None, "", 0) else None
    attrs = result_attributes(result)
    if attributes:
        attrs.update(attributes)
    emit_linked(EVALUATION_EVENT, attrs, trace_id=tid, span_id=sid, timestamp_ns=timestamp_ns)
    _results.add((result.name, result.label or ""))


def _result_attributes(key: tuple[str, str]) -> dict[str, str]:
    return {"gen_ai.evaluation.name": key[0], "gen_ai.evaluation.score.label": key[1]}


# ``agentel.evaluation.results``: ingest records several results per call, and a synchronous
# counter's ``add`` would cost a third of emitting one.
_results = ObservableTotals(lambda: REGISTRY.metrics[EVALUATION_RESULTS], _result_attributes)


__all__ = [
    "EVALUATION_EVENT",
    "FEEDBACK_EVENT",
    "emit_linked",
    "emit_result",
    "hex_span",
    "hex_trace",
    "link_context",
    "result_attributes",
    "span_id_int",
    "trace_id_int",
]
