"""An example workload that exercises every dashboard: a consortium of LLM calls with evaluation
results and feedback on them, and an LLM-driven evolutionary search (run span, generations,
individuals, lineage, agent actions). Event names and keys follow docs/storage.md's contract.
"""

from __future__ import annotations

import json
from typing import Any

import agentel
from agentel.registry import REGISTRY

MEMBERS = (("openai", "gpt-4o-mini"), ("anthropic", "claude-sonnet-4-5"), ("openai", "gpt-4o"))
CHECKS = ("non_empty", "max_length")
EVOLUTION_RUN = "evo-seed-1"

_EVENTS: dict[str, tuple[str, ...]] = {
    "gen_ai.evaluation.result": (
        "gen_ai.evaluation.name",
        "gen_ai.evaluation.score.value",
        "gen_ai.evaluation.score.label",
        "gen_ai.evaluation.explanation",
    ),
    "agentel.feedback": (
        "agentel.feedback.good",
        "agentel.feedback.comment",
        "agentel.feedback.reference_answer",
    ),
    "evolution.generation": (
        "evolution.run_id",
        "evolution.generation",
        "evolution.best_score",
        "evolution.avg_score",
        "evolution.population_size",
    ),
    "evolution.individual": (
        "evolution.run_id",
        "evolution.generation",
        "evolution.individual_id",
        "evolution.fitness_score",
        "evolution.code_hash",
        "evolution.metrics",
    ),
    "evolution.lineage": (
        "evolution.run_id",
        "evolution.parent_id",
        "evolution.child_id",
        "evolution.mutation_type",
        "evolution.fitness_delta",
    ),
    "agent.action": ("agent.action_type", "agent.details", "agent.name", "evolution.run_id"),
}


def register_events() -> None:
    """Register the contract's events unless a pack already did (its definition wins)."""
    for name, keys in _EVENTS.items():
        if name not in REGISTRY.events:
            agentel.register_event(name, f"{name} (example workload)", keys=keys, pack="example")


def emit(name: str, **data: Any) -> None:
    agentel.event(name, **data)


def consortium(iterations: int = 3) -> None:
    with agentel.context(run="consortium-seed", task="qa"), agentel.span("consortium.run"):
        for it in range(iterations):
            for m, (provider, model) in enumerate(MEMBERS):
                with agentel.context(iteration=it), agentel.llm_call(provider=provider, model=model) as call:
                    call.set_usage(input_tokens=200 + 10 * m + it, output_tokens=40 + 5 * m)
                    call.set_response(id=f"r-{it}-{m}", model=model, finish_reasons=["stop"])
                    long_answer = (it + m) % 3 == 0
                    emit(
                        "gen_ai.evaluation.result",
                        **{
                            "gen_ai.evaluation.name": "non_empty",
                            "gen_ai.evaluation.score.value": 1.0,
                            "gen_ai.evaluation.score.label": "pass",
                        },
                    )
                    emit(
                        "gen_ai.evaluation.result",
                        **{
                            "gen_ai.evaluation.name": "max_length",
                            "gen_ai.evaluation.score.value": 0.0 if long_answer else 1.0,
                            "gen_ai.evaluation.score.label": "fail" if long_answer else "pass",
                            "gen_ai.evaluation.explanation": "answer longer than 200 words"
                            if long_answer
                            else "",
                        },
                    )
                    emit(
                        "agentel.feedback",
                        **{
                            "agentel.feedback.good": not long_answer,
                            "agentel.feedback.comment": "too long" if long_answer else "helpful",
                            "agentel.feedback.reference_answer": "42" if long_answer else "",
                        },
                    )
        try:
            with agentel.llm_call(provider="openai", model="gpt-4o"):
                raise TimeoutError("upstream timed out")
        except TimeoutError:
            pass


def evolution(generations: int = 3, population: int = 4) -> None:
    config = json.dumps(
        {"population": population, "generations": generations, "mutation": ["rewrite", "tweak"]}
    )
    with agentel.span(
        "evolution.run",
        **{"evolution.run_id": EVOLUTION_RUN, "evolution.task_name": "sort-fast", "evolution.config": config},
    ):
        parents: list[str] = []
        for g in range(generations):
            scores = []
            children = []
            for i in range(population):
                ind = f"g{g}-i{i}"
                fitness = round(0.3 + 0.15 * g + 0.05 * i, 3)
                scores.append(fitness)
                children.append(ind)
                emit(
                    "evolution.individual",
                    **{
                        "evolution.run_id": EVOLUTION_RUN,
                        "evolution.generation": g,
                        "evolution.individual_id": ind,
                        "evolution.fitness_score": fitness,
                        "evolution.code_hash": f"{hash((g, i)) & 0xFFFFFF:06x}",
                        "evolution.metrics": json.dumps({"runtime_ms": 10 + i}),
                    },
                )
                if parents:
                    parent = parents[i % len(parents)]
                    emit(
                        "evolution.lineage",
                        **{
                            "evolution.run_id": EVOLUTION_RUN,
                            "evolution.parent_id": parent,
                            "evolution.child_id": ind,
                            "evolution.mutation_type": "rewrite" if i % 2 else "tweak",
                            "evolution.fitness_delta": round(0.15 - 0.1 * (i % 3 == 2), 3),
                        },
                    )
                emit(
                    "agent.action",
                    **{
                        "agent.action_type": "mutate" if parents else "seed",
                        "agent.details": json.dumps({"individual": ind}),
                        "agent.name": "mutator",
                        "evolution.run_id": EVOLUTION_RUN,
                    },
                )
            emit(
                "evolution.generation",
                **{
                    "evolution.run_id": EVOLUTION_RUN,
                    "evolution.generation": g,
                    "evolution.best_score": max(scores),
                    "evolution.avg_score": round(sum(scores) / len(scores), 4),
                    "evolution.population_size": population,
                },
            )
            parents = children


def run() -> None:
    register_events()
    consortium()
    evolution()
