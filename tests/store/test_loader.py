"""The loader: files from the SDK (and the collector) into the raw tables, incrementally, robustly."""

from __future__ import annotations

import json
import time
from pathlib import Path

import agentel
from agentel.store.engine import Engine
from agentel.store.loader import load


def _emit(dir_: Path, run_id: str, n: int) -> None:
    agentel.configure(dir=str(dir_), run_id=run_id, metrics_interval_s=0)
    for i in range(n):
        with (
            agentel.context(run="exp", iteration=i),
            agentel.span("work", i=i, ratio=0.25, ok=True, tags=["a", "b"]),
        ):
            agentel.event("agentel.feedback", **{"agentel.feedback.good": i % 2 == 0})
    agentel.metric("agentel.telemetry.dropped").add(3, {"agentel.signal": "spans"})
    agentel.shutdown()


def test_load_counts_and_values(engine: Engine, tmp_path: Path) -> None:
    _emit(tmp_path / "d", "r1", 5)
    rep = load(engine, [str(tmp_path / "d")])
    assert (rep.spans, rep.logs, rep.metric_points, rep.skipped) == (5, 5, 1, [])
    row = engine.query(
        "SELECT SpanAttributes, SpanKind, StatusCode, ResourceAttributes['agentel.run_id'] FROM otel_traces WHERE SpanAttributes['i'] = '2'"
    ).rows[0]
    attrs = row[0]
    # stringified as the collector's exporter does
    assert (attrs["i"], attrs["ratio"], attrs["ok"], attrs["tags"], attrs["iteration"]) == (
        "2",
        "0.25",
        "true",
        '["a","b"]',
        "2",
    )
    assert row[1:] == ("Internal", "Unset", "r1")
    assert (
        engine.query(
            "SELECT sum(Value) FROM otel_metrics_sum WHERE MetricName = 'agentel.telemetry.dropped'"
        ).scalar()
        == 3
    )
    assert engine.query("SELECT count() FROM feedback WHERE good = 1").scalar() == 3


def test_rerun_inserts_nothing_twice_and_reads_only_the_new_tail(engine: Engine, tmp_path: Path) -> None:
    _emit(tmp_path / "d", "r1", 3)
    assert load(engine, [str(tmp_path / "d")]).spans == 3
    assert load(engine, [str(tmp_path / "d")]).rows == 0
    _emit(tmp_path / "d", "r1", 4)  # same run dir: the file grows
    assert load(engine, [str(tmp_path / "d")]).spans == 4
    assert engine.query("SELECT count() FROM otel_traces").scalar() == 7


def test_corrupt_and_truncated_lines_are_skipped_and_reported(engine: Engine, tmp_path: Path) -> None:
    _emit(tmp_path / "d", "r1", 2)
    traces = tmp_path / "d" / "r1" / "traces.jsonl"
    good = traces.read_text().splitlines()
    traces.write_text(
        "\n".join([good[0], '{"resourceSpans": [{"scopeSpans": [', "[1, 2]", *good[1:]])
        + "\n"
        + '{"resourceSp'
    )
    rep = load(engine, [str(tmp_path / "d")])
    assert rep.spans == 2  # the good lines around the bad ones
    assert [(s.line, s.reason.split(":")[0]) for s in rep.skipped] == [
        (2, "JSONDecodeError"),
        (3, "ValueError"),
    ]
    assert str(rep.skipped[0]).startswith(f"{traces}:2: ")
    assert rep.pending_bytes == len('{"resourceSp')  # incomplete last line waits for the writer
    with traces.open("a") as fh:
        fh.write('ans": []}\n')
    rep2 = load(engine, [str(tmp_path / "d")])
    assert rep2.skipped == [] and rep2.lines == 1 and rep2.pending_bytes == 0


NOW_NS = (int(time.time()) - 3600) * 1_000_000_000  # recent: older rows would fall to the 30-day TTL


def test_collector_file_exporter_output_loads(engine: Engine, tmp_path: Path) -> None:
    """A line as the collector's file exporter writes it (rotated name, .json)."""
    line = {
        "resourceSpans": [
            {
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "svc"}}]},
                "scopeSpans": [
                    {
                        "scope": {"name": "openinference"},
                        "spans": [
                            {
                                "traceId": "5b8efff798038103d269b633813fc60c",
                                "spanId": "eee19b7ec3c1b174",
                                "name": "ChatCompletion",
                                "kind": 3,
                                "startTimeUnixNano": str(NOW_NS),
                                "endTimeUnixNano": str(NOW_NS + 1_500_000_000),
                                "attributes": [
                                    {"key": "llm.model_name", "value": {"stringValue": "claude-3-5-sonnet"}},
                                    {"key": "llm.token_count.prompt", "value": {"intValue": "120"}},
                                    {"key": "llm.token_count.completion", "value": {"intValue": "30"}},
                                    {"key": "openinference.span.kind", "value": {"stringValue": "LLM"}},
                                ],
                                "status": {"code": 2, "message": "rate limited"},
                            }
                        ],
                    }
                ],
            }
        ]
    }
    f = tmp_path / "collector" / "traces-2026-11-22T10-00-00.000.json"
    f.parent.mkdir()
    f.write_text(json.dumps(line) + "\n")
    assert load(engine, [str(tmp_path / "collector")]).spans == 1
    row = engine.query(
        "SELECT model, input_tokens, output_tokens, latency, is_error, convention FROM llm_logs"
    ).rows
    assert row == [("claude-3-5-sonnet", 120, 30, 1.5, 1, "openinference")]
    assert engine.query("SELECT SpanKind, StatusCode FROM otel_traces").rows == [("Client", "Error")]


def test_a_file_growing_during_the_load_is_read_only_up_to_the_lines_seen(
    engine: Engine, tmp_path: Path
) -> None:
    """The engine reads a whole trace file in place; lines appended after the loader looked stay for
    the next load (here: the region handed over is the first line, the file already has two)."""
    from agentel.store.loader import _fast_traces

    _emit(tmp_path / "d", "r1", 2)
    _emit(tmp_path / "d", "r1", 3)  # a second process run appends a second line
    traces = tmp_path / "d" / "r1" / "traces.jsonl"
    lines = traces.read_bytes().splitlines(keepends=True)
    assert len(lines) == 2
    first = lines[0]
    spans = _fast_traces(engine, "", str(traces), first, whole_file=True)
    if engine.kind != "embedded":
        assert spans is None  # a server cannot read the client's files: the line path loads them
        return
    assert spans == first.count(b'"startTimeUnixNano"') == 2
    assert engine.query("SELECT count() FROM otel_traces").scalar() == spans


def _trace_line(i: int) -> str:
    span = {
        "traceId": f"{i:032x}",
        "spanId": f"{i:016x}",
        "name": f"s{i}",
        "kind": 1,
        "startTimeUnixNano": str(NOW_NS + i),
        "endTimeUnixNano": str(NOW_NS + i + 10),
        "status": {},
    }
    return (
        json.dumps({"resourceSpans": [{"resource": {}, "scopeSpans": [{"scope": {}, "spans": [span]}]}]})
        + "\n"
    )


def test_rotation_by_rename_or_copytruncate_loads_every_line_once(engine: Engine, tmp_path: Path) -> None:
    """The collector's file exporter rotates by renaming traces.jsonl to traces-<time>.jsonl and
    starting a new traces.jsonl; other rotators truncate and rewrite under the same name."""
    files = tmp_path / "files"
    files.mkdir()
    live = files / "traces.jsonl"
    live.write_text(_trace_line(1) + _trace_line(2))
    assert load(engine, [str(files)]).spans == 2
    rotated = files / "traces-2026-11-22T10-00-00.000.jsonl"
    live.rename(rotated)
    with rotated.open("a") as fh:
        fh.write(_trace_line(3))  # written before the rename took effect
    live.write_text(_trace_line(4))
    assert load(engine, [str(files)]).spans == 2  # line 3 from the rotated file, line 4 from the new one
    assert load(engine, [str(files)]).rows == 0
    live.write_text(_trace_line(5) + _trace_line(6))  # truncated and rewritten under the same name
    assert load(engine, [str(files)]).spans == 2
    names = engine.query("SELECT SpanName FROM otel_traces ORDER BY SpanName").rows
    assert [n[0] for n in names] == ["s1", "s2", "s3", "s4", "s5", "s6"]
