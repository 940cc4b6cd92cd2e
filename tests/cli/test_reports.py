"""Every report command against the demo's store: numbers equal what the examples did, JSON and
CSV parse, bad arguments get one clear line and a non-zero exit."""

from __future__ import annotations

import csv
import io
import json
import struct
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest

from agentel.analytics.plots import HEIGHT, PLOT_NAMES, WIDTH
from testsupport import ExampleData


def _json(result) -> object:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _span_costs(directory: Path) -> float:
    total = 0.0
    for path in directory.rglob("traces.jsonl"):
        for line in path.read_text().splitlines():
            for rs in json.loads(line)["resourceSpans"]:
                for ss in rs["scopeSpans"]:
                    for s in ss["spans"]:
                        for kv in s.get("attributes", []):
                            if kv["key"] == "agentel.cost.total_usd":
                                total += float(kv["value"]["doubleValue"])
    return total


def test_runs(agentel, demo: ExampleData) -> None:  # type: ignore[no-untyped-def]
    rows = _json(agentel("runs", "--format", "json"))
    ids = {r["run_id"] for r in rows}
    s = demo.summaries
    assert {s["evolution"]["run_id"], s["generation_monitor"]["run_id"], s["training_loop"]["run_id"]} <= ids
    assert {r["run_id"] for r in s["consortium"]["runs"]} <= ids
    table = agentel("runs", "--limit", "3")
    assert (
        table.exit_code == 0
        and "run_id" in table.stdout
        and len(_json(agentel("runs", "--limit", "3", "--format", "json"))) == 3
    )
    parsed = list(csv.DictReader(io.StringIO(agentel("runs", "--format", "csv").stdout)))
    assert len(parsed) == len(rows) and "trace_id" in parsed[0]


def test_leaderboard_counts_the_calls_the_examples_made(agentel, demo: ExampleData) -> None:  # type: ignore[no-untyped-def]
    rows = _json(agentel("leaderboard", "--format", "json"))
    assert {r["model"]: r["calls"] for r in rows} == demo.calls()
    by_task = _json(agentel("leaderboard", "--by", "task", "--format", "json"))
    assert {r["task"]: r["calls"] for r in by_task} == {
        "qa": sum(demo.calls("consortium").values()),
        "sort_integers": sum(demo.calls("evolution").values()),
        "support-dialogues": sum(demo.calls("generation_monitor").values()),
    }
    by_op = list(
        csv.DictReader(io.StringIO(agentel("leaderboard", "--by", "operation", "--format", "csv").stdout))
    )
    assert [(r["operation"], int(r["calls"])) for r in by_op] == [("chat", sum(demo.calls().values()))]
    evo = demo.summaries["evolution"]["run_id"]
    assert {
        r["model"]: r["calls"] for r in _json(agentel("leaderboard", "--run", evo, "--format", "json"))
    } == demo.calls("evolution")
    qa = _json(
        agentel(
            "leaderboard", "--task", "qa", "--sort", "confidence", "--rank-by", "mean", "--min-calls", "1",
            "--format", "json",
        )
    )  # fmt: skip
    conf = [r["mean_confidence"] for r in qa]
    assert conf == sorted(conf, reverse=True)
    table = agentel("leaderboard")
    assert table.exit_code == 0 and "Leaderboard by model" in table.stdout


def test_cost_is_the_sum_over_spans(agentel, demo: ExampleData) -> None:  # type: ignore[no-untyped-def]
    total = _span_costs(demo.dir)
    for by in ("model", "run", "day"):
        rows = _json(agentel("cost", "--by", by, "--format", "json"))
        assert sum(r["cost_usd"] for r in rows) == pytest.approx(total, rel=1e-9)
    table = agentel("cost")
    assert table.exit_code == 0 and f"over {sum(demo.calls().values())} calls" in table.stdout


def test_run_info(agentel, demo: ExampleData) -> None:  # type: ignore[no-untyped-def]
    evo = demo.summaries["evolution"]
    info = _json(agentel("run-info", evo["run_id"], "--format", "json"))
    assert info["kind"] == "run" and [s["name"] for s in info["spans"]] == ["evolution.run"]
    assert len(info["spans"][0]["children"]) == evo["generations"]
    assert info["totals"]["llm_calls"] == sum(evo["calls"].values())
    flat = list(
        csv.DictReader(io.StringIO(agentel("run-info", info["trace_ids"][0], "--format", "csv").stdout))
    )
    assert len(flat) == info["totals"]["spans"] and flat[0]["depth"] == "0"
    tree = agentel("run-info", demo.summaries["consortium"]["runs"][0]["run_id"])
    assert tree.exit_code == 0 and "consortium.member" in tree.stdout and "confidence" in tree.stdout


def test_export_training(agentel, demo: ExampleData, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "train.jsonl"
    r = agentel("export-training", str(out), "--format", "json")
    summary = _json(r)[0]
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert summary["records"] == len(records) > 0 and summary["without_content"] == 0
    assert all(rec["prompt"] and rec["response"] for rec in records)
    assert {rec["task"] for rec in records} == {"qa", "sort_integers", "support-dialogues"}
    chosen = tmp_path / "chosen.jsonl"
    assert agentel("export-training", str(chosen), "--chosen-only").exit_code == 0
    picked = [json.loads(line) for line in chosen.read_text().splitlines()]
    assert picked and all(p["chosen"] and p["alternatives"] is not None for p in picked)
    none = tmp_path / "none.jsonl"
    assert agentel("export-training", str(none), "--min-score", "2").exit_code == 0
    assert none.read_text() == ""
    stdout = agentel("export-training", "-", "--model", "gpt-4.1-nano-2025-04-14")
    assert {json.loads(x)["model"] for x in stdout.stdout.splitlines()} == {"gpt-4.1-nano-2025-04-14"}


def test_metrics_export_every_format(agentel, demo: ExampleData, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = _json(agentel("metrics", "export", "--window", "1h"))
    assert rows and "training.loss" in {r["metric"] for r in rows}
    assert (
        agentel(
            "metrics", "export", "--format", "parquet", "--window", "1h", "--out", str(tmp_path / "m.parquet")
        ).exit_code
        == 0
    )
    assert (
        agentel(
            "metrics", "export", "--format", "xlsx", "--window", "1h", "--out", str(tmp_path / "m.xlsx")
        ).exit_code
        == 0
    )
    csv_out = agentel("metrics", "export", "--format", "csv", "--window", "1h").stdout
    table = pq.read_table(tmp_path / "m.parquet").to_pandas()
    wb = openpyxl.load_workbook(tmp_path / "m.xlsx", read_only=True)
    sheet = list(wb["data"].values)
    wb.close()
    parsed = list(csv.DictReader(io.StringIO(csv_out)))
    assert len(table) == len(sheet) - 1 == len(parsed) == len(rows)
    assert list(table["metric"]) == [r["metric"] for r in rows] == [p["metric"] for p in parsed]
    loss = _json(agentel("metrics", "export", "--metric", "training.loss"))
    assert {r["metric"] for r in loss} == {"training.loss"}


def test_plots(agentel, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    made = _json(agentel("plots", "--out", str(tmp_path), "--format", "json"))
    assert [p["plot"] for p in made] == list(PLOT_NAMES)
    for p in made:
        data = Path(p["path"]).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", data[16:24]) == (WIDTH, HEIGHT)


def test_query(agentel) -> None:  # type: ignore[no-untyped-def]
    r = agentel("query", "SELECT count() AS n FROM llm_logs", "--format", "JSONEachRow")
    assert r.exit_code == 0 and json.loads(r.stdout)["n"] > 0


def test_doctor(agentel, demo: ExampleData) -> None:  # type: ignore[no-untyped-def]
    report = _json(agentel("doctor", "--format", "json"))
    assert report["ok"] is True
    assert report["data"]["dir"] == str(demo.dir) and report["data"]["files"] > 0
    assert report["store"]["rows"]["llm_calls"] == sum(demo.calls().values())
    assert report["store"]["pending_bytes"] == 0
    assert {s["setting"]: s["source"] for s in report["settings"]}["dir"] == "AGENTEL_DIR"
    table = agentel("doctor")
    assert table.exit_code == 0 and "Settings in force" in table.stdout and "Checks" in table.stdout
