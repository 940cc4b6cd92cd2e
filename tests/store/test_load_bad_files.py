"""Files in: a pretty-printed request (opentelemetry-proto examples/*.json as shipped), a last line
without a newline, and bad files that must not stop a load (issue 15 item 7, issue 12 item 9)."""

from __future__ import annotations

import gzip
import json
import os
import threading
import time
from pathlib import Path

from agentel.store import apply, open_engine
from agentel.store.loader import load
from agentel.store.schema import SchemaOptions

NOW = (int(time.time()) - 600) * 1_000_000_000


def _engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = open_engine(str(tmp_path / "store"))
    apply(engine, SchemaOptions(database=engine.database, ttl_days=0))  # the examples are from 2018
    return engine


def _example_trace() -> dict:
    """The shape of opentelemetry-proto examples/trace.json: upper-case hex ids, numbers as JSON numbers."""
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "my.service"}}]},
                "scopeSpans": [
                    {
                        "scope": {"name": "my.library", "version": "1.0.0"},
                        "spans": [
                            {
                                "traceId": "5B8EFFF798038103D269B633813FC60C",
                                "spanId": "EEE19B7EC3C1B174",
                                "parentSpanId": "EEE19B7EC3C1B173",
                                "name": "I'm a server span",
                                "startTimeUnixNano": 1544712660000000000,
                                "endTimeUnixNano": 1544712661000000000,
                                "kind": 2,
                                "attributes": [
                                    {"key": "my.span.attr", "value": {"stringValue": "some value"}}
                                ],
                            }
                        ],
                    }
                ],
            }
        ]
    }


def _span_line(i: int, start: int = NOW) -> str:
    req = _example_trace()
    sp = req["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    sp.update(spanId=f"{i + 1:016x}", startTimeUnixNano=str(start), endTimeUnixNano=str(start + 10))
    return json.dumps(req)


def _log_line(t: int) -> str:
    return json.dumps(
        {
            "resourceLogs": [
                {"scopeLogs": [{"logRecords": [{"timeUnixNano": str(t), "body": {"stringValue": "x"}}]}]}
            ]
        }
    )


def test_a_pretty_printed_request_without_a_final_newline_loads(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    try:
        d = tmp_path / "in"
        d.mkdir()
        (d / "trace.json").write_text(json.dumps(_example_trace(), indent=2))  # as shipped: no final newline
        rep = load(engine, [str(d)])
        assert (rep.spans, rep.skipped, rep.pending_bytes) == (1, [], 0)
        assert engine.query("SELECT TraceId, SpanId, ParentSpanId, SpanKind FROM otel_traces").rows == [
            ("5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174", "eee19b7ec3c1b173", "Server")
        ]
        assert load(engine, [str(d)]).rows == 0  # and once only
    finally:
        engine.close()


def test_a_last_line_without_newline_loads_once(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    try:
        f = tmp_path / "in" / "traces.jsonl"
        f.parent.mkdir()
        f.write_text(_span_line(0) + "\n" + _span_line(1))
        rep = load(engine, [str(f.parent)])
        assert (rep.spans, rep.pending_bytes) == (2, 0)
        with f.open("a") as fh:  # a writer finishing the line, then another
            fh.write("\n" + _span_line(2) + "\n")
        rep = load(engine, [str(f.parent)])
        assert (rep.spans, rep.skipped) == (1, [])
        assert engine.query("SELECT count() FROM otel_traces").scalar() == 3
    finally:
        engine.close()


def test_bad_files_and_records_are_reported_and_the_rest_loads(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    try:
        d = tmp_path / "in"
        d.mkdir()
        lines = [_span_line(i) for i in range(10)]
        beyond_2262 = 2**63 + 5
        year_9999 = 253402300799 * 10**9
        lines[3] = _log_line(beyond_2262)
        lines[5] = _log_line(year_9999)
        lines[7] = "[" * 100_000 + "]" * 100_000  # deeper than any JSON reader recurses
        (d / "mixed.jsonl").write_text("\n".join(lines) + "\n")
        (d / "zipped.jsonl").write_bytes(gzip.compress(("\n".join(lines[:2]) + "\n").encode()))
        os.mkfifo(d / "pipe.jsonl")  # opening it would block until a writer comes
        result: dict = {}
        worker = threading.Thread(target=lambda: result.update(rep=load(engine, [str(d)])), daemon=True)
        worker.start()
        worker.join(120)
        assert not worker.is_alive(), "load blocked on a FIFO"
        rep = result["rep"]
        assert rep.spans == 7 and rep.logs == 0 and rep.pending_bytes == 0
        reasons = {(Path(s.path).name, s.line): s.reason for s in rep.skipped}
        assert "2262" in reasons[("mixed.jsonl", 4)] and "2262" in reasons[("mixed.jsonl", 6)]
        assert "nested too deeply" in reasons[("mixed.jsonl", 8)]
        assert "gzip" in reasons[("zipped.jsonl", 0)]
        assert "FIFO" in reasons[("pipe.jsonl", 0)]
        # nothing was stored with a changed time
        assert engine.query("SELECT count() FROM otel_logs").scalar() == 0
        # quarantined: each bad line with its reason, next to the store
        q = tmp_path / "store" / "quarantine" / "load.jsonl"
        assert rep.quarantine == str(q) and "quarantined" in rep.summary()
        held = [json.loads(x) for x in q.read_text().splitlines()]
        by_line = {(Path(h["path"]).name, h["line"]): h for h in held}
        assert json.loads(by_line[("mixed.jsonl", 4)]["record"]) == json.loads(lines[3])
        assert "2262" in by_line[("mixed.jsonl", 6)]["reason"]
        assert by_line[("zipped.jsonl", 0)]["record"] == ""
        again = load(engine, [str(d)])
        assert again.rows == 0 and [Path(s.path).name for s in again.skipped] == ["pipe.jsonl"]
    finally:
        engine.close()


def test_one_bad_record_leaves_the_others_of_its_request(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    try:
        req = json.loads(_span_line(0))
        spans = req["resourceSpans"][0]["scopeSpans"][0]["spans"]
        bad = dict(spans[0], spanId="00000000000000ff", startTimeUnixNano=str(2**64 - 1))
        spans.append(bad)
        f = tmp_path / "in" / "t.jsonl"
        f.parent.mkdir()
        f.write_text(json.dumps(req) + "\n")
        rep = load(engine, [str(f.parent)])
        assert rep.spans == 1 and len(rep.skipped) == 1 and "00000000000000ff" in rep.skipped[0].reason
    finally:
        engine.close()
