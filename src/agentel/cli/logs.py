"""``agentel logs``: log records in the flat shape of the training-loop contract (one JSON line per
record: ts, severity, event, run_id, step, epoch, phase, duration_ms, trace_id, span_id, data),
from the telemetry files (default; ``--follow`` tails them) or the store (``--store``)."""

from __future__ import annotations

import fnmatch
import json
import os
import time
from collections.abc import Iterator
from typing import Any

import click

from agentel.cli.options import load_option, open_engine

_STORE_SQL = """
SELECT toUnixTimestamp64Nano(Timestamp) AS ns, SeverityText AS severity,
    if(EventName != '', EventName, LogAttributes['event.name']) AS event,
    LogAttributes AS attributes, TraceId AS trace_id, SpanId AS span_id,
    ResourceAttributes['agentel.run_id'] AS process_run_id, Body AS body
FROM otel_logs
ORDER BY Timestamp
"""


def _files(root: str) -> list[str]:
    out: list[str] = []
    for folder, _, names in os.walk(root):
        if "clickhouse" in os.path.relpath(folder, root).split(os.sep):
            continue
        out.extend(os.path.join(folder, n) for n in names if n == "logs.jsonl")
    return sorted(out)


def _parse_lines(lines: list[str], path: str) -> Iterator[dict[str, Any]]:
    from agentel.sinks.flat import from_otlp_payload

    for line in lines:
        if not line.strip():
            continue
        try:
            yield from from_otlp_payload(json.loads(line))
        except (ValueError, KeyError, TypeError, AttributeError):
            click.echo(
                f"agentel logs: skipped a line of {path} that is not an OTLP/JSON logs request", err=True
            )


def _read(path: str, offset: int) -> tuple[list[str], int]:
    """Complete lines of ``path`` from ``offset``; the offset after the last complete line."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        data = fh.read()
    end = data.rfind(b"\n") + 1  # a line being written is read next time
    return data[:end].decode("utf-8", "replace").splitlines(), offset + end


def _matches(rec: dict[str, Any], event: str | None, run: str | None) -> bool:
    if event and not fnmatch.fnmatchcase(rec["event"] or "", event):
        return False
    return (
        not run
        or rec["run_id"] == run
        or rec["data"].get("agentel.run_id") == run
        or rec.get("_process") == run
    )


def _pretty(rec: dict[str, Any]) -> str:
    parts = [rec["ts"] or "-", f"{rec['severity']:<5}", rec["event"] or "(log)"]
    for key in ("run_id", "step", "epoch", "phase"):
        if rec[key] is not None:
            parts.append(f"{key}={rec[key]}")
    if rec["duration_ms"] is not None:
        parts.append(f"duration_ms={rec['duration_ms']:.1f}")
    if rec["data"]:
        parts.append(" ".join(f"{k}={v}" for k, v in rec["data"].items()))
    return "  ".join(parts)


@click.command("logs")
@click.option("--follow", "-f", is_flag=True, help="Keep printing new records as they are written (files).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("jsonl", "pretty")),
    default="jsonl",
    show_default=True,
    help="jsonl: the flat JSON line; pretty: one readable line.",
)
@click.option("--event", default=None, help="Only this event name (* matches any text: 'training.*').")
@click.option("--run", default=None, help="Only records of this run (a pack's run id or a process's).")
@click.option("--store", "from_store", is_flag=True, help="Read the store instead of the files.")
@click.option("--limit", type=click.IntRange(1), default=None, help="At most this many records (the last).")
@click.option("--dir", "dir_", default=None, help="Folder of telemetry files (default AGENTEL_DIR).")
@load_option
def logs_cmd(
    follow: bool,
    fmt: str,
    event: str | None,
    run: str | None,
    from_store: bool,
    limit: int | None,
    dir_: str | None,
    no_load: bool,
) -> None:
    """Print log records as flat JSON lines (ts, severity, event, run_id, step, epoch, phase,
    duration_ms, trace_id, span_id, data) — redacted, as they were recorded."""
    from agentel.sinks.flat import flat, timestamp
    from agentel.store.session import data_dir

    def emit(recs: list[dict[str, Any]]) -> None:
        for rec in recs:
            rec.pop("_process", None)
            click.echo(json.dumps(rec, ensure_ascii=False, default=str) if fmt == "jsonl" else _pretty(rec))

    if from_store:
        if follow:
            raise click.BadParameter("--follow reads the files; drop --store", param_hint="--follow")
        with open_engine(no_load, quiet=True) as engine:
            rows = engine.query(_STORE_SQL).dicts()
        recs = []
        for r in rows:
            rec = flat(
                ts=timestamp(int(r["ns"])),
                severity=r["severity"],
                event=r["event"],
                attributes=r["attributes"] or {},
                trace_id=r["trace_id"],
                span_id=r["span_id"],
                process_run_id=r["process_run_id"],
                body=r["body"],
            )
            rec["_process"] = r["process_run_id"]
            if _matches(rec, event, run):
                recs.append(rec)
        emit(recs[-limit:] if limit else recs)
        return
    root = dir_ or data_dir()
    if not os.path.isdir(root):
        raise click.ClickException(f"no telemetry folder {root} (set AGENTEL_DIR or --dir)")
    offsets: dict[str, int] = {}

    def sweep() -> list[dict[str, Any]]:
        recs = []
        for path in _files(root):
            try:
                lines, offsets[path] = _read(path, offsets.get(path, 0))
            except OSError:
                continue
            run_dir = os.path.basename(os.path.dirname(path))
            for rec in _parse_lines(lines, path):
                rec["_process"] = run_dir
                if _matches(rec, event, run):
                    recs.append(rec)
        recs.sort(key=lambda r: r["ts"] or "")
        return recs

    first = sweep()
    emit(first[-limit:] if limit else first)
    while follow:
        try:
            time.sleep(0.5)  # polling the files: a live view, not a test wait
            emit(sweep())
        except KeyboardInterrupt:
            return
