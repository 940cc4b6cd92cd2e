"""Typed views are fed by materialized views from the raw tables, in either LLM convention."""

from __future__ import annotations

from pathlib import Path

import agentel
from agentel.store.engine import Engine
from agentel.store.loader import load


def test_views_from_pack_spans_and_events(engine: Engine, tmp_path: Path) -> None:
    agentel.configure(dir=str(tmp_path), run_id="r", metrics_interval_s=0)
    with agentel.span(
        "evolution.run",
        **{"evolution.run_id": "evo1", "evolution.task_name": "sort", "evolution.config": '{"pop": 4}'},
    ):
        for g in range(3):
            agentel.event(
                "evolution.generation",
                **{
                    "evolution.run_id": "evo1",
                    "evolution.generation": g,
                    "evolution.best_score": g + 1.0,
                    "evolution.avg_score": g + 0.5,
                },
            )
        agentel.event(
            "evolution.individual",
            **{
                "evolution.run_id": "evo1",
                "evolution.individual_id": "i2",
                "evolution.fitness_score": 0.9,
                "evolution.code_hash": "abc",
                "evolution.metrics": '{"t": 1}',
            },
        )
        agentel.event(
            "evolution.lineage",
            **{
                "evolution.run_id": "evo1",
                "evolution.parent_id": "i1",
                "evolution.child_id": "i2",
                "evolution.mutation_type": "crossover",
                "evolution.fitness_delta": 0.1,
            },
        )
        agentel.event("agent.action", **{"agent.action_type": "edit", "agent.details": '{"file": "a.py"}'})
        with agentel.span(
            "chat gpt-4o-mini",
            **{
                "gen_ai.operation.name": "chat",
                "gen_ai.request.model": "gpt-4o-mini",
                "gen_ai.provider.name": "openai",
                "gen_ai.usage.input_tokens": 11,
                "gen_ai.usage.output_tokens": 7,
                "agentel.cost.total_usd": 0.0002,
            },
        ):
            pass
        agentel.event(
            "gen_ai.evaluation.result",
            **{
                "gen_ai.evaluation.name": "non_empty",
                "gen_ai.evaluation.score.value": 1.0,
                "gen_ai.evaluation.score.label": "pass",
            },
        )
    agentel.shutdown()
    load(engine, [str(tmp_path)])
    assert engine.query("SELECT run_id, task_name, config, status FROM evolution_runs").rows == [
        ("evo1", "sort", '{"pop": 4}', "completed")
    ]
    assert engine.query(
        "SELECT generation, best_score, avg_score FROM generations ORDER BY generation"
    ).rows == [(0, 1.0, 0.5), (1, 2.0, 1.5), (2, 3.0, 2.5)]
    assert engine.query("SELECT individual_id, fitness_score, code_hash, metrics FROM individuals").rows == [
        ("i2", 0.9, "abc", '{"t": 1}')
    ]
    assert engine.query(
        "SELECT parent_id, child_id, mutation_type, fitness_delta FROM code_lineages"
    ).rows == [("i1", "i2", "crossover", 0.1)]
    assert engine.query("SELECT action_type, details FROM agent_actions").rows == [
        ("edit", '{"file": "a.py"}')
    ]
    llm = engine.query(
        "SELECT model, provider, input_tokens, output_tokens, cost, convention FROM llm_logs"
    ).rows
    assert llm == [("gpt-4o-mini", "openai", 11, 7, 0.0002, "gen_ai")]
    assert engine.query("SELECT check_name, score, label, passed FROM eval_checks").rows == [
        ("non_empty", 1.0, "pass", 1)
    ]
    for view, cols in {
        "llm_logs": {"timestamp", "model", "messages", "response", "cost"},
        "agent_actions": {"timestamp", "action_type", "details"},
        "evolution_runs": {"run_id", "task_name", "config", "status"},
        "generations": {"run_id", "generation", "best_score", "avg_score"},
        "individuals": {"individual_id", "fitness_score", "code_hash", "metrics"},
        "code_lineages": {"parent_id", "child_id", "mutation_type", "fitness_delta"},
    }.items():
        have = {
            r[0]
            for r in engine.query(
                f"SELECT name FROM system.columns WHERE database = currentDatabase() AND table = '{view}'"
            ).rows
        }
        assert cols <= have, view


def test_model_leaderboard_from_the_rollup_equals_the_calls(engine: Engine, tmp_path: Path) -> None:
    """llm_calls_hourly is filled as spans arrive; scores count for the model their record names,
    or, when it names none, for the model of the call they judge."""
    from importlib import resources

    agentel.configure(dir=str(tmp_path), run_id="r", metrics_interval_s=0)
    for i, (model, inp, out, cost) in enumerate(
        [("gpt-4o", 10, 5, 0.5), ("gpt-4o", 30, 7, 0.25), ("claude-3-5-haiku", 8, 2, None)]
    ):
        attrs = {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": model,
            "gen_ai.usage.input_tokens": inp,
            "gen_ai.usage.output_tokens": out,
        }
        if cost is not None:
            attrs["agentel.cost.total_usd"] = cost
        with agentel.span(f"chat {model}", **attrs):
            score = {"gen_ai.evaluation.name": "q", "gen_ai.evaluation.score.value": 0.5 + i / 4}
            if i == 0:
                score["gen_ai.response.model"] = model  # names the judged model: no join needed
            agentel.event("gen_ai.evaluation.result", **score)
    agentel.shutdown()
    load(engine, [str(tmp_path)])
    sql = resources.files("agentel.analytics").joinpath("queries/model_leaderboard.sql").read_text()
    rows = engine.query(sql, {"since": "2000-01-01 00:00:00", "until": "2100-01-01 00:00:00"}).dicts()
    got = {
        r["model"]: (r["calls"], r["tokens_per_call"], r["cost_usd"], r["unpriced_calls"], r["mean_score"])
        for r in rows
    }
    assert got == {
        "gpt-4o": (2, 26.0, 0.75, 0, 0.625),
        "claude-3-5-haiku": (1, 10.0, None, 1, 1.0),
    }
    assert engine.query("SELECT Model FROM eval_results ORDER BY ScoreValue").rows == [
        ("gpt-4o",),
        ("",),
        ("",),
    ]
