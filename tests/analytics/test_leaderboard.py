"""The leaderboard against the examples: calls and errors are the calls the examples made, cost is
the sum over the spans, latency percentiles are those of the spans' durations, confidence, wins
and scores are those the examples recorded."""

from __future__ import annotations

from collections import defaultdict
from statistics import mean

import numpy as np
import pytest
from otlp_files import events, llm_spans, model_of

from agentel.analytics import questions
from agentel.analytics.window import Window
from agentel.store.engine import Engine
from testsupport import ExampleData


def test_calls_errors_cost_latency_per_model(seeded: ExampleData, engine: Engine) -> None:
    board = {r["model"]: r for r in questions.leaderboard(engine, Window())}
    calls = seeded.calls()
    assert {m: r["calls"] for m, r in board.items()} == calls
    errors = seeded.errors()
    assert {m: r["errors"] for m, r in board.items() if r["errors"]} == errors
    spans = llm_spans(seeded.dir)
    cost: dict[str, float] = defaultdict(float)
    durations: dict[str, list[float]] = defaultdict(list)
    for s in spans:
        cost[model_of(s)] += s["attributes"].get("agentel.cost.total_usd", 0.0)
        durations[model_of(s)].append(s["duration_ms"])
    for model, row in board.items():
        assert row["cost_usd"] == pytest.approx(cost[model], rel=1e-9)
        assert row["error_rate"] == pytest.approx(errors.get(model, 0) / calls[model])
        assert row["p50_ms"] == pytest.approx(np.percentile(durations[model], 50), rel=1e-6)
        assert row["p95_ms"] == pytest.approx(np.percentile(durations[model], 95), rel=1e-6)
        tokens = sum(
            s["attributes"].get("gen_ai.usage.input_tokens", 0)
            + s["attributes"].get("gen_ai.usage.output_tokens", 0)
            for s in spans
            if model_of(s) == model
        )
        assert row["tokens_per_call"] == pytest.approx(tokens / calls[model])
        assert row["unpriced_calls"] == 0
    assert [r["rank"] for r in questions.leaderboard(engine, Window())] == list(range(1, len(board) + 1))


def test_confidence_and_wins_come_from_the_consortium(seeded: ExampleData, engine: Engine) -> None:
    responses = [e["attributes"] for e in events(seeded.dir, "consortium.response")]
    board = {r["model"]: r for r in questions.leaderboard(engine, Window(), task="qa")}
    by_member: dict[str, list[dict]] = defaultdict(list)
    for a in responses:
        by_member[a["consortium.member"]].append(a)
    assert set(by_member) <= set(board)
    for member, rs in by_member.items():
        assert board[member]["mean_confidence"] == pytest.approx(mean(a["consortium.confidence"] for a in rs))
        answers = [a for a in rs if not a["consortium.is_arbiter"]]
        if answers:
            assert board[member]["win_rate"] == pytest.approx(mean(a["consortium.chosen"] for a in answers))
        else:
            assert board[member]["win_rate"] is None


def test_scores_by_task_and_the_evolution_fitness(seeded: ExampleData, engine: Engine) -> None:
    by_task = {r["task"]: r for r in questions.leaderboard(engine, Window(), by="task")}
    assert set(by_task) == {"qa", "sort_integers", "support-dialogues"}
    assert by_task["qa"]["calls"] == sum(seeded.calls("consortium").values())
    assert by_task["sort_integers"]["calls"] == sum(seeded.calls("evolution").values())
    assert by_task["support-dialogues"]["calls"] == sum(seeded.calls("generation_monitor").values())
    fitness = [
        e["attributes"]["evolution.fitness_score"]
        for e in events(seeded.dir, "evolution.individual")
        if "evolution.fitness_score" in e["attributes"]
    ]
    assert by_task["sort_integers"]["mean_score"] == pytest.approx(mean(fitness))
    ops = questions.leaderboard(engine, Window(), by="operation")
    assert [(r["operation"], r["calls"]) for r in ops] == [("chat", sum(seeded.calls().values()))]


def test_run_filter_window_and_sort(seeded: ExampleData, engine: Engine) -> None:
    evo = seeded.summaries["evolution"]["run_id"]
    rows = questions.leaderboard(engine, Window(), run=evo, sort="cost")
    assert {r["model"]: r["calls"] for r in rows} == seeded.calls("evolution")
    costs = [r["cost_usd"] for r in rows]
    assert costs == sorted(costs)
    assert questions.leaderboard(engine, Window.parse(until="2000-01-01")) == []
    with pytest.raises(questions.AnalyticsError, match="--run: no run 'nope' in the store"):
        questions.leaderboard(engine, Window(), run="nope")
    with pytest.raises(questions.AnalyticsError, match="--by: unknown grouping"):
        questions.leaderboard(engine, Window(), by="color")
