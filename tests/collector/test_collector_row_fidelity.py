"""The same data through the built collector and through agentel give the same store rows.

The collector (receiver → pdata → file exporter, no processors) normalizes what it receives the way
its ClickHouse exporter sees it: ids parsed and re-written lower-case, all-zero ids gone, enums and
numbers canonical. Its file output loaded by agentel must give, column by column, the rows agentel
gives for the original request (both load paths) — so agentel's rows do not depend on whether the
data went through a collector first (issue 15 items 1-6). The exporter's own conversion of those
values is pinned in tests/store/test_row_fidelity.py.
"""

from __future__ import annotations

import copy
import json
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from collector_process import CollectorProcess, load_config, wait_for

from agentel.store import apply, open_engine
from agentel.store.loader import load
from agentel.store.schema import SchemaOptions

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))
from test_row_fidelity import UPSTREAM_SPAN, _kv  # noqa: E402

NOW = (int(time.time()) - 600) * 1_000_000_000


def _plain_config() -> dict[str, Any]:
    """The shipped receiver, file exporters and telemetry; no processors (nothing rewrites values)."""
    cfg = load_config()
    exporters = {k: v for k, v in cfg["exporters"].items() if k.startswith("file/")}
    return {
        "extensions": {"health_check": cfg["extensions"]["health_check"]},
        "receivers": cfg["receivers"],
        "exporters": exporters,
        "service": {
            "extensions": ["health_check"],
            "telemetry": cfg["service"]["telemetry"],
            "pipelines": {
                sig: {"receivers": ["otlp"], "exporters": [f"file/{sig}"]}
                for sig in ("traces", "logs", "metrics")
            },
        },
    }


def _requests() -> dict[str, dict[str, Any]]:
    span = copy.deepcopy(UPSTREAM_SPAN)
    span["attributes"] = [a for a in span["attributes"] if a["key"] != "nanarr"]
    second = dict(span, spanId="00000000000000AB", kind=1, endTimeUnixNano=str(NOW + 9_000))
    second["attributes"] = [
        _kv("txt", {"arrayValue": {"values": [{"stringValue": 'a"\\\n'}]}}),
        _kv("n", {"intValue": "7"}),
    ]
    resource = {"attributes": [_kv("service.name", {"stringValue": "svc"}), _kv("a.z", {"doubleValue": 2.5})]}
    traces = {
        "resourceSpans": [
            {
                "resource": resource,
                "scopeSpans": [{"scope": {"name": "s", "version": "1"}, "spans": [span, second]}],
            }
        ]
    }
    logs = {
        "resourceLogs": [
            {
                "resource": resource,
                "scopeLogs": [
                    {
                        "scope": {"name": "l"},
                        "logRecords": [
                            {
                                "timeUnixNano": "0",
                                "observedTimeUnixNano": str(NOW),
                                "severityNumber": 9,
                                "body": {
                                    "kvlistValue": {
                                        "values": [
                                            _kv("z", {"doubleValue": 1e-7}),
                                            _kv("a", {"boolValue": False}),
                                        ]
                                    }
                                },
                                "attributes": [
                                    _kv("event.name", {"stringValue": "x.y"}),
                                    _kv("b", {"intValue": "1"}),
                                ],
                                "traceId": "AB" * 16,
                                "spanId": "0" * 16,
                            },
                            {"timeUnixNano": str(NOW + 1), "eventName": "e.n", "body": {"stringValue": "hi"}},
                        ],
                    }
                ],
            }
        ]
    }
    point = {
        "timeUnixNano": str(NOW),
        "startTimeUnixNano": str(NOW - 10),
        "asDouble": 1e-7,
        "attributes": [_kv("b", {"intValue": "1"}), _kv("a", {"stringValue": "x"})],
        "exemplars": [
            {"timeUnixNano": str(NOW), "asInt": "3"},
            {"timeUnixNano": str(NOW), "asDouble": 2.0, "traceId": "AA" * 16, "spanId": "BB" * 8},
        ],
    }
    metrics = {
        "resourceMetrics": [
            {
                "resource": resource,
                "scopeMetrics": [
                    {
                        "scope": {"name": "m"},
                        "metrics": [
                            {"name": "g", "gauge": {"dataPoints": [point]}},
                            {
                                "name": "s",
                                "sum": {
                                    "aggregationTemporality": 2,
                                    "isMonotonic": True,
                                    "dataPoints": [
                                        {k: v for k, v in point.items() if k != "asDouble"} | {"asInt": "5"}
                                    ],
                                },
                            },
                        ],
                    }
                ],
            }
        ]
    }
    return {"traces": traces, "logs": logs, "metrics": metrics}


TABLES = {
    "otel_traces": "SpanId",
    "otel_logs": "Timestamp",
    "otel_metrics_gauge": "MetricName",
    "otel_metrics_sum": "MetricName",
}


def _rows(engine: Any, table: str) -> list[dict[str, Any]]:
    r = engine.query(f"SELECT * FROM {table} ORDER BY {TABLES[table.split('.')[-1].removeprefix('col_')]}")
    return [dict(zip(r.columns, row, strict=True)) for row in r.rows]


def test_rows_from_the_collectors_files_equal_agentels(
    start_collector: Callable[..., CollectorProcess], tmp_path: Path
) -> None:
    col = start_collector(_plain_config())
    reqs = _requests()
    for sig, req in reqs.items():
        http = urllib.request.Request(
            f"{col.otlp_http}/v1/{sig}",
            data=json.dumps(req).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(http, timeout=10) as resp:
            assert resp.status == 200
    col.stop()  # flushes the file exporters
    wait_for(lambda: all(list(col.records(s)) for s in reqs), 10, "the collector's files")

    # agentel's own files of the same requests (one per signal), and the collector's
    ours = tmp_path / "ours"
    ours.mkdir()
    for sig, req in reqs.items():
        (ours / f"{sig}.jsonl").write_text(json.dumps(req) + "\n")
    engine = open_engine(str(tmp_path / "store"))
    try:
        apply(engine)
        apply(engine, SchemaOptions(database=engine.database, prefix="col_"))
        rep = load(engine, [str(ours)])
        assert rep.skipped == [] and (rep.spans, rep.logs, rep.metric_points) == (2, 2, 2)
        rep = load(engine, [str(col.dir / "files")], prefix="col_")
        assert rep.skipped == [] and (rep.spans, rep.logs, rep.metric_points) == (2, 2, 2)
        for table in TABLES:
            a, b = _rows(engine, table), _rows(engine, "col_" + table)
            assert len(a) == len(b) == (2 if table in ("otel_traces", "otel_logs") else 1), table
            for ra, rb in zip(a, b, strict=True):
                for column in ra:
                    assert ra[column] == rb[column], (table, column, ra[column], rb[column])
        span = _rows(engine, "otel_traces")[1]
        assert (span["TraceId"], span["ParentSpanId"], span["SpanKind"], span["StatusCode"]) == (
            "5b8efff798038103d269b633813fc60c",
            "",
            "Client",
            "Error",
        )
    finally:
        engine.close()


def test_the_collector_accepts_every_line_agentels_file_sink_writes(
    start_collector: Callable[..., CollectorProcess], tmp_path: Path
) -> None:
    """NaN, ±Infinity and an integer beyond int64 through the SDK: the collector's OTLP/JSON reader
    (pdata) takes every line agentel wrote (issue 15 item 8); before, one such line was a 400 for
    the whole batch."""
    import math

    import agentel

    d = tmp_path / "agentel"
    agentel.configure(dir=str(d), run_id="r", metrics_interval_s=0)
    with agentel.span("s", nan=math.nan, inf=math.inf, big=2**70, ok=[1.5, -math.inf]):
        agentel.event("agentel.feedback", **{"agentel.feedback.comment": "x", "score": -math.inf})
    agentel.metric("agentel.telemetry.dropped").add(1, {"agentel.signal": "spans"})
    agentel.shutdown()
    col = start_collector(_plain_config())
    sent = 0
    for sig in ("traces", "logs", "metrics"):
        for path in sorted(d.rglob(f"{sig}.jsonl")):
            for line in path.read_text().splitlines():
                http = urllib.request.Request(
                    f"{col.otlp_http}/v1/{sig}",
                    data=line.encode(),
                    headers={"Content-Type": "application/json"},
                )
                with urllib.request.urlopen(http, timeout=10) as resp:
                    assert resp.status == 200
                sent += 1
    assert sent >= 3
    col.stop()
    spans = [
        sp
        for req in col.records("traces")
        for rs in req["resourceSpans"]
        for ss in rs["scopeSpans"]
        for sp in ss["spans"]
    ]
    attrs = {kv["key"]: kv["value"] for kv in spans[0]["attributes"]}
    assert attrs["nan"] == {"doubleValue": "NaN"} and attrs["inf"] == {"doubleValue": "Infinity"}
    assert "big" not in attrs
