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


# --- 15. leaderboard: model families, a minimum-calls threshold, confidence intervals ------------------


def _family(model: str) -> str:
    import re

    return re.sub(r"-(\d{4}-\d{2}-\d{2}|\d{8})$", "", model)


def test_leaderboard_groups_aliases_and_ranks_by_a_lower_bound(agentel, demo: ExampleData) -> None:  # type: ignore[no-untyped-def]
    families: dict[str, int] = {}
    for model, n in demo.calls().items():
        families[_family(model)] = families.get(_family(model), 0) + n
    grouped = _json(agentel("leaderboard", "--group-aliases", "--format", "json"))
    assert {r["model"]: r["calls"] for r in grouped} == families
    assert any(_family(m) != m for m in demo.calls())  # the examples do use dated snapshots

    rows = _json(agentel("leaderboard", "--min-calls", "6", "--format", "json"))
    enough = [r["enough_calls"] for r in rows]
    assert enough == sorted(enough, reverse=True) and True in enough and False in enough
    assert all(r["enough_calls"] == (r["calls"] >= 6) for r in rows)
    scored = [r for r in rows if r["mean_score"] is not None]
    for r in scored:
        assert r["ci95_low"] <= r["mean_score"] <= r["ci95_high"]
    lows = [r["ci95_low"] for r in scored if r["enough_calls"]]
    assert lows == sorted(lows, reverse=True)  # ranked by the lower bound, not the mean
    table = agentel("leaderboard", "--min-calls", "6")
    assert table.exit_code == 0 and "min 6 calls" in table.stdout and "ranked last" in table.stderr


# --- 8. plots: clock-time axes with the window, generation charts, one evolution run ------------------


def test_plots_read_as_their_users_expect(agentel, demo: ExampleData, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import re

    made = {p["plot"]: p for p in _json(agentel("plots", "--out", str(tmp_path), "--format", "json"))}
    for name in (
        "llm_success_error_rate",
        "llm_tokens_over_time",
        "eval_scores_over_time",
        "generation_time",
    ):
        label, ticks = made[name]["x_label"], made[name]["x_ticks"]
        assert re.fullmatch(r"time \(UTC\), \d{4}-\d\d-\d\d \d\d:\d\d:\d\d – [\d: -]+", label), label
        assert ticks and all(re.fullmatch(r"\d\d:\d\d(:\d\d(\.\d{3})?)?", t) for t in ticks), ticks
        assert len(set(ticks)) == len(ticks), ticks
    generations = demo.summaries["generation_monitor"]["generations"]
    assert made["generation_time"]["points"] == generations
    assert made["generation_conversation_length"]["points"] == generations
    assert made["generation_conversation_length"]["x_label"] == "conversation length (messages)"
    evo = demo.summaries["evolution"]
    for name in ("evolution_fitness", "evolution_lineage"):
        assert made[name]["x_label"] == "generation"
        assert all(re.fullmatch(r"\d+", t) for t in made[name]["x_ticks"]), made[name]["x_ticks"]
        assert evo["run_id"] in made[name]["title"]
    every = _json(agentel("plots", "--all-runs", "--only", "evolution_fitness", "--out", str(tmp_path / "all"),
                          "--format", "json"))  # fmt: skip
    assert "(all runs)" in every[0]["title"]


# --- 4. export-training: the arbiter's analysis and choice, chat JSONL, DPO pairs, filters -------------


def _lines(result) -> list[dict]:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_export_training_for_fine_tuning_pipelines(agentel, demo: ExampleData) -> None:  # type: ignore[no-untyped-def]
    runs = {r["run_id"]: r for r in demo.summaries["consortium"]["runs"]}
    recs = _lines(agentel("export-training", "-", "--task", "qa"))
    assert recs and all(r["consortium_run_id"] in runs for r in recs)
    for r in recs:
        arb = r["arbiter"]
        assert arb is not None and arb["analysis"] and 0 <= arb["confidence"] <= 1
        assert arb["model"] not in {r["model"] for r in recs}  # the arbiter's, not a member's
        assert arb["chosen_model"] == next(
            (a["model"] for a in r["alternatives"] if a["chosen"]), r["model"] if r["chosen"] else None
        )
    chat = _lines(agentel("export-training", "-", "--task", "qa", "--shape", "chat", "--chosen-only"))
    assert chat and len(chat) == sum(r["chosen"] for r in recs)
    for c in chat:
        roles = [m["role"] for m in c["messages"]]
        assert roles[-1] == "assistant" and "user" in roles and c["metadata"]["chosen"] is True
    pairs = _lines(agentel("export-training", "-", "--task", "qa", "--shape", "dpo"))
    expected = sum(
        1 for r in recs if r["chosen"] for a in r["alternatives"] if not a["chosen"] and a["response"]
    )
    assert pairs and len(pairs) == expected
    for p in pairs:
        assert p["chosen"] != p["rejected"] and p["chosen_model"] != p["rejected_model"]
        assert p["prompt"][-1]["role"] == "user" and p["analysis"] and p["confidence"] is not None
    # filters: the arbiter's confidence, the model, feedback
    high = _lines(agentel("export-training", "-", "--task", "qa", "--min-confidence", "0.9"))
    assert all(r["arbiter"]["confidence"] >= 0.9 for r in high) and len(high) < len(recs)
    one = recs[0]["model"]
    only = _lines(agentel("export-training", "-", "--task", "qa", "--model", one))
    assert only and {r["model"] for r in only} == {one} and all(r["arbiter"] for r in only)
    assert _lines(agentel("export-training", "-", "--task", "qa", "--feedback", "good")) == [
        r for r in recs if r["good_feedback"] is not None and r["good_feedback"] >= 0.5
    ]


# --- 9. agentel logs: the training contract's flat lines; AGENTEL_CONSOLE=jsonl prints the same -------

FLAT = [
    "ts",
    "severity",
    "event",
    "run_id",
    "step",
    "epoch",
    "phase",
    "duration_ms",
    "trace_id",
    "span_id",
    "data",
]


def test_logs_render_flat_lines_from_files_and_store(agentel, demo: ExampleData) -> None:  # type: ignore[no-untyped-def]
    train = demo.summaries["training_loop"]
    files = _lines(agentel("logs", "--event", "training.*"))
    assert files and all(list(r) == FLAT for r in files)
    steps = [r for r in files if r["event"] == "training.step"]
    assert steps and all(isinstance(r["step"], int) and isinstance(r["epoch"], int) for r in steps)
    assert all(r["duration_ms"] > 0 and "training.loss" in r["data"] for r in steps)
    assert all(len(r["trace_id"]) == 32 and len(r["span_id"]) == 16 for r in files)
    runs = {r["run_id"] for r in files}
    assert len(runs) == 1 and all(r.startswith("train-") for r in runs)
    assert _lines(agentel("logs", "--event", "training.step", "--run", runs.pop())) == steps
    assert (
        _lines(agentel("logs", "--event", "training.*", "--run", train["run_id"])) == files
    )  # the process's id
    stored = _lines(agentel("logs", "--store", "--event", "training.*"))
    key = lambda r: (r["ts"], r["event"], r["step"], r["epoch"])  # noqa: E731
    assert sorted(map(key, stored)) == sorted(map(key, files))
    pretty = agentel("logs", "--event", "training.epoch", "--format", "pretty")
    assert pretty.exit_code == 0 and "training.epoch" in pretty.stdout and "epoch=1" in pretty.stdout


def test_console_jsonl_prints_the_same_flat_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    import agentel
    from agentel.sinks.console import ConsoleLogExporter
    from testsupport import invoke_cli

    buf = io.StringIO()
    agentel.configure(
        log_exporters=[ConsoleLogExporter("jsonl", stream=buf)], sync_export=True, metrics_interval_s=0
    )
    with agentel.training.run("tiny") as tr:
        with tr.epoch() as ep:
            for _ in range(10):
                with tr.step() as st:
                    st.loss(0.5)
            ep.loss(0.4, phase="eval")
    agentel.shutdown()
    console = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert console and all(list(r) == FLAT for r in console)
    assert "training.epoch" in {r["event"] for r in console}
    files = [
        r for r in _lines(invoke_cli("logs")) if r["severity"] != "DEBUG"
    ]  # the console shows info and up
    assert any(r["event"] == "training.step" for r in _lines(invoke_cli("logs", "--event", "training.step")))
    key = lambda r: (r["event"], r["step"], r["epoch"], r["trace_id"], r["span_id"])  # noqa: E731
    assert sorted(map(key, console)) == sorted(map(key, files))


# --- 12. content captured by default; llm_logs.response is the answer's text ---------------------------


def _rows(result) -> list[dict]:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_seed_queries_read_messages_and_answers_on_a_default_install(agentel, demo: ExampleData) -> None:  # type: ignore[no-untyped-def]
    # the LLM log monitor's top-cost snippets
    top = _rows(
        agentel(
            "query",
            "SELECT model, cost, substring(messages, 1, 100) AS prompt, substring(response, 1, 100) AS snippet "
            "FROM llm_logs WHERE cost > 0 ORDER BY cost DESC LIMIT 10",
            "--format",
            "JSONEachRow",
        )
    )
    assert len(top) == 10
    assert all(r["prompt"].startswith("[{") for r in top)  # the input messages, as stored
    answered = [r for r in top if r["snippet"]]
    assert len(answered) >= 5
    assert not any(r["snippet"].lstrip().startswith(("[", "{")) for r in answered), answered
    # the evolutionary search's "responses mentioning traceback"
    tb = _rows(
        agentel(
            "query",
            "SELECT model, substring(response, 1, 100) AS snippet FROM llm_logs "
            "WHERE positionCaseInsensitive(response, 'traceback') > 0",
            "--format",
            "JSONEachRow",
        )
    )
    assert tb and all("traceback" in r["snippet"].lower() for r in tb)
    # the structured output messages have their own column
    (row,) = _rows(
        agentel(
            "query",
            "SELECT response, output_messages FROM llm_logs WHERE response != '' "
            "AND startsWith(output_messages, '[') ORDER BY timestamp LIMIT 1",
            "--format",
            "JSONEachRow",
        )
    )
    messages = json.loads(row["output_messages"])
    text = "".join(p.get("content", "") for p in messages[0]["parts"] if p.get("type") == "text")
    assert row["response"] == text
    # and `make demo`'s report shows them
    assert "substring(response, 1, 60) AS response" in demo.output
