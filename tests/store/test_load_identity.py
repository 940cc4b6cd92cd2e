"""Files known by content, not only inode; old rows never lost to the TTL without a way back
(issue 15 item 9)."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from agentel.store import apply
from agentel.store.engine import Engine
from agentel.store.loader import load
from agentel.store.schema import SchemaOptions


def _span_line(i: int, days_ago: float = 0.0) -> str:
    t = int((time.time() - days_ago * 86400) * 1e9)
    return json.dumps(
        {
            "resourceSpans": [
                {
                    "scopeSpans": [
                        {
                            "spans": [
                                {
                                    "traceId": f"{i + 1:032x}",
                                    "spanId": f"{i + 1:016x}",
                                    "name": f"s{i}",
                                    "startTimeUnixNano": str(t),
                                    "endTimeUnixNano": str(t + 5),
                                }
                            ]
                        }
                    ]
                }
            ]
        }
    )


def _log_line(i: int, days_ago: float) -> str:
    t = int((time.time() - days_ago * 86400) * 1e9)
    rec = {"timeUnixNano": str(t), "body": {"stringValue": f"old {i}"}}
    return json.dumps({"resourceLogs": [{"scopeLogs": [{"logRecords": [rec]}]}]})


def test_a_copied_project_directory_does_not_load_twice(engine: Engine, tmp_path: Path) -> None:
    src = tmp_path / "proj" / ".agentel" / "run1"
    src.mkdir(parents=True)
    (src / "traces.jsonl").write_text("".join(_span_line(i) + "\n" for i in range(5)))
    assert load(engine, [str(tmp_path / "proj" / ".agentel")]).spans == 5
    shutil.copytree(tmp_path / "proj", tmp_path / "copy", copy_function=shutil.copy2)  # cp -a
    rep = load(engine, [str(tmp_path / "proj" / ".agentel"), str(tmp_path / "copy" / ".agentel")])
    assert rep.rows == 0
    with (tmp_path / "copy" / ".agentel" / "run1" / "traces.jsonl").open("a") as fh:
        fh.write(_span_line(9) + "\n")  # the copy lives on: only its new line loads
    assert load(engine, [str(tmp_path / "proj" / ".agentel"), str(tmp_path / "copy" / ".agentel")]).spans == 1
    assert engine.query("SELECT count() FROM otel_traces").scalar() == 6


def test_a_different_file_with_the_same_first_line_still_loads(engine: Engine, tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text(_span_line(0) + "\n" + _span_line(1) + "\n")
    b.write_text(_span_line(0) + "\n" + _span_line(2) + "\n")
    assert load(engine, [str(a)]).spans == 2
    assert load(engine, [str(b)]).spans == 2


def test_logs_older_than_the_ttl_are_announced_and_can_be_reloaded(engine: Engine, tmp_path: Path) -> None:
    d = tmp_path / "old"
    d.mkdir()
    (d / "logs.jsonl").write_text("".join(_log_line(i, 40) + "\n" for i in range(4)) + _log_line(9, 0) + "\n")
    rep = load(engine, [str(d)])
    assert (rep.logs, rep.expired) == (1, 4)
    assert "warning" in rep.summary() and "--reload-expired" in rep.summary()
    # still under the 30-day TTL: a reload leaves them where they are, and says so again
    again = load(engine, [str(d)], reload_expired=True)
    assert (again.rows, again.expired) == (0, 4)

    apply(engine, SchemaOptions(database=engine.database, ttl_days=0), set_ttl=True)  # AGENTEL_TTL_DAYS=0
    assert load(engine, [str(d)]).rows == 0  # a plain load does not re-read the file
    rep = load(engine, [str(d)], reload_expired=True)
    assert (rep.logs, rep.reloaded, rep.expired) == (4, 4, 0)
    assert engine.query("SELECT count() FROM otel_logs").scalar() == 5
    assert load(engine, [str(d)], reload_expired=True).rows == 0  # once only
