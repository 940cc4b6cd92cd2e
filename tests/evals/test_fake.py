"""``agentel fake``: the asked-for number of calls, spread over the window, with evals and exactly
the asked-for feedback, all linked to stored calls, and different models doing differently."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone

from click.testing import Result
from evals_store import as_json, rows, store

from agentel.analytics import questions
from agentel.analytics.window import Window
from agentel.demo import fake
from agentel.testing import capture


def test_fake_workload_lands_in_every_view(agentel_cli: Callable[..., Result]) -> None:
    before = time.time()
    report = as_json(
        agentel_cli(
            "fake",
            *("--count", "120", "--hours", "6", "--feedback-rate", "0.5", "--good-ratio", "0.65"),
            *("--seed", "11", "--load", "--format", "json"),
        )
    )
    assert report["calls"] == 120 and report["feedback"] == 60 and report["good_feedback"] == 39
    with store(load_files=False) as engine:
        calls = rows(
            engine,
            "SELECT count() AS n, min(timestamp) AS first, max(timestamp) AS last, uniqExact(model) AS models, "
            "countIf(messages != '') AS with_content, countIf(cost > 0) AS priced, uniqExact(trace_id) AS traces "
            "FROM llm_logs",
        )[0]
        fb = rows(engine, "SELECT count() AS n, sum(good) AS good FROM feedback")[0]
        evals = rows(engine, "SELECT count() AS n, uniqExact(check_name) AS checks FROM eval_checks")[0]
        orphans = rows(
            engine,
            "SELECT (SELECT count() FROM eval_checks WHERE (trace_id, span_id) NOT IN "
            "(SELECT trace_id, span_id FROM llm_logs)) AS evals, "
            "(SELECT count() FROM feedback WHERE (trace_id, span_id) NOT IN "
            "(SELECT trace_id, span_id FROM llm_logs)) AS feedback",
        )[0]
        runs = rows(engine, "SELECT count() AS n FROM otel_traces WHERE SpanName = 'chat.session'")[0]
        board = questions.leaderboard(engine, Window(), by="model", sort="calls")
    assert calls["n"] == 120 and calls["models"] == 5
    assert calls["with_content"] == 120 and calls["priced"] >= 110  # errors before any token cost nothing
    assert calls["traces"] == report["conversations"] == runs["n"]
    first, last = (
        datetime.fromisoformat(calls[k][:19]).replace(tzinfo=timezone.utc).timestamp()
        for k in ("first", "last")
    )
    assert before - 6 * 3600 - 120 <= first and last <= time.time()
    assert last - first > 3 * 3600  # spread over the window, not bunched
    assert fb == {"n": 60, "good": 39}
    assert evals["n"] == report["evaluations"] and evals["checks"] >= 8
    assert orphans == {"evals": 0, "feedback": 0}
    rates = [r["good_feedback_rate"] for r in board if r["feedback"]]
    assert len(rates) >= 4 and max(rates) - min(rates) > 0.1  # models differ


def test_same_seed_same_workload() -> None:
    with capture():
        a = fake.generate(50, 2, 0.4, 0.5, seed=3, now=1_800_000_000)
    with capture():
        b = fake.generate(50, 2, 0.4, 0.5, seed=3, now=1_800_000_000)
    assert a.as_dict() == b.as_dict()
    assert a.feedback == 20 and a.good == 10


def test_fake_without_evals_or_feedback() -> None:
    with capture(capture_content=False) as cap:  # content events aside (captured by default)
        report = fake.generate(10, 1, 0.0, 0.5, seed=1, evals=False)
    assert (report.calls, report.evals, report.feedback) == (10, 0, 0)
    assert cap.logs == [] and len([s for s in cap.spans if s.name.startswith("chat ")]) == 10


def test_fake_rejects_bad_numbers(agentel_cli: Callable[..., Result]) -> None:
    out = agentel_cli("fake", "--feedback-rate", "1.5")
    assert out.exit_code == 2 and "--feedback-rate" in out.output
    out = agentel_cli("fake", "--count", "0")
    assert out.exit_code == 2 and "--count" in out.output
