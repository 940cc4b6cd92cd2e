"""LLM consortium: several member models answer, an arbiter judges, iterate until confident.

    with agentel.consortium.run("Why is the sky blue?", members=MODELS, arbiter=ARBITER) as run:
        for _ in range(run.max_iterations):
            with run.iteration() as it:
                for model in run.members:
                    with it.member(model) as m:
                        reply = client.chat.completions.create(model=model, messages=...)
                        m.respond(confidence=0.7)
                with it.arbiter() as a:
                    verdict = client.chat.completions.create(model=run.arbiter, messages=...)
                    a.decide(chosen="gpt-4o-mini", confidence=0.9)
            if run.converged:
                break

Spans: ``consortium.run`` › ``consortium.iteration`` › ``consortium.member`` / ``consortium.arbiter``
› the LLM call (made by the instrumented SDK). The run id, the task and the iteration are
correlation keys, so each LLM call in ``llm_logs`` carries them. When the arbiter decides, one
``consortium.response`` event per answer is emitted *in that answer's span* (with ``chosen`` set)
— the store's ``consortium_responses`` view, joined to the LLM call below the span, gives the
leaderboard its confidence and win-rate columns.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from opentelemetry.trace import Span

from agentel.packs._base import emit_in, pack_span, record
from agentel.registry import REGISTRY, EventSpec, MetricSpec, metric

PACK = "consortium"
_CONFIDENCE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)

EVENTS = (
    EventSpec(
        "consortium.response",
        "One answer in a consortium iteration (a member's, or the arbiter's synthesis), emitted in its span.",
        "info",
        (
            "consortium.run_id",
            "consortium.iteration",
            "consortium.member",
            "consortium.confidence",
            "consortium.is_arbiter",
            "consortium.chosen",
        ),
        pack=PACK,
    ),
    EventSpec(
        "consortium.iteration",
        "A consortium iteration ended: the arbiter's confidence and whether it reached the threshold.",
        "info",
        (
            "consortium.run_id",
            "consortium.iteration",
            "consortium.confidence",
            "consortium.converged",
            "consortium.answered",
            "consortium.failed",
            "consortium.chosen_member",
        ),
        pack=PACK,
    ),
    EventSpec(
        "consortium.result",
        "A consortium run ended: iterations used, final confidence, converged or not.",
        "info",
        (
            "consortium.run_id",
            "consortium.iterations",
            "consortium.confidence",
            "consortium.converged",
            "consortium.chosen_member",
        ),
        pack=PACK,
    ),
)

METRICS = (
    MetricSpec(
        "consortium.confidence",
        "histogram",
        "1",
        "Confidence of consortium answers (members' own, the arbiter's in its synthesis).",
        ("consortium.role", "consortium.member"),
        _CONFIDENCE_BUCKETS,
        pack=PACK,
    ),
    MetricSpec(
        "consortium.iterations",
        "histogram",
        "{iteration}",
        "Iterations a consortium run needed.",
        ("consortium.converged",),
        (1, 2, 3, 4, 5, 6, 8, 10),
        pack=PACK,
    ),
    MetricSpec(
        "consortium.member.errors",
        "counter",
        "{error}",
        "Members that failed to answer in an iteration.",
        ("consortium.member", "error.type"),
        pack=PACK,
    ),
)

for _spec in EVENTS:
    REGISTRY.register_event(_spec)
for _m in METRICS:
    REGISTRY.register_metric(_m)


@dataclass
class Answer:
    """One recorded answer: who gave it, how confident, in which span."""

    member: str
    confidence: float | None
    span: Span | None
    is_arbiter: bool = False
    error: str | None = None


class Member:
    """What ``it.member(model)`` yields: report the answer's confidence (or let an error fail it)."""

    def __init__(self, iteration: Iteration, model: str, span: Span) -> None:
        self._iteration = iteration
        self.model = model
        self.span = span
        self.answer: Answer | None = None

    def respond(self, confidence: float | None = None) -> None:
        """The member answered; ``confidence`` is its own (0..1), when it gives one."""
        with record("packs.consortium.respond"):
            conf = _unit(confidence)
            self.answer = Answer(self.model, conf, self.span)
            if conf is not None:
                self.span.set_attribute("consortium.confidence", conf)
                metric("consortium.confidence").record(
                    conf, {"consortium.role": "member", "consortium.member": self.model}
                )


class Arbiter:
    """What ``it.arbiter()`` yields: record the decision."""

    def __init__(self, iteration: Iteration, model: str, span: Span) -> None:
        self._iteration = iteration
        self.model = model
        self.span = span

    def decide(self, confidence: float, chosen: str | None = None) -> None:
        """The arbiter's confidence in its synthesis, and the member it preferred (if it chose one)."""
        with record("packs.consortium.decide"):
            it = self._iteration
            it.confidence = conf = min(1.0, max(0.0, float(confidence)))
            it.chosen = chosen
            self.span.set_attribute("consortium.confidence", conf)
            if chosen:
                self.span.set_attribute("consortium.chosen_member", chosen)
            it.arbiter_answer = Answer(self.model, it.confidence, self.span, is_arbiter=True)
            metric("consortium.confidence").record(
                conf, {"consortium.role": "arbiter", "consortium.member": self.model}
            )


@dataclass
class Iteration:
    """One round: members answer, the arbiter decides."""

    run: ConsortiumRun
    number: int
    span: Span | None = None
    answers: list[Answer] = field(default_factory=list)
    arbiter_answer: Answer | None = None
    confidence: float | None = None
    chosen: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def member(self, model: str) -> Iterator[Member]:
        """A ``consortium.member`` span around one member's call (thread-safe: members may run in parallel)."""
        with pack_span(
            "consortium.member",
            attrs={
                "consortium.run_id": self.run.run_id,
                "consortium.iteration": self.number,
                "consortium.member": model,
            },
        ) as span:
            m = Member(self, model, span)
            try:
                yield m
            except BaseException as exc:
                with record("packs.consortium.member_error"), self._lock:
                    self.answers.append(Answer(model, None, span, error=type(exc).__qualname__))
                    metric("consortium.member.errors").add(
                        1, {"consortium.member": model, "error.type": type(exc).__qualname__}
                    )
                raise
            with self._lock:
                self.answers.append(m.answer or Answer(model, None, span))

    @contextmanager
    def arbiter(self, model: str | None = None) -> Iterator[Arbiter]:
        """A ``consortium.arbiter`` span around the arbiter's call."""
        model = model or self.run.arbiter
        with pack_span(
            "consortium.arbiter",
            attrs={
                "consortium.run_id": self.run.run_id,
                "consortium.iteration": self.number,
                "consortium.member": model,
            },
        ) as span:
            yield Arbiter(self, model, span)

    def _close(self) -> None:
        run = self.run
        answered = [a for a in self.answers if a.error is None]
        for a in answered:
            emit_in(
                a.span,
                "consortium.response",
                **{
                    "consortium.run_id": run.run_id,
                    "consortium.iteration": self.number,
                    "consortium.member": a.member,
                    "consortium.confidence": a.confidence,
                    "consortium.is_arbiter": False,
                    "consortium.chosen": self.chosen is not None and a.member == self.chosen,
                },
            )
        if self.arbiter_answer is not None:
            emit_in(
                self.arbiter_answer.span,
                "consortium.response",
                **{
                    "consortium.run_id": run.run_id,
                    "consortium.iteration": self.number,
                    "consortium.member": self.arbiter_answer.member,
                    "consortium.confidence": self.arbiter_answer.confidence,
                    "consortium.is_arbiter": True,
                    "consortium.chosen": False,
                },
            )
        converged = self.confidence is not None and self.confidence >= run.confidence_threshold
        emit_in(
            self.span,
            "consortium.iteration",
            **{
                "consortium.run_id": run.run_id,
                "consortium.iteration": self.number,
                "consortium.confidence": self.confidence,
                "consortium.converged": converged,
                "consortium.answered": len(answered),
                "consortium.failed": len(self.answers) - len(answered),
                "consortium.chosen_member": self.chosen,
            },
        )
        if self.span is not None:
            self.span.set_attributes(
                {"consortium.answered": len(answered), "consortium.failed": len(self.answers) - len(answered)}
            )
            if self.confidence is not None:
                self.span.set_attribute("consortium.confidence", self.confidence)
        run.confidence = self.confidence if self.confidence is not None else run.confidence
        run.chosen = self.chosen or run.chosen
        run.converged = converged


class ConsortiumRun:
    """A consortium run in progress (what ``agentel.consortium.run(...)`` yields)."""

    def __init__(
        self,
        prompt: str | None,
        members: Sequence[str],
        arbiter: str,
        *,
        run_id: str | None,
        task: str | None,
        max_iterations: int,
        confidence_threshold: float,
    ) -> None:
        if not members:
            raise ValueError("consortium.run: members must name at least one model")
        if max_iterations < 1:
            raise ValueError(f"consortium.run: max_iterations must be >= 1, got {max_iterations}")
        self.prompt = prompt
        self.members = list(members)
        self.arbiter = arbiter
        self.run_id = run_id or f"consortium-{uuid.uuid4().hex[:12]}"
        self.task = task
        self.max_iterations = max_iterations
        self.confidence_threshold = confidence_threshold
        self.iterations_done = 0
        self.confidence: float | None = None
        self.chosen: str | None = None
        self.converged = False
        self.span: Span | None = None
        self.started = time.perf_counter()

    @property
    def trace_id(self) -> str | None:
        """The run's trace id (32 hex digits; what `agentel run-info` takes), None outside a trace."""
        ctx = self.span.get_span_context() if self.span is not None else None
        if ctx is None or not ctx.is_valid:
            return None
        return format(ctx.trace_id, "032x")

    @contextmanager
    def iteration(self) -> Iterator[Iteration]:
        """The next iteration (a ``consortium.iteration`` span; ``iteration`` is a correlation key)."""
        number = self.iterations_done + 1
        it = Iteration(self, number)
        with pack_span(
            "consortium.iteration",
            {"iteration": number},
            attrs={"consortium.run_id": self.run_id, "consortium.iteration": number},
        ) as span:
            it.span = span
            try:
                yield it
            finally:
                self.iterations_done = number
                with record("packs.consortium.iteration"):
                    it._close()


@contextmanager
def run(
    prompt: str | None = None,
    *,
    members: Sequence[str],
    arbiter: str,
    run_id: str | None = None,
    task: str | None = None,
    max_iterations: int = 3,
    confidence_threshold: float = 0.8,
) -> Iterator[ConsortiumRun]:
    """A ``consortium.run`` span; ``run`` (the run id) and ``task`` label every call inside.

    The prompt itself is not recorded here (it is content: the LLM spans carry it when
    ``AGENTEL_CAPTURE_CONTENT`` allows); only its length is.
    """
    c = ConsortiumRun(
        prompt,
        members,
        arbiter,
        run_id=run_id,
        task=task,
        max_iterations=max_iterations,
        confidence_threshold=confidence_threshold,
    )
    with pack_span(
        "consortium.run",
        {"run": c.run_id, "task": task},
        attrs={
            "consortium.run_id": c.run_id,
            "consortium.members": list(c.members),
            "consortium.arbiter": arbiter,
            "consortium.max_iterations": max_iterations,
            "consortium.confidence_threshold": confidence_threshold,
            "consortium.prompt_chars": len(prompt) if prompt is not None else None,
        },
    ) as span:
        c.span = span
        try:
            yield c
        finally:
            with record("packs.consortium.result"):
                span.set_attributes(
                    {"consortium.iterations": c.iterations_done, "consortium.converged": c.converged}
                )
                if c.confidence is not None:
                    span.set_attribute("consortium.confidence", c.confidence)
                if c.chosen:
                    span.set_attribute("consortium.chosen_member", c.chosen)
                emit_in(
                    span,
                    "consortium.result",
                    **{
                        "consortium.run_id": c.run_id,
                        "consortium.iterations": c.iterations_done,
                        "consortium.confidence": c.confidence,
                        "consortium.converged": c.converged,
                        "consortium.chosen_member": c.chosen,
                    },
                )
                metric("consortium.iterations").record(
                    c.iterations_done, {"consortium.converged": c.converged}
                )


def _unit(value: float | None) -> float | None:
    """A confidence clamped to [0, 1] (models sometimes say 1.2 or -0.1)."""
    if value is None:
        return None
    return min(1.0, max(0.0, float(value)))


__all__ = ["Arbiter", "ConsortiumRun", "Iteration", "Member", "run"]
