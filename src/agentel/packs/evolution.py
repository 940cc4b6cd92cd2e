"""Evolutionary (LLM-driven) code search: runs, generations, individuals, lineage, agent actions.

    with agentel.evolution.run("sort", config={"population": 6}) as evo:
        for _ in range(generations):
            with evo.generation() as gen:
                for parent in parents:
                    with gen.candidate(parents=[parent.id], mutation_type="mutate") as cand:
                        code = ask_llm_to_mutate(parent.code)      # instrumented LLM call
                        cand.result(code=code, fitness=evaluate(code), metrics={"runtime_ms": 3.1})
        evo.action("select", agent="selector", details={"kept": 3})

Spans: ``evolution.run`` › ``evolution.generation`` › ``evolution.individual`` › the LLM calls.
Events (docs/storage.md, the store's contract): ``evolution.generation`` (best/avg score,
population), ``evolution.individual`` (fitness, code hash, metrics), ``evolution.lineage`` (one per
parent → child edge, with the mutation type and the fitness delta), ``agent.action``. The run id,
task and generation (as ``iteration``) are correlation keys, so LLM calls land in ``llm_logs``
attributed to the run.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.trace import Span, Status, StatusCode

from agentel.packs._base import as_json, emit_in, pack_span, record
from agentel.registry import REGISTRY, EventSpec, MetricSpec, metric

PACK = "evolution"
#: the evaluation name under which a candidate's fitness is also recorded (on the candidate's span)
FITNESS_EVALUATION = "fitness"

EVENTS = (
    EventSpec(
        "evolution.generation",
        "A generation of an evolutionary run finished: best and average score, population size.",
        "info",
        (
            "evolution.run_id",
            "evolution.generation",
            "evolution.best_score",
            "evolution.avg_score",
            "evolution.population_size",
            "evolution.invalid",
        ),
        pack=PACK,
    ),
    EventSpec(
        "evolution.individual",
        "An individual (candidate program) was evaluated: fitness, code hash, metrics (JSON).",
        "info",
        (
            "evolution.run_id",
            "evolution.generation",
            "evolution.individual_id",
            "evolution.fitness_score",
            "evolution.code_hash",
            "evolution.metrics",
            "evolution.valid",
            "evolution.mutation_type",
        ),
        pack=PACK,
    ),
    EventSpec(
        "evolution.lineage",
        "A parent → child edge: how the child was made and how much fitter it is.",
        "info",
        (
            "evolution.run_id",
            "evolution.parent_id",
            "evolution.child_id",
            "evolution.mutation_type",
            "evolution.fitness_delta",
        ),
        pack=PACK,
    ),
    EventSpec(
        "agent.action",
        "An agent did something (select, mutate, edit, run tool…); details as JSON.",
        "info",
        ("agent.action_type", "agent.details", "agent.name", "evolution.run_id"),
        pack=PACK,
    ),
)

METRICS = (
    MetricSpec(
        "evolution.best_score",
        "gauge",
        "1",
        "Best fitness in the latest generation of an evolutionary run.",
        ("evolution.task_name",),
        pack=PACK,
    ),
    MetricSpec(
        "evolution.avg_score",
        "gauge",
        "1",
        "Mean fitness of the latest generation of an evolutionary run.",
        ("evolution.task_name",),
        pack=PACK,
    ),
    MetricSpec(
        "evolution.individuals",
        "counter",
        "{individual}",
        "Individuals evaluated, by mutation type and validity.",
        ("evolution.task_name", "evolution.mutation_type", "evolution.valid"),
        pack=PACK,
    ),
    MetricSpec(
        "evolution.fitness",
        "histogram",
        "1",
        "Fitness of evaluated individuals.",
        ("evolution.task_name",),
        (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
        pack=PACK,
    ),
    MetricSpec(
        "agent.actions",
        "counter",
        "{action}",
        "Agent actions, by type.",
        ("agent.action_type", "agent.name"),
        pack=PACK,
    ),
)

for _spec in EVENTS:
    REGISTRY.register_event(_spec)
for _m in METRICS:
    REGISTRY.register_metric(_m)


def code_hash(code: str | bytes) -> str:
    """A short stable hash of a program's text (sha256, 16 hex): equal code, equal hash."""
    data = code.encode("utf-8") if isinstance(code, str) else code
    return hashlib.sha256(data).hexdigest()[:16]


@dataclass(frozen=True)
class Individual:
    """An evaluated individual, as recorded."""

    id: str
    generation: int
    fitness: float | None
    code_hash: str | None
    parents: tuple[str, ...] = ()
    mutation_type: str | None = None


@dataclass
class Generation:
    """A generation in progress: record individuals; best/avg are computed at its end."""

    run: EvolutionRun
    number: int
    span: Span | None = None
    individuals: list[Individual] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def individual(
        self,
        *,
        fitness: float | None,
        code: str | bytes | None = None,
        code_hash: str | None = None,
        metrics: Mapping[str, Any] | None = None,
        parents: Sequence[str] = (),
        mutation_type: str | None = None,
        individual_id: str | None = None,
    ) -> Individual:
        """Record an evaluated individual (``fitness=None``: invalid, e.g. it did not compile).

        Emits ``evolution.individual`` and one ``evolution.lineage`` per parent, with
        ``fitness_delta`` = child fitness − parent fitness (when both are known).
        """
        run = self.run
        ind = Individual(
            individual_id or f"{run.run_id}-g{self.number}-{uuid.uuid4().hex[:8]}",
            self.number,
            None if fitness is None else float(fitness),
            code_hash or (_hash(code) if code is not None else None),
            tuple(parents),
            mutation_type,
        )
        with record("packs.evolution.individual"):
            with self._lock:
                self.individuals.append(ind)
            run._fitness[ind.id] = ind.fitness
            emit_in(
                None,
                "evolution.individual",
                **{
                    "evolution.run_id": run.run_id,
                    "evolution.generation": self.number,
                    "evolution.individual_id": ind.id,
                    "evolution.fitness_score": ind.fitness,
                    "evolution.code_hash": ind.code_hash,
                    "evolution.metrics": as_json(dict(metrics)) if metrics else None,
                    "evolution.valid": ind.fitness is not None,
                    "evolution.mutation_type": mutation_type,
                },
            )
            for parent in ind.parents:
                pf = run._fitness.get(parent)
                delta = ind.fitness - pf if ind.fitness is not None and pf is not None else None
                emit_in(
                    None,
                    "evolution.lineage",
                    **{
                        "evolution.run_id": run.run_id,
                        "evolution.parent_id": parent,
                        "evolution.child_id": ind.id,
                        "evolution.mutation_type": mutation_type or "unknown",
                        "evolution.fitness_delta": delta,
                    },
                )
            labels = {"evolution.task_name": run.task_name}
            metric("evolution.individuals").add(
                1,
                {
                    **labels,
                    "evolution.mutation_type": mutation_type or "none",
                    "evolution.valid": ind.fitness is not None,
                },
            )
            if ind.fitness is not None:
                metric("evolution.fitness").record(ind.fitness, labels)
        return ind

    @contextmanager
    def candidate(
        self,
        *,
        parents: Sequence[str] = (),
        mutation_type: str | None = None,
        individual_id: str | None = None,
    ) -> Iterator[Candidate]:
        """An ``evolution.individual`` span around making and evaluating one candidate.

        Call ``cand.result(...)`` inside; a block that raises records the candidate as invalid
        (and the error on the span) and re-raises.
        """
        with pack_span(
            "evolution.individual",
            attrs={
                "evolution.run_id": self.run.run_id,
                "evolution.generation": self.number,
                "evolution.mutation_type": mutation_type,
                "evolution.parent_ids": list(parents) or None,
            },
        ) as span:
            cand = Candidate(self, span, tuple(parents), mutation_type, individual_id)
            try:
                yield cand
            except BaseException:
                if cand.individual is None:
                    cand.result(fitness=None)
                raise
            if cand.individual is None:
                cand.result(fitness=None)

    def _close(self) -> None:
        valid = [i.fitness for i in self.individuals if i.fitness is not None]
        best = max(valid) if valid else None
        avg = sum(valid) / len(valid) if valid else None
        run = self.run
        emit_in(
            self.span,
            "evolution.generation",
            **{
                "evolution.run_id": run.run_id,
                "evolution.generation": self.number,
                "evolution.best_score": best,
                "evolution.avg_score": avg,
                "evolution.population_size": len(self.individuals),
                "evolution.invalid": len(self.individuals) - len(valid),
            },
        )
        if self.span is not None:
            self.span.set_attributes({"evolution.population_size": len(self.individuals)})
            if best is not None and avg is not None:
                self.span.set_attributes({"evolution.best_score": best, "evolution.avg_score": avg})
        labels = {"evolution.task_name": run.task_name}
        if best is not None and avg is not None:
            metric("evolution.best_score").set(best, labels)
            metric("evolution.avg_score").set(avg, labels)
            run.best_score = best if run.best_score is None else max(run.best_score, best)


class Candidate:
    """What ``gen.candidate(...)`` yields."""

    def __init__(
        self,
        generation: Generation,
        span: Span,
        parents: tuple[str, ...],
        mutation_type: str | None,
        individual_id: str | None,
    ) -> None:
        self._generation = generation
        self.span = span
        self.parents = parents
        self.mutation_type = mutation_type
        self.individual_id = individual_id
        self.individual: Individual | None = None

    def result(
        self,
        *,
        fitness: float | None,
        code: str | bytes | None = None,
        metrics: Mapping[str, Any] | None = None,
    ) -> Individual:
        """Record the evaluated candidate (once); returns the :class:`Individual`.

        Besides the ``evolution.individual`` event, the fitness is recorded as a
        ``gen_ai.evaluation.result`` named ``fitness`` on the candidate's span, so the LLM
        call(s) that made the candidate are scored by it (leaderboard, export-training).
        """
        if self.individual is not None:
            return self.individual
        self.individual = self._generation.individual(
            fitness=fitness,
            code=code,
            metrics=metrics,
            parents=self.parents,
            mutation_type=self.mutation_type,
            individual_id=self.individual_id,
        )
        with record("packs.evolution.candidate"):
            attrs: dict[str, Any] = {"evolution.individual_id": self.individual.id}
            if self.individual.fitness is not None:
                attrs["evolution.fitness_score"] = self.individual.fitness
            if self.individual.code_hash:
                attrs["evolution.code_hash"] = self.individual.code_hash
            self.span.set_attributes(attrs)
            # the fitness judges what the LLM calls in this span produced: reports rank models by it
            emit_in(
                self.span,
                "gen_ai.evaluation.result",
                **{
                    "gen_ai.evaluation.name": FITNESS_EVALUATION,
                    "gen_ai.evaluation.score.value": self.individual.fitness,
                    "gen_ai.evaluation.score.label": "valid"
                    if self.individual.fitness is not None
                    else "invalid",
                },
            )
        return self.individual


class EvolutionRun:
    """An evolutionary run in progress (what ``agentel.evolution.run(...)`` yields)."""

    def __init__(self, task_name: str, config: Mapping[str, Any] | None, run_id: str | None) -> None:
        self.task_name = task_name
        self.config = dict(config or {})
        self.run_id = run_id or f"evo-{uuid.uuid4().hex[:12]}"
        #: set to override the final status (default: completed, or error when the block raised)
        self.status: str | None = None
        self.generations_done = 0
        self.best_score: float | None = None
        self.span: Span | None = None
        self._fitness: dict[str, float | None] = {}

    @contextmanager
    def generation(self, number: int | None = None) -> Iterator[Generation]:
        """The next generation (``evolution.generation`` span; its number is the ``iteration`` key)."""
        n = self.generations_done if number is None else number
        gen = Generation(self, n)
        with pack_span(
            "evolution.generation",
            {"iteration": n},
            attrs={"evolution.run_id": self.run_id, "evolution.generation": n},
        ) as span:
            gen.span = span
            try:
                yield gen
            finally:
                self.generations_done = max(self.generations_done, n + 1)
                with record("packs.evolution.generation"):
                    gen._close()

    def individual_fitness(self, individual_id: str) -> float | None:
        """The recorded fitness of an individual of this run (None: unknown or invalid)."""
        return self._fitness.get(individual_id)

    def action(self, action_type: str, *, agent: str | None = None, details: Any = None) -> None:
        """Record an ``agent.action`` of this run."""
        agent_action(action_type, agent=agent, details=details, run_id=self.run_id)


def agent_action(
    action_type: str, *, agent: str | None = None, details: Any = None, run_id: str | None = None
) -> None:
    """Record an ``agent.action`` event in the current span (details: a mapping, sent as JSON)."""
    with record("packs.agent.action"):
        emit_in(
            None,
            "agent.action",
            **{
                "agent.action_type": action_type,
                "agent.details": as_json(details),
                "agent.name": agent,
                "evolution.run_id": run_id,
            },
        )
        metric("agent.actions").add(1, {"agent.action_type": action_type, "agent.name": agent or ""})


@contextmanager
def run(
    task_name: str, *, config: Mapping[str, Any] | None = None, run_id: str | None = None
) -> Iterator[EvolutionRun]:
    """An ``evolution.run`` span (run id, task name, config as JSON, final status)."""
    evo = EvolutionRun(task_name, config, run_id)
    with pack_span(
        "evolution.run",
        {"run": evo.run_id, "task": task_name},
        attrs={
            "evolution.run_id": evo.run_id,
            "evolution.task_name": task_name,
            "evolution.config": as_json(evo.config),
        },
    ) as span:
        evo.span = span
        try:
            yield evo
        except BaseException as exc:
            span.set_attribute(
                "evolution.status",
                evo.status or ("stopped" if isinstance(exc, KeyboardInterrupt) else "failed"),
            )
            raise
        with record("packs.evolution.run"):
            status = evo.status or "completed"
            attrs: dict[str, Any] = {
                "evolution.status": status,
                "evolution.generations": evo.generations_done,
            }
            if evo.best_score is not None:
                attrs["evolution.best_score"] = evo.best_score
            span.set_attributes(attrs)
            if status in ("failed", "error"):
                span.set_status(Status(StatusCode.ERROR, f"evolution run {status}"))


_hash = code_hash

__all__ = ["Candidate", "EvolutionRun", "Generation", "Individual", "agent_action", "code_hash", "run"]
