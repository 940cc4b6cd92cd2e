"""Human feedback on a call or a trace: ``agentel.feedback(...)`` → an ``agentel.feedback`` event.

    agentel.feedback(trace_id, good=False, comment="wrong year", reference_answer="1969")
    with agentel.llm_call(provider="openai", model="gpt-4o-mini") as call:
        ...
    agentel.feedback(call, good=True)          # the call's own span
    agentel.feedback(good=True)                # the span current here

The record carries the judged trace's TraceId (and SpanId when a span is named), so the store's
``feedback`` view joins it to the call, and leaderboards show the good-feedback rate per model.
Comment and reference answer pass the redaction policy like every other value.
"""

from __future__ import annotations

from typing import Any

from opentelemetry import trace as trace_api
from opentelemetry.trace import Span, SpanContext

from agentel.evals.emit import FEEDBACK_EVENT, emit_linked, guarded, span_id_int, trace_id_int
from agentel.evals.model import EvalError
from agentel.evals.names import FEEDBACK_RECEIVED
from agentel.registry import metric


def _target_ids(target: Any, span_id: Any) -> tuple[int, int | None]:
    """(trace id, span id or None) for what the caller named."""
    if target is None:
        ctx = trace_api.get_current_span().get_span_context()
        if not ctx.is_valid:
            raise EvalError(
                "feedback(): no trace given and no span is current; pass the trace id "
                "(and span_id=) of the call being judged"
            )
        return ctx.trace_id, span_id_int(span_id) if span_id is not None else ctx.span_id
    if hasattr(target, "span") and hasattr(target, "request_model"):  # an agentel.llm_call record
        target = target.span
    if isinstance(target, Span):
        target = target.get_span_context()
    if isinstance(target, SpanContext):
        if not target.is_valid:
            raise EvalError("feedback(): the span given has no valid context (it was not sampled)")
        return target.trace_id, span_id_int(span_id) if span_id is not None else target.span_id
    return trace_id_int(target), span_id_int(span_id) if span_id is not None else None


def feedback(
    trace_id: Any = None,
    span_id: Any = None,
    *,
    good: bool | None = None,
    comment: str | None = None,
    reference_answer: str | None = None,
    timestamp_ns: int | None = None,
) -> None:
    """Record feedback on a trace (and span): good/bad, a comment, the answer that was expected.

    ``trace_id`` is a trace id (32 hex digits or an int), a span, a span context, or an
    ``agentel.llm_call`` record; None means the span current here. Bad ids and empty feedback
    raise :class:`~agentel.evals.EvalError`: they are the caller's mistake, found at once.
    """
    if good is None and not comment and not reference_answer:
        raise EvalError("feedback(): give good=True/False, a comment or a reference_answer")
    if good is not None and not isinstance(good, bool):
        raise EvalError(f"feedback(): good must be True, False or None, got {good!r}")
    tid, sid = _target_ids(trace_id, span_id)
    with guarded("evals.feedback.emit"):
        _emit(tid, sid, good, comment, reference_answer, timestamp_ns)


def _emit(
    tid: int, sid: int | None, good: bool | None, comment: str | None, reference: str | None, ts: int | None
) -> None:
    emit_linked(
        FEEDBACK_EVENT,
        {
            "agentel.feedback.good": good,
            "agentel.feedback.comment": comment or None,
            "agentel.feedback.reference_answer": reference or None,
        },
        trace_id=tid,
        span_id=sid,
        timestamp_ns=ts,
    )
    metric(FEEDBACK_RECEIVED).add(1, {"agentel.feedback.good": "none" if good is None else str(good).lower()})


__all__ = ["feedback"]
