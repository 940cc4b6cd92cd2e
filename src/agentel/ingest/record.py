"""An :class:`Interaction` → the telemetry a live call makes: a GenAI span, its cost, its checks.

The span carries the call's own start and end times (an ingested log is history), the GenAI
attributes ``agentel.llm_call`` writes (names from :mod:`agentel.genai.semconv`) and the cost at
the call's date. Message content goes on the span only when content capture is on, like a live
call; the checks read the content before that decision, so they run either way. Live-call
metrics (duration and token histograms) are not recorded: they would be stamped *now*.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace as trace_api
from opentelemetry.trace import SpanKind, Status, StatusCode

from agentel.evals.emit import emit_result
from agentel.evals.model import Call, CheckResult
from agentel.evals.run import evaluate
from agentel.genai import content
from agentel.genai import semconv as sc
from agentel.genai.call import emit_inference_event, estimate_tokens, genai_attributes
from agentel.ingest.formats import Interaction

SCOPE = "agentel.ingest"


@dataclass(frozen=True)
class Recorded:
    """What recording one interaction produced."""

    trace_id: int
    span_id: int
    results: tuple[CheckResult, ...] = ()


def to_call(it: Interaction) -> Call:
    """The interaction as checks see it."""
    return Call.from_messages(
        it.input_messages,
        it.output_messages if it.output_messages or not it.error_type else None,
        it.system,
        model=it.response_model or it.model,
        provider=it.provider,
        input_tokens=it.input_tokens,
        output_tokens=it.output_tokens,
        latency_s=it.duration_s,
        error_type=it.error_type,
        finish_reasons=tuple(it.finish_reasons),
        reference_answer=it.reference_answer,
        expects_json=it.expects_json,
    )


def _estimate(it: Interaction) -> None:
    """Token counts from the text when the log reported none (flagged ``agentel.usage.estimated``).

    A failed call gets none: its usage is unknown, so is its cost (docs/cost.md)."""
    if it.input_tokens is not None or it.output_tokens is not None or it.error_type:
        return
    chars_in = len(content.to_json(it.input_messages)) + len(content.to_json(it.system or []))
    chars_out = len(content.to_json(it.output_messages)) if it.output_messages else 0
    if chars_in or chars_out:
        it.input_tokens = estimate_tokens(chars_in)
        it.output_tokens = estimate_tokens(chars_out)
        it.usage_estimated = True


def span_attributes(it: Interaction, capture: bool) -> dict[str, Any]:
    """The GenAI span attributes of the interaction (cost included), built by the same function
    as a live call's (:func:`agentel.genai.call.genai_attributes`)."""
    attrs: dict[str, Any] = {
        sc.OPERATION_NAME: it.operation,
        sc.PROVIDER_NAME: it.provider,
        sc.REQUEST_MODEL: it.model,
    }
    for key, value in it.request_params.items():
        attrs[sc.request_attribute(key)] = value
    attrs.update(it.request_attributes)
    when = datetime.fromtimestamp(it.start_ns / 1e9, timezone.utc)
    genai_attributes(it, capture, attrs, when=when, price=it.cost_usd is None)
    if it.cost_usd is not None:  # the log's own figure: no input/output split to report
        attrs[sc.COST_TOTAL_USD] = it.cost_usd
        attrs[sc.COST_SOURCE] = "reported"
    attrs.update(it.attributes)
    return attrs


def record_interaction(
    it: Interaction,
    *,
    checks: Iterable[str] | None = None,
    run_checks: bool = True,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    parent: otel_context.Context | None = None,
    extra_attributes: Mapping[str, Any] | None = None,
) -> Recorded:
    """Record ``it`` as a span (a new trace unless ``parent``), then its checks' results on it."""
    _estimate(it)
    capture, capture_event = content.capture_mode()
    attrs = span_attributes(it, capture)
    if extra_attributes:
        attrs.update(extra_attributes)
    duration_ns = int((it.duration_s or 0.0) * 1e9)
    tracer = trace_api.get_tracer(SCOPE)
    span = tracer.start_span(
        f"{it.operation} {it.model}",
        context=parent if parent is not None else otel_context.Context(),
        kind=SpanKind.CLIENT,
        attributes=attrs,
        start_time=it.start_ns,
    )
    if it.error_type:
        span.set_status(Status(StatusCode.ERROR, f"{it.error_type}: {it.error_message or ''}"[:1024]))
    end_ns = it.start_ns + duration_ns
    span.end(end_time=end_ns)
    if capture_event:  # the content event a live call makes, at the call's end
        emit_inference_event(it, attrs, trace_api.set_span_in_context(span), scope=SCOPE, timestamp=end_ns)
    ctx = span.get_span_context()
    results: tuple[CheckResult, ...] = ()
    if run_checks:
        outcome = evaluate(to_call(it), checks, params)
        results = tuple(outcome.results)
        for result in results:
            emit_result(result, trace_id=ctx.trace_id, span_id=ctx.span_id, timestamp_ns=end_ns + 1_000_000)
    return Recorded(ctx.trace_id, ctx.span_id, results)


__all__ = ["Recorded", "record_interaction", "span_attributes", "to_call"]
