"""What the packs emit is what the store's views read (docs/storage.md), and the leaderboard
attributes confidence, wins and scores to the model whose call sits under the pack's span."""

from __future__ import annotations

from pathlib import Path

import openai

import agentel
from agentel.analytics import questions
from agentel.analytics.window import Window
from agentel.store import apply, open_engine
from agentel.store.loader import load

A, B, ARB = "gpt-4o-mini-2024-07-18", "gpt-4.1-mini-2025-04-14", "gpt-4o-2024-08-06"


def _ask(client: openai.OpenAI, model: str) -> None:
    client.chat.completions.create(model=model, messages=[{"role": "user", "content": "q"}])


def test_pack_telemetry_lands_in_the_views(client: openai.OpenAI, tmp_path: Path) -> None:
    agentel.configure(dir=str(tmp_path / "files"), metrics_interval_s=0)
    with agentel.consortium.run(members=[A, B], arbiter=ARB, task="qa", run_id="c1") as run:
        for chosen in (A, B):
            with run.iteration() as it:
                for m, conf in ((A, 0.6), (B, 0.8)):
                    with it.member(m) as member:
                        _ask(client, m)
                        member.respond(confidence=conf)
                        with agentel.generation.evaluation("len", judged=member.span) as ev:
                            ev.score(0.5 if m == A else 1.0)
                with it.arbiter() as arb:
                    _ask(client, ARB)
                    arb.decide(confidence=0.7, chosen=chosen)
    with agentel.evolution.run("sort", config={"p": 2}, run_id="e1") as evo, evo.generation() as gen:
        with gen.candidate(mutation_type="seed") as cand:
            _ask(client, A)
            cand.result(fitness=0.25, code="x")
        evo.action("select", details={"n": 1})
    agentel.shutdown()

    engine = open_engine(str(tmp_path / "store"))
    try:
        apply(engine)
        load(engine, [str(tmp_path / "files")])
        q = engine.query
        assert q("SELECT count() FROM consortium_responses").scalar() == 6
        assert q(
            "SELECT member, is_arbiter, countIf(chosen) FROM consortium_responses GROUP BY 1, 2 ORDER BY 1"
        ).rows == sorted([(A, 0, 1), (B, 0, 1), (ARB, 1, 0)])
        assert q("SELECT run_id, task_name, config, status FROM evolution_runs").rows == [
            ("e1", "sort", '{"p":2}', "completed")
        ]
        assert q(
            "SELECT run_id, generation, best_score, avg_score, population_size FROM generations"
        ).rows == [("e1", 0, 0.25, 0.25, 1)]
        assert q("SELECT fitness_score, code_hash FROM individuals").rows == [
            (0.25, agentel.evolution.code_hash("x"))
        ]
        assert q("SELECT action_type, details, run_id FROM agent_actions").rows == [
            ("select", '{"n":1}', "e1")
        ]
        assert q("SELECT run_id, task, iteration FROM llm_logs WHERE model = {m:String} ORDER BY timestamp",
                 {"m": B}).rows == [("c1", "qa", "1"), ("c1", "qa", "2")]  # fmt: skip

        board = {r["model"]: r for r in questions.leaderboard(engine, Window(), run="c1")}
        assert board[A]["calls"] == 2 and board[B]["calls"] == 2 and board[ARB]["calls"] == 2
        assert board[A]["mean_confidence"] == 0.6 and board[B]["mean_confidence"] == 0.8
        assert board[ARB]["mean_confidence"] == 0.7  # the arbiter's own confidence
        assert board[A]["win_rate"] == 0.5 and board[B]["win_rate"] == 0.5 and board[ARB]["win_rate"] is None
        assert (
            board[A]["mean_score"] == 0.5
            and board[B]["mean_score"] == 1.0
            and board[ARB]["mean_score"] is None
        )
        evo_board = questions.leaderboard(engine, Window(), run="e1")
        assert [(r["model"], r["calls"], r["mean_score"]) for r in evo_board] == [(A, 1, 0.25)]  # fitness
    finally:
        engine.close()
