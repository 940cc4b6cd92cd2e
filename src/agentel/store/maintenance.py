"""Keeping a laptop from filling up: TTLs (in the DDL), ``prune --older-than`` and a disk budget."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass

from agentel.store.engine import Engine, StoreError

_DURATION = re.compile(r"^(\d+)\s*([smhdw])$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
# table -> its time column; typed tables are pruned alongside the raw ones
TIME_COLUMNS = {
    "otel_traces": "Timestamp",
    "otel_traces_trace_id_ts": "Start",
    "otel_logs": "Timestamp",
    "otel_metrics_gauge": "TimeUnix",
    "otel_metrics_sum": "TimeUnix",
    "otel_metrics_histogram": "TimeUnix",
    "otel_metrics_exponential_histogram": "TimeUnix",
    "otel_metrics_summary": "TimeUnix",
    "llm_calls": "Timestamp",
    "llm_calls_hourly": "Hour",
    "eval_results": "Timestamp",
    "feedback_events": "Timestamp",
    "pack_events": "Timestamp",
    "evolution_run_spans": "Timestamp",
}


def parse_duration(text: str, name: str = "--older-than") -> int:
    """'7d', '12h', '30m' → seconds; a clear error otherwise."""
    m = _DURATION.match(text.strip())
    if not m:
        raise StoreError(f"{name}: expected a duration like 30m, 12h, 7d or 2w, got {text!r}")
    return int(m.group(1)) * _UNIT_S[m.group(2)]


# derived tables (filled by materialized views) are pruned too but not counted twice
_DERIVED = {
    "otel_traces_trace_id_ts",
    "llm_calls",
    "llm_calls_hourly",
    "eval_results",
    "feedback_events",
    "pack_events",
    "evolution_run_spans",
}


@dataclass
class PruneReport:
    rows_deleted: int  # rows of the raw tables (spans, log records, metric points)
    files_deleted: int
    bytes_before: int
    bytes_after: int


def store_bytes(engine: Engine) -> int:
    """Bytes on disk of the store's active parts."""
    r = engine.query(
        "SELECT sum(bytes_on_disk) FROM system.parts WHERE database = {db:String} AND active",
        {"db": engine.database},
    )
    return int(r.scalar() or 0)


def _count_before(engine: Engine, table: str, col: str, cutoff: int) -> int:
    return int(
        engine.query(
            f"SELECT count() FROM {engine.database}.{table} WHERE {col} < toDateTime64({{c:Int64}}, 9)",
            {"c": cutoff},
        ).scalar()
        or 0
    )


def prune(
    engine: Engine,
    older_than_s: int,
    prefix: str = "",
    files_dir: str | None = None,
    now: float | None = None,
) -> PruneReport:
    """Delete rows older than ``older_than_s`` from every table; and already-loaded files as old."""
    now = time.time() if now is None else now
    cutoff = int(now - older_than_s)
    before = store_bytes(engine)
    deleted = 0
    for table, col in TIME_COLUMNS.items():
        name = prefix + table
        n = _count_before(engine, name, col, cutoff)
        if n:
            engine.execute(
                f"ALTER TABLE {engine.database}.{name} DELETE WHERE {col} < toDateTime64({{c:Int64}}, 9) "
                "SETTINGS mutations_sync = 2",
                {"c": cutoff},
            )
            deleted += 0 if table in _DERIVED else n
    files = 0
    if files_dir and os.path.isdir(files_dir):
        loaded = {
            r[0]: int(r[1])
            for r in engine.query(f"SELECT Path, Offset FROM {engine.database}.agentel_load_state FINAL").rows
        }
        for root, dirs, names in os.walk(files_dir):
            dirs[:] = [d for d in dirs if d != "clickhouse"]
            for fname in names:
                p = os.path.abspath(os.path.join(root, fname))
                try:
                    st = os.stat(p)
                except OSError:
                    continue
                # only files fully loaded into the store: nothing recorded is lost
                if st.st_mtime < cutoff and loaded.get(p) == st.st_size:
                    os.remove(p)
                    files += 1
    return PruneReport(deleted, files, before, store_bytes(engine))


def enforce_budget(engine: Engine, budget_bytes: int, prefix: str = "") -> list[str]:
    """Drop the oldest days until the store fits ``budget_bytes``; returns the days dropped."""
    tables = [prefix + t for t in TIME_COLUMNS]
    dropped: list[str] = []
    while store_bytes(engine) > budget_bytes:
        # partitions are days (toDate), whose ids are YYYYMMDD; tables without partitions say 'all'
        r = engine.query(
            "SELECT min(partition_id) FROM system.parts WHERE database = {db:String} AND active "
            "AND table IN {t:Array(String)} AND match(partition_id, '^[0-9]{8}$')",
            {"db": engine.database, "t": tables},
        )
        oldest = str(r.scalar() or "")
        if not oldest.isdigit() or (dropped and dropped[-1] == _day(oldest)):
            break  # nothing left to drop, or the drop did not free it
        holders = engine.query(
            "SELECT DISTINCT table FROM system.parts WHERE database = {db:String} AND active "
            "AND table IN {t:Array(String)} AND partition_id = {p:String}",
            {"db": engine.database, "t": tables, "p": oldest},
        ).rows
        for (table,) in holders:
            # a partition id cannot be a bound parameter; this one is 8 digits read from system.parts
            engine.execute(f"ALTER TABLE {engine.database}.`{table}` DROP PARTITION ID '{oldest}'")
        dropped.append(_day(oldest))
    return dropped


def _day(partition_id: str) -> str:
    return f"{partition_id[:4]}-{partition_id[4:6]}-{partition_id[6:]}"
