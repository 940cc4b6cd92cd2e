"""Issue 18: the five replaced tools' first commands, run as their users would, against the store the
examples seeded (the session's example data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testsupport import ExampleData


def _json(result) -> object:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- 1. --limit on every list-producing command -------------------------------------------------------

LISTS = [
    ("runs",),
    ("leaderboard",),
    ("leaderboard", "--by", "run", "--sort", "confidence"),
    ("cost", "--by", "run"),
    ("evals", "list"),
    ("evals", "summary"),
    ("evals", "checks"),
]


def _ident(row: dict) -> tuple:
    """The row's identity (floats like means and quantiles may differ in the last digit)."""
    return tuple(v for k, v in sorted(row.items()) if isinstance(v, str) or k == "rank")


@pytest.mark.parametrize("command", LISTS, ids=[" ".join(c) for c in LISTS])
def test_every_list_takes_limit(agentel, command: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    every = _json(agentel(*command, "--format", "json"))
    assert isinstance(every, list) and len(every) > 2, every
    first = _json(agentel(*command, "--limit", "2", "--format", "json"))
    assert len(first) == 2 and [_ident(r) for r in first] == [_ident(r) for r in every[:2]]
    table = agentel(*command, "--limit", "5")
    assert table.exit_code == 0, table.output


def test_metrics_export_and_training_export_take_limit(agentel, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    points = _json(agentel("metrics", "export", "--since", "30d", "--limit", "3", "--format", "json"))
    assert isinstance(points, list) and len(points) == 3
    out = tmp_path / "train.jsonl"
    result = agentel("export-training", str(out), "--since", "30d", "--limit", "2")
    assert result.exit_code == 0, result.output
    assert len(out.read_text().splitlines()) == 2


# --- 2. consortium runs ranked by the arbiter's final confidence ----------------------------------


def test_consortium_runs_rank_by_the_arbiters_final_confidence(agentel, demo: ExampleData) -> None:  # type: ignore[no-untyped-def]
    finals = {r["run_id"]: r["confidence"] for r in demo.summaries["consortium"]["runs"]}
    rows = _json(agentel("leaderboard", "--by", "run", "--sort", "confidence", "--format", "json"))
    ranked = [r for r in rows if r["run"] in finals]
    assert [r["run"] for r in ranked] == [r["run"] for r in rows[: len(finals)]]
    assert {r["run"]: r["arbiter_final_confidence"] for r in ranked} == pytest.approx(finals)
    got = [r["arbiter_final_confidence"] for r in ranked]
    assert got == sorted(got, reverse=True)
    best = max(finals, key=lambda k: finals[k])
    assert rows[0]["run"] == best and rows[0]["rank"] == 1
    table = agentel("leaderboard", "--by", "run", "--sort", "confidence")
    assert table.exit_code == 0 and "arbiter" in table.stdout, table.output


# --- 3. a run prints its trace id; run-info takes either ------------------------------------------


def test_consortium_run_prints_its_trace_id_and_run_info_takes_either(agentel, demo: ExampleData) -> None:  # type: ignore[no-untyped-def]
    for r in demo.summaries["consortium"]["runs"]:
        assert len(r["trace_id"]) == 32
        assert f"{r['run_id']}:" in demo.output and f"[Trace ID: {r['trace_id']}]" in demo.output
        by_trace = _json(agentel("run-info", r["trace_id"], "--format", "json"))
        by_run = _json(agentel("run-info", r["run_id"], "--format", "json"))
        assert by_trace["kind"] == "trace" and by_run["kind"] == "run"
        assert by_trace["trace_ids"] == by_run["trace_ids"] == [r["trace_id"]]


# --- 6. metrics export: one row per point -----------------------------------------------------------


def test_metrics_export_lists_each_point_once(agentel, demo: ExampleData) -> None:  # type: ignore[no-untyped-def]
    import csv
    import io

    result = agentel("metrics", "export", "--window", "1h", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows
    seen = [(r["metric"], r["run_id"], r["attributes"], r["value"], r["count"]) for r in rows]
    assert len(seen) == len(set(seen)), "a point is listed more than once"
    requests = [r for r in rows if r["metric"] == "generation.requests"]
    assert sum(float(r["value"]) for r in requests) == demo.summaries["generation_monitor"]["generations"]
