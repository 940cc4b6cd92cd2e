"""The evolution pack: generations summarise their individuals, lineage carries fitness deltas,
candidates score the LLM calls that made them, the run ends with a status."""

from __future__ import annotations

import json

import openai
import pytest

import agentel
from agentel.testing import capture


def _events(cap: object, name: str) -> list[dict]:
    return [dict(r.log_record.attributes or {}) for r in cap.events(name)]  # type: ignore[attr-defined]


def test_generations_individuals_lineage(client: openai.OpenAI) -> None:
    with capture() as cap:
        with agentel.evolution.run("sort", config={"population": 3}, run_id="evo1") as evo:
            with evo.generation() as g0:
                a = g0.individual(fitness=0.5, code="def a(): pass", metrics={"ms": 3})
                b = g0.individual(fitness=0.3, code="def b(): pass")
                g0.individual(fitness=None, code="def broken(:")
            with evo.generation() as g1:
                with g1.candidate(parents=[a.id, b.id], mutation_type="crossover") as cand:
                    client.chat.completions.create(
                        model="gpt-4o-mini-2024-07-18", messages=[{"role": "user", "content": "merge"}]
                    )
                    child = cand.result(fitness=0.8, code="def c(): pass")
                evo.action("select", agent="selector", details={"kept": [child.id]})
        gens = {e["evolution.generation"]: e for e in _events(cap, "evolution.generation")}
        assert gens[0]["evolution.best_score"] == 0.5 and gens[0]["evolution.avg_score"] == pytest.approx(0.4)
        assert gens[0]["evolution.population_size"] == 3 and gens[0]["evolution.invalid"] == 1
        assert gens[1]["evolution.best_score"] == 0.8
        inds = {e["evolution.individual_id"]: e for e in _events(cap, "evolution.individual")}
        assert inds[a.id]["evolution.code_hash"] == agentel.evolution.code_hash("def a(): pass")
        assert json.loads(inds[a.id]["evolution.metrics"]) == {"ms": 3}
        edges = {
            (e["evolution.parent_id"], e["evolution.child_id"]): e for e in _events(cap, "evolution.lineage")
        }
        assert set(edges) == {(a.id, child.id), (b.id, child.id)}
        assert edges[(a.id, child.id)]["evolution.fitness_delta"] == pytest.approx(0.3)
        assert edges[(b.id, child.id)]["evolution.fitness_delta"] == pytest.approx(0.5)
        assert {e["evolution.mutation_type"] for e in edges.values()} == {"crossover"}
        # the candidate span wraps the LLM call, and its fitness is recorded as an evaluation of it
        cand_span = cap.span("evolution.individual")
        llm = cap.span("chat gpt-4o-mini-2024-07-18")
        assert llm.parent.span_id == cand_span.context.span_id
        assert llm.attributes["run"] == "evo1" and llm.attributes["iteration"] == 1
        [fit] = [r for r in cap.events("gen_ai.evaluation.result")]
        assert fit.log_record.span_id == cand_span.context.span_id
        assert fit.log_record.attributes["gen_ai.evaluation.score.value"] == 0.8
        [action] = _events(cap, "agent.action")
        assert action["agent.action_type"] == "select" and action["evolution.run_id"] == "evo1"
        assert json.loads(action["agent.details"]) == {"kept": [child.id]}
        run = cap.span("evolution.run")
        assert run.attributes["evolution.status"] == "completed"
        assert json.loads(run.attributes["evolution.config"]) == {"population": 3}
        assert run.attributes["evolution.best_score"] == 0.8


def test_a_failing_candidate_is_invalid_and_a_failing_run_is_failed() -> None:
    with capture() as cap:
        with pytest.raises(RuntimeError):
            with agentel.evolution.run("sort") as evo, evo.generation() as gen:
                with pytest.raises(ValueError), gen.candidate(mutation_type="mutate"):
                    raise ValueError("LLM returned garbage")
                raise RuntimeError("out of budget")
        [ind] = _events(cap, "evolution.individual")
        assert ind["evolution.valid"] is False and "evolution.fitness_score" not in ind
        assert _events(cap, "evolution.generation")[0]["evolution.invalid"] == 1
        run = cap.span("evolution.run")
        assert run.attributes["evolution.status"] == "failed"
        assert run.status.status_code.name == "ERROR"
