"""Generation monitor: synthetic-data and content generators — time, tokens, errors, evaluations.

    with agentel.generation.monitor("qa-synth") as mon:
        with mon.generation(conversation_length=len(messages)) as g:
            reply = client.chat.completions.create(model=MODEL, messages=messages)
            g.usage(reply.usage.prompt_tokens, reply.usage.completion_tokens)
        with mon.evaluation("coherence", judged=g) as ev:
            ev.score(0.82, label="pass")

Each generation is a ``generation`` span (the LLM call below it); its end records the duration,
the token counts, the conversation length and success/error (API errors separately, by type) as
metrics and a ``generation.completed`` event. Each evaluation is a timed ``evaluation <name>`` span
and a ``gen_ai.evaluation.result`` event attached to the judged generation's span (so the store's
``eval_checks`` rows point at the generation and, through it, at the LLM call).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from opentelemetry import trace as trace_api
from opentelemetry.trace import Span

from agentel.packs._base import emit_in, pack_span, record
from agentel.registry import REGISTRY, EventSpec, MetricSpec, metric

PACK = "generation"
_DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120)
_EVAL_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10)

EVENTS = (
    EventSpec(
        "generation.completed",
        "A generation finished: duration, token counts, conversation length, status.",
        "info",
        (
            "generation.generator",
            "generation.id",
            "generation.duration_s",
            "generation.prompt_tokens",
            "generation.completion_tokens",
            "generation.total_tokens",
            "generation.conversation_length",
            "generation.status",
            "error.type",
        ),
        pack=PACK,
    ),
    EventSpec(
        "generation.api_error",
        "A generation failed with an API error (rate limit, server error, timeout).",
        "error",
        ("generation.generator", "generation.id", "error.type", "error.code", "http.response.status_code"),
        pack=PACK,
    ),
)

METRICS = (
    MetricSpec(
        "generation.duration",
        "histogram",
        "s",
        "Wall time of a generation (the LLM call and whatever the generator does around it).",
        ("generation.generator", "generation.status"),
        _DURATION_BUCKETS,
        pack=PACK,
    ),
    MetricSpec(
        "generation.tokens",
        "histogram",
        "{token}",
        "Tokens per generation, by type (prompt, completion, total).",
        ("generation.generator", "generation.token_type"),
        (16, 64, 256, 1024, 4096, 16384, 65536),
        pack=PACK,
    ),
    MetricSpec(
        "generation.conversation.length",
        "histogram",
        "{message}",
        "Messages in the conversation sent for a generation.",
        ("generation.generator",),
        (1, 2, 4, 8, 16, 32, 64),
        pack=PACK,
    ),
    MetricSpec(
        "generation.requests",
        "counter",
        "{generation}",
        "Generations, by status (success, error).",
        ("generation.generator", "generation.status"),
        pack=PACK,
    ),
    MetricSpec(
        "generation.api_errors",
        "counter",
        "{error}",
        "Generations that failed with an API error, by error type.",
        ("generation.generator", "error.type"),
        pack=PACK,
    ),
    MetricSpec(
        "generation.evaluation.score",
        "histogram",
        "1",
        "Evaluation scores of generations, by evaluation name.",
        ("gen_ai.evaluation.name",),
        (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
        pack=PACK,
    ),
    MetricSpec(
        "generation.evaluation.duration",
        "histogram",
        "s",
        "Time an evaluation took, by evaluation name.",
        ("gen_ai.evaluation.name",),
        _EVAL_BUCKETS,
        pack=PACK,
    ),
)

for _spec in EVENTS:
    REGISTRY.register_event(_spec)
for _m in METRICS:
    REGISTRY.register_metric(_m)


def is_api_error(exc: BaseException) -> bool:
    """True for errors raised by an LLM API client (HTTP status, connection, timeout).

    Duck-typed so no SDK is imported: openai/anthropic ``APIError`` subclasses carry
    ``status_code`` or ``request``; timeouts and connection errors are recognised by type.
    """
    if getattr(exc, "status_code", None) is not None or getattr(exc, "request", None) is not None:
        return True
    return isinstance(exc, (TimeoutError, ConnectionError))


class GenerationRecord:
    """What ``mon.generation()`` yields: report usage; errors are recorded from the exception."""

    def __init__(self, monitor: Monitor, span: Span, conversation_length: int | None) -> None:
        self.monitor = monitor
        self.span = span
        self.id = uuid.uuid4().hex[:16]
        self.conversation_length = conversation_length
        self.prompt_tokens: int | None = None
        self.completion_tokens: int | None = None
        self.status = "success"
        self.error_type: str | None = None
        self.duration_s: float | None = None

    def usage(self, prompt_tokens: int | None = None, completion_tokens: int | None = None) -> None:
        """Token counts of this generation (e.g. from ``reply.usage``)."""
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens

    def fail(self, error_type: str) -> None:
        """Mark the generation failed without raising (e.g. an empty or unusable output)."""
        self.status = "error"
        self.error_type = error_type

    @property
    def total_tokens(self) -> int | None:
        if self.prompt_tokens is None and self.completion_tokens is None:
            return None
        return (self.prompt_tokens or 0) + (self.completion_tokens or 0)


class Evaluation:
    """What ``mon.evaluation(...)`` yields: record the score."""

    def __init__(self, name: str, span: Span, judged: Span | None) -> None:
        self.name = name
        self.span = span
        self.judged = judged
        self.value: float | None = None
        self.label: str | None = None
        self.explanation: str | None = None

    def score(self, value: float | None, label: str | None = None, explanation: str | None = None) -> None:
        """The evaluation's result (a number, and/or a label like pass/fail)."""
        self.value = None if value is None else float(value)
        self.label = label
        self.explanation = explanation


class Monitor:
    """A generator being monitored (what ``agentel.generation.monitor(...)`` yields)."""

    def __init__(self, generator: str, run_id: str | None) -> None:
        self.generator = generator
        self.run_id = run_id or f"gen-{uuid.uuid4().hex[:12]}"
        self.generations = 0
        self.errors = 0
        self.api_errors = 0
        self._lock = threading.Lock()  # generations may run in parallel threads

    @contextmanager
    def generation(self, *, conversation_length: int | None = None) -> Iterator[GenerationRecord]:
        """A ``generation`` span around one generation; an exception marks it failed and re-raises."""
        with pack_span(
            "generation",
            attrs={
                "generation.generator": self.generator,
                "generation.conversation_length": conversation_length,
            },
        ) as span:
            rec = GenerationRecord(self, span, conversation_length)
            t0 = time.perf_counter()
            try:
                yield rec
            except BaseException as exc:
                rec.status = "error"
                rec.error_type = type(exc).__qualname__
                with record("packs.generation.error"):
                    if is_api_error(exc):
                        self._api_error(rec, exc)
                raise
            finally:
                rec.duration_s = time.perf_counter() - t0
                with record("packs.generation.end"):
                    self._finish(rec)

    def _api_error(self, rec: GenerationRecord, exc: BaseException) -> None:
        with self._lock:
            self.api_errors += 1
        status = getattr(exc, "status_code", None)
        emit_in(
            rec.span,
            "generation.api_error",
            **{
                "generation.generator": self.generator,
                "generation.id": rec.id,
                "error.type": type(exc).__qualname__,
                "error.code": str(status) if status is not None else type(exc).__qualname__,
                "http.response.status_code": status if isinstance(status, int) else None,
            },
        )
        metric("generation.api_errors").add(
            1, {"generation.generator": self.generator, "error.type": type(exc).__qualname__}
        )

    def _finish(self, rec: GenerationRecord) -> None:
        with self._lock:
            self.generations += 1
            if rec.status != "success":
                self.errors += 1
        labels = {"generation.generator": self.generator}
        attrs: dict[str, Any] = {"generation.status": rec.status, "generation.id": rec.id}
        for key, value in (
            ("generation.prompt_tokens", rec.prompt_tokens),
            ("generation.completion_tokens", rec.completion_tokens),
            ("generation.total_tokens", rec.total_tokens),
        ):
            if value is not None:
                attrs[key] = value
        rec.span.set_attributes(attrs)
        emit_in(
            rec.span,
            "generation.completed",
            **{
                "generation.generator": self.generator,
                "generation.id": rec.id,
                "generation.duration_s": rec.duration_s,
                "generation.prompt_tokens": rec.prompt_tokens,
                "generation.completion_tokens": rec.completion_tokens,
                "generation.total_tokens": rec.total_tokens,
                "generation.conversation_length": rec.conversation_length,
                "generation.status": rec.status,
                "error.type": rec.error_type,
            },
        )
        metric("generation.duration").record(
            rec.duration_s or 0.0, {**labels, "generation.status": rec.status}
        )
        metric("generation.requests").add(1, {**labels, "generation.status": rec.status})
        for kind, value in (
            ("prompt", rec.prompt_tokens),
            ("completion", rec.completion_tokens),
            ("total", rec.total_tokens),
        ):
            if value is not None:
                metric("generation.tokens").record(value, {**labels, "generation.token_type": kind})
        if rec.conversation_length is not None:
            metric("generation.conversation.length").record(rec.conversation_length, labels)

    # -- reports (the generator's own API; the same code as `agentel metrics export` / `plots`) ---

    def export_metrics(
        self,
        path: str,
        format: str = "json",  # noqa: A002 - the old API's keyword
        window: timedelta | None = None,
    ) -> int:
        """Write the stored metric points of the last ``window`` (default: all) to ``path``:
        ``format`` json, csv, excel or parquet. This process's telemetry is flushed and loaded
        first. Returns the number of points written."""
        return int(_reports().export_metrics(path, format, window))

    def visualize_metrics(self, save_dir: str, window: timedelta | None = None) -> list[dict[str, Any]]:
        """Draw the charts of the last ``window`` (default: all) of this generator's run into
        ``save_dir`` (PNG); what was written or skipped."""
        return list(_reports().visualize_metrics(save_dir, window, run=self.run_id))

    @contextmanager
    def evaluation(self, name: str, *, judged: GenerationRecord | Span | None = None) -> Iterator[Evaluation]:
        """Time an evaluation (``evaluation <name>`` span) and record its score on the judged span."""
        with evaluation(name, judged=judged) as ev:
            yield ev


def _reports() -> Any:
    """agentel.analytics.monitor_reports, named at run time: reports sit above the packs in the
    layer contract (they open the store and draw charts), and are loaded only when asked for."""
    import importlib

    return importlib.import_module("agentel.analytics.monitor_reports")


@contextmanager
def evaluation(name: str, *, judged: GenerationRecord | Span | None = None) -> Iterator[Evaluation]:
    """Time an evaluation and emit ``gen_ai.evaluation.result`` in the judged span (default: current).

    The result carries ``agentel.evaluation.duration_s``; the score and the duration also go to
    the ``generation.evaluation.*`` histograms.
    """
    judged_span = judged.span if isinstance(judged, GenerationRecord) else judged
    if judged_span is None:  # the span being evaluated is the one current here, not ours below
        current = trace_api.get_current_span()
        judged_span = current if current.get_span_context().is_valid else None
    with pack_span(f"evaluation {name}", attrs={"gen_ai.evaluation.name": name}) as span:
        ev = Evaluation(name, span, judged_span)
        t0 = time.perf_counter()
        try:
            yield ev
        finally:
            took = time.perf_counter() - t0
            with record("packs.generation.evaluation"):
                if ev.value is not None:
                    span.set_attribute("gen_ai.evaluation.score.value", ev.value)
                if ev.label is not None:
                    span.set_attribute("gen_ai.evaluation.score.label", ev.label)
                if ev.value is not None or ev.label is not None:
                    emit_in(
                        judged_span,
                        "gen_ai.evaluation.result",
                        **{
                            "gen_ai.evaluation.name": name,
                            "gen_ai.evaluation.score.value": ev.value,
                            "gen_ai.evaluation.score.label": ev.label,
                            "gen_ai.evaluation.explanation": ev.explanation,
                            "agentel.evaluation.duration_s": took,
                        },
                    )
                labels = {"gen_ai.evaluation.name": name}
                metric("generation.evaluation.duration").record(took, labels)
                if ev.value is not None:
                    metric("generation.evaluation.score").record(ev.value, labels)


@contextmanager
def monitor(generator: str, *, run_id: str | None = None, task: str | None = None) -> Iterator[Monitor]:
    """A ``generation.session`` span for a generator's batch; ``run`` and ``task`` label the calls."""
    mon = Monitor(generator, run_id)
    with pack_span(
        "generation.session",
        {"run": mon.run_id, "task": task or generator},
        attrs={"generation.generator": generator, "generation.run_id": mon.run_id},
    ) as span:
        try:
            yield mon
        finally:
            with record("packs.generation.session"):
                span.set_attributes(
                    {
                        "generation.count": mon.generations,
                        "generation.errors": mon.errors,
                        "generation.api_errors": mon.api_errors,
                    }
                )


__all__ = ["Evaluation", "GenerationRecord", "Monitor", "evaluation", "is_api_error", "monitor"]
