"""Keeping a laptop from filling up: the TTL (configurable, also on an existing store), prune by age,
the disk budget, and a loader that says when the TTL dropped what it was given."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentel.cli import cli
from agentel.store import SchemaOptions, StoreError, apply, open_engine
from agentel.store.engine import Engine
from agentel.store.loader import load
from agentel.store.maintenance import enforce_budget, parse_duration, prune, store_bytes
from agentel.store.session import keep_within_budget

DAY_NS = 86_400 * 10**9


def _span_line(trace: int, age_days: float) -> str:
    t = time.time_ns() - int(age_days * DAY_NS)
    span = {
        "traceId": f"{trace:032x}",
        "spanId": f"{trace:016x}",
        "name": "work",
        "kind": 1,
        "startTimeUnixNano": str(t),
        "endTimeUnixNano": str(t + 1000),
        "status": {},
    }
    return json.dumps({"resourceSpans": [{"resource": {}, "scopeSpans": [{"scope": {}, "spans": [span]}]}]})


def _seed_days(engine: Engine, days: list[int], per_day: int = 200) -> None:
    for d in days:
        engine.execute(
            f"INSERT INTO otel_traces (Timestamp, TraceId, SpanName, SpanAttributes) "
            f"SELECT now64(9) - toIntervalDay({d}), hex(number), 'work', map('payload', randomPrintableASCII(200)) "
            f"FROM numbers({per_day})"
        )


def _days(engine: Engine) -> list[int]:
    return [
        r[0]
        for r in engine.query(
            "SELECT DISTINCT dateDiff('day', toDate(Timestamp), today()) AS d FROM otel_traces ORDER BY d"
        ).rows
    ]


def test_ttl_is_on_by_default_and_drops_old_rows_on_arrival_with_a_report(
    engine: Engine, tmp_path: Path
) -> None:
    f = tmp_path / "old" / "traces.jsonl"
    f.parent.mkdir()
    f.write_text(_span_line(1, 60) + "\n" + _span_line(2, 1) + "\n")
    rep = load(engine, [str(f.parent)])
    # the old row is left out before insert (and remembered for --reload-expired), on every engine
    assert (rep.spans, rep.expired) == (1, 1) and "AGENTEL_TTL_DAYS=0" in rep.summary()
    assert engine.query("SELECT count() FROM otel_traces").scalar() == 1


def test_configured_ttl_changes_an_existing_store(engine: Engine, tmp_path: Path) -> None:
    opts = SchemaOptions(database=engine.database, ttl_days=0)
    apply(engine, opts)  # not configured explicitly: existing tables keep their 30 days
    f = tmp_path / "a" / "traces.jsonl"
    f.parent.mkdir()
    f.write_text(_span_line(1, 60) + "\n")
    assert load(engine, [str(f.parent)]).expired == 1
    assert engine.query("SELECT count() FROM otel_traces").scalar() == 0

    apply(engine, opts, set_ttl=True)  # AGENTEL_TTL_DAYS=0: no TTL anywhere
    ttl_left = engine.query(
        "SELECT name FROM system.tables WHERE database = {db:String} AND engine_full LIKE '% TTL %'",
        {"db": engine.database},
    ).rows
    assert ttl_left == []
    f.with_name("b.jsonl").write_text(_span_line(2, 60) + "\n")
    rep = load(engine, [str(f.parent)])
    assert (rep.rows, rep.expired) == (1, 0)
    assert engine.query("SELECT count() FROM otel_traces").scalar() == 1

    apply(engine, SchemaOptions(database=engine.database, ttl_days=7), set_ttl=True)
    full = engine.query(
        "SELECT engine_full FROM system.tables WHERE database = {db:String} AND name = 'llm_calls'",
        {"db": engine.database},
    ).scalar()
    assert "TTL toDateTime(Timestamp) + toIntervalDay(7)" in full


def test_prune_deletes_old_rows_and_only_fully_loaded_files(engine: Engine, tmp_path: Path) -> None:
    _seed_days(engine, [0, 3, 10])
    src = tmp_path / "files"
    src.mkdir()
    loaded, unloaded = src / "loaded.jsonl", src / "unloaded.jsonl"
    loaded.write_text(_span_line(7, 0) + "\n")
    load(engine, [str(loaded)])
    unloaded.write_text(_span_line(8, 0) + "\n")
    old = time.time() - 9 * 86_400
    for p in (loaded, unloaded):
        os.utime(p, (old, old))
    rep = prune(engine, parse_duration("5d"), files_dir=str(src))
    assert rep.rows_deleted == 200
    assert _days(engine) == [0, 3]
    assert (loaded.exists(), unloaded.exists()) == (False, True)  # nothing not yet in the store is lost


def test_disk_budget_drops_the_oldest_days_first(tmp_path: Path) -> None:
    engine = open_engine(str(tmp_path / "store"))
    try:
        apply(engine)
        _seed_days(engine, [1, 2, 3, 4], per_day=5000)
        total = store_bytes(engine)
        assert enforce_budget(engine, total * 10) == []
        dropped = enforce_budget(engine, int(total * 0.6))
        assert len(dropped) >= 1 and store_bytes(engine) <= total * 0.6
        assert _days(engine) == [1, 2, 3, 4][: 4 - len(dropped)]  # the oldest days went first
        assert keep_within_budget(engine, budget_mb=10_000) == []
    finally:
        engine.close()


def test_parse_duration_errors_name_the_option() -> None:
    assert parse_duration("12h") == 43_200 and parse_duration("2w") == 14 * 86_400
    with pytest.raises(
        StoreError, match=r"--older-than: expected a duration like 30m, 12h, 7d or 2w, got 'soon'"
    ):
        parse_duration("soon")


def test_prune_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTEL_DIR", str(tmp_path))
    runner = CliRunner()
    bad = runner.invoke(cli, ["prune", "--older-than", "yesterday"])
    assert bad.exit_code == 2 and "--older-than" in bad.output
    engine = open_engine(str(tmp_path))
    apply(engine)
    _seed_days(engine, [0, 10])
    engine.close()
    ok = runner.invoke(cli, ["prune", "--older-than", "7d"])
    assert ok.exit_code == 0, ok.output
    assert "deleted 200 rows" in ok.output
