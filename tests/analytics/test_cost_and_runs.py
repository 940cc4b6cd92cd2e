"""Cost breakdowns sum to the spans' costs; runs and run trees match what the examples did."""

from __future__ import annotations

from collections import Counter

import pytest
from otlp_files import llm_spans, spans

from agentel.analytics import questions
from agentel.analytics.window import Window
from agentel.store.engine import Engine
from testsupport import ExampleData


def test_cost_by_model_run_task_day_sum_to_the_spans(seeded: ExampleData, engine: Engine) -> None:
    total = sum(s["attributes"].get("agentel.cost.total_usd", 0.0) for s in llm_spans(seeded.dir))
    assert total > 0
    for by in ("model", "provider", "run", "task", "day", "operation"):
        rows = questions.cost(engine, Window(), by=by)
        assert sum(r["cost_usd"] or 0 for r in rows) == pytest.approx(total, rel=1e-9), by
        assert sum(r["share"] for r in rows) == pytest.approx(1.0), by
        assert sum(r["calls"] for r in rows) == sum(seeded.calls().values()), by
    by_model = questions.cost(engine, Window())
    assert [r["cost_usd"] for r in by_model] == sorted((r["cost_usd"] for r in by_model), reverse=True)
    providers = {r["provider"] for r in questions.cost(engine, Window(), by="provider")}
    assert providers == {"openai", "anthropic"}
    evo = seeded.summaries["evolution"]["run_id"]
    [row] = questions.cost(engine, Window(), by="run", run=evo)
    assert row["run"] == evo and row["calls"] == sum(seeded.calls("evolution").values())


def test_runs_are_the_examples_root_spans(seeded: ExampleData, engine: Engine) -> None:
    rows = questions.runs(engine, Window())
    by_run = {r["run_id"]: r for r in rows}
    s = seeded.summaries
    consortium_runs = [r["run_id"] for r in s["consortium"]["runs"]]
    for run_id in [
        *consortium_runs,
        s["evolution"]["run_id"],
        s["generation_monitor"]["run_id"],
        s["training_loop"]["run_id"],
    ]:
        assert run_id in by_run
    assert by_run[s["evolution"]["run_id"]]["name"] == "evolution.run"
    assert by_run[s["evolution"]["run_id"]]["llm_calls"] == sum(seeded.calls("evolution").values())
    assert by_run[s["training_loop"]["run_id"]]["llm_calls"] == 0
    assert sum(by_run[r]["llm_calls"] for r in consortium_runs) == sum(seeded.calls("consortium").values())
    started = [r["started"] for r in rows]
    assert started == sorted(started, reverse=True)
    assert len(questions.runs(engine, Window(), limit=2)) == 2
    only = questions.runs(engine, Window(), run=s["evolution"]["run_id"])
    assert [r["run_id"] for r in only] == [s["evolution"]["run_id"]]


def test_run_tree_of_a_run_a_trace_and_a_process(seeded: ExampleData, engine: Engine) -> None:
    s = seeded.summaries["evolution"]
    tree = questions.run_tree(engine, s["run_id"])
    assert tree.kind == "run" and len(tree.roots) == 1 and tree.roots[0].row["name"] == "evolution.run"
    names = Counter(r["name"] for r in tree.flat())
    assert names["evolution.generation"] == s["generations"]
    assert names["evolution.individual"] == s["individuals"]
    assert tree.totals["llm_calls"] == sum(seeded.calls("evolution").values())
    assert tree.totals["llm_errors"] == sum(seeded.errors("evolution").values())
    raw = [x for x in llm_spans(seeded.dir) if x["trace_id"] == tree.trace_ids[0]]
    assert tree.totals["cost_usd"] == pytest.approx(
        sum(x["attributes"].get("agentel.cost.total_usd", 0.0) for x in raw)
    )
    fitness = [a for r in tree.flat() for a in [r.get("scores") or {}] if "fitness" in a]
    assert fitness  # candidates carry their fitness as a score
    by_trace = questions.run_tree(engine, tree.trace_ids[0])
    assert by_trace.kind == "trace" and by_trace.totals == tree.totals
    # a process run id: every trace the consortium process made
    consortium_spans = [x for x in spans(seeded.dir) if x["name"] == "consortium.run"]
    process = consortium_spans[0]["resource"]["agentel.run_id"]
    whole = questions.run_tree(engine, process)
    assert len(whole.trace_ids) == len(seeded.summaries["consortium"]["runs"])
    assert whole.totals["llm_calls"] == sum(seeded.calls("consortium").values())
    small = questions.run_tree(engine, process, limit=5)
    assert small.truncated and small.totals["spans"] == 5
    with pytest.raises(questions.AnalyticsError, match="no trace or run 'deadbeef' in the store"):
        questions.run_tree(engine, "deadbeef")
