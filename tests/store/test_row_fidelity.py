"""Rows equal the collector ClickHouse exporter's (v0.161.0, the version our collector is built from).

Expected values come from the exporter's own row conversion, read in its sources (Go module cache
of `make collector`, .../clickhouseexporter@v0.161.0 and pdata@v1.67.0):

- exporter_traces.go: ``span.Kind().String()`` / ``spanStatus.Code().String()`` (pdata
  ptrace/span_kind.go, status_code.go: "Client", "Error"); ``traceutil.SpanIDToHexOrEmptyString``
  (lower-case hex, '' for an all-zero id); ``Duration = span.EndTimestamp() - span.StartTimestamp()``
  (uint64: wraps);
- internal/util.go ``AttributesToMap``: clickhouse-go ``orderedmap.CollectN`` sorts the keys;
  values are ``pcommon.Value.AsString`` (pcommon/value.go: ``float64AsString`` ES6 numbers,
  ``marshalJSONNoHTMLEscape`` for arrays/maps);
- exporter_logs.go: ``timestamp = r.ObservedTimestamp()`` when ``r.Timestamp() == 0``; EventName
  is ``r.EventName()``;
- internal/metrics/metrics_model.go ``convertExemplars``: ``hex.EncodeToString(traceID[:])`` (zeros
  for an absent id).

Both load paths (the engine's JSON reader and the Python rows) and the direct ClickHouse sink must
give the same row.
"""

from __future__ import annotations

import json
import math
import random
import time
from pathlib import Path
from typing import Any

import pytest

from agentel.store import apply, open_engine
from agentel.store.engine import Engine
from agentel.store.loader import load
from agentel.store.rows import as_string, log_rows, metric_rows, span_rows
from agentel.store.schema import SchemaOptions

NOW = (int(time.time()) - 600) * 1_000_000_000


def _kv(key: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"key": key, "value": value}


def _spans_request(spans: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [_kv("service.name", {"stringValue": "svc"}), _kv("a.z", {"intValue": "1"})]
                },
                "scopeSpans": [{"scope": {"name": "s", "version": "1"}, "spans": spans}],
            }
        ]
    }


UPSTREAM_SPAN = {
    "traceId": "5B8EFFF798038103D269B633813FC60C",
    "spanId": "EEE19B7EC3C1B174",
    "parentSpanId": "0000000000000000",
    "name": "chat",
    "kind": 3,
    "startTimeUnixNano": str(NOW + 2_000),
    "endTimeUnixNano": str(NOW),  # ends before it starts
    "attributes": [
        _kv("zeta", {"doubleValue": 1e-7}),
        _kv("alpha", {"doubleValue": 1e-25}),
        _kv("mid", {"doubleValue": 0.25}),
        _kv("big", {"doubleValue": 1e21}),
        _kv("nan", {"doubleValue": "NaN"}),
        _kv("inf", {"doubleValue": "-Infinity"}),
        _kv("reasons", {"arrayValue": {"values": [{"stringValue": "stop"}, {"stringValue": "<b>&"}]}}),
        _kv(
            "nested",
            {
                "arrayValue": {
                    "values": [{"arrayValue": {"values": [{"intValue": "1"}]}}, {"doubleValue": 1e-7}]
                }
            },
        ),
        _kv(
            "map",
            {"kvlistValue": {"values": [_kv("b", {"boolValue": True}), _kv("a", {"stringValue": "x"})]}},
        ),
        _kv("nanarr", {"arrayValue": {"values": [{"doubleValue": "NaN"}]}}),
    ],
    "links": [{"traceId": "5B8EFFF798038103D269B633813FC60C", "spanId": "00000000000000AA"}],
    "status": {"code": 2},
}

UPSTREAM_ROW = {
    "TraceId": "5b8efff798038103d269b633813fc60c",
    "SpanId": "eee19b7ec3c1b174",
    "ParentSpanId": "",
    "SpanKind": "Client",
    "StatusCode": "Error",
    "Duration": 2**64 - 2_000,
    "SpanAttributes": {
        "alpha": "1e-25",
        "big": "1e+21",
        "inf": "-Infinity",
        "map": '{"a":"x","b":true}',
        "mid": "0.25",
        "nan": "NaN",
        "nanarr": "",
        "nested": "[[1],1e-7]",
        "reasons": '["stop","<b>&"]',
        "zeta": "1e-7",
    },
    "Links.TraceId": ["5b8efff798038103d269b633813fc60c"],
    "Links.SpanId": ["00000000000000aa"],
    "ResourceAttributes": {"a.z": "1", "service.name": "svc"},
}


def _columns(engine: Engine, table: str, where: str = "1") -> list[dict[str, Any]]:
    r = engine.query(f"SELECT * FROM {table} WHERE {where} ORDER BY SpanId, SpanName")
    return [dict(zip(r.columns, row, strict=True)) for row in r.rows]


def test_python_rows_equal_the_exporters() -> None:
    (row,) = span_rows(_spans_request([UPSTREAM_SPAN]))
    got = {k: row[k] for k in UPSTREAM_ROW}
    assert got == UPSTREAM_ROW
    assert list(row["SpanAttributes"]) == sorted(row["SpanAttributes"])  # keys sorted, as the exporter's


def test_both_load_paths_and_the_direct_sink_write_the_same_row(tmp_path: Path) -> None:
    """The engine's reader (embedded fast path) and the Python rows give equal rows, column by column."""
    engine = open_engine(str(tmp_path / "store"))
    try:
        apply(engine)
        apply(engine, SchemaOptions(database=engine.database, prefix="py_"))
        rng = random.Random(15)
        spans = [UPSTREAM_SPAN]
        doubles = [0.1, 1e-6, 9.99e-7, 1e20, 1.5e300, -0.0, 3.0, 5e-324, 2.5e-6, 123456.789, 1 / 3]
        for i in range(200):
            d = rng.choice(doubles) * rng.choice([1, -1, 10.0 ** rng.randint(-30, 30)])
            d = d if math.isfinite(d) else 1.5e300
            spans.append(
                {
                    "traceId": f"{rng.getrandbits(128):032X}",
                    "spanId": f"{i + 1:016x}",
                    "parentSpanId": rng.choice(["", "0" * 16, f"{rng.getrandbits(64):016X}"]),
                    "name": f"s{i}",
                    "kind": rng.randint(0, 5),
                    "startTimeUnixNano": str(NOW + i),
                    "endTimeUnixNano": str(NOW + rng.randint(-5, 5_000_000)),
                    "attributes": [
                        _kv(f"k{rng.randint(0, 9)}", {"doubleValue": d}),
                        # (an array double of 2**64 or more makes the engine's JSON functions give up:
                        # such a line goes line by line, as the upstream span below does)
                        _kv(
                            "arr",
                            {
                                "arrayValue": {
                                    "values": [
                                        {"doubleValue": d if abs(d) < 1e19 else 0.5},
                                        {"intValue": str(i)},
                                        {"boolValue": True},
                                        {},
                                    ]
                                }
                            },
                        ),
                        _kv("txt", {"arrayValue": {"values": [{"stringValue": 'q"\\\n\t/é'}]}}),
                        _kv("a0", {"stringValue": "x"}),
                    ],
                    "events": [
                        {
                            "timeUnixNano": str(NOW),
                            "name": "e",
                            "attributes": [_kv("z", {"intValue": "2"}), _kv("y", {"doubleValue": d})],
                        }
                    ],
                    "status": {"code": rng.randint(0, 2), "message": "m"},
                }
            )
        req = _spans_request(spans)
        from agentel.store import loader

        # flat values: the engine's reader takes them all itself
        f = tmp_path / "fast.jsonl"
        f.write_text("\n".join(json.dumps(_spans_request([s])) for s in spans[1:]) + "\n")
        assert loader._fast_traces(engine, "", str(f), f.read_bytes(), whole_file=True) == len(spans) - 1
        # a map or a nested array: the engine refuses it and the loader goes line by line
        g = tmp_path / "in" / "traces.jsonl"
        g.parent.mkdir()
        g.write_text(json.dumps(_spans_request(spans[:1])) + "\n")
        assert loader._fast_traces(engine, "", str(g), g.read_bytes(), whole_file=True) is None
        rep = load(engine, [str(tmp_path / "in")])
        assert rep.spans == 1 and rep.skipped == []
        payload = "\n".join(json.dumps(r) for r in span_rows(req)) + "\n"
        engine.insert_jsonl(f"{engine.database}.py_otel_traces", payload.encode())
        fast, slow = _columns(engine, "otel_traces"), _columns(engine, "py_otel_traces")
        assert len(fast) == len(slow) == len(spans)
        for a, b in zip(fast, slow, strict=True):
            for col in a:
                assert a[col] == b[col], (col, a["SpanId"], a[col], b[col])
        up = next(r for r in fast if r["SpanId"] == "eee19b7ec3c1b174")
        assert {k: up[k] for k in ("TraceId", "ParentSpanId", "SpanKind", "StatusCode", "Duration")} == {
            k: UPSTREAM_ROW[k] for k in ("TraceId", "ParentSpanId", "SpanKind", "StatusCode", "Duration")
        }
        assert dict(up["SpanAttributes"]) == UPSTREAM_ROW["SpanAttributes"]
    finally:
        engine.close()


def test_the_fast_path_takes_plain_spans_itself(tmp_path: Path) -> None:
    """Flat values (strings, ints, doubles, bools, arrays of them) need no fallback."""
    from agentel.store import loader

    engine = open_engine(str(tmp_path / "store"))
    try:
        apply(engine)
        span = {k: v for k, v in UPSTREAM_SPAN.items() if k != "attributes"}
        span["attributes"] = [
            a for a in UPSTREAM_SPAN["attributes"] if a["key"] in ("zeta", "alpha", "mid", "big", "reasons")
        ]
        f = tmp_path / "t.jsonl"
        f.write_text(json.dumps(_spans_request([span])) + "\n")
        assert loader._fast_traces(engine, "", str(f), f.read_bytes(), whole_file=True) == 1
        (row,) = _columns(engine, "otel_traces")
        (want,) = span_rows(_spans_request([span]))
        assert dict(row["SpanAttributes"]) == want["SpanAttributes"]
    finally:
        engine.close()


def test_direct_sink_rows_are_the_loaders() -> None:
    """The ClickHouse sink builds its rows from the SDK span through the same conversion."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.trace import SpanKind, Status, StatusCode

    from agentel.sinks.clickhouse import ClickHouseSpanExporter

    class Catch:
        payloads: list[bytes] = []

        def submit(self, table: str, payload: bytes, rows: int) -> None:
            self.payloads.append(payload)

    shipper = Catch()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(ClickHouseSpanExporter(shipper, "agentel")))  # type: ignore[arg-type]
    with provider.get_tracer("t").start_as_current_span("root", kind=SpanKind.CLIENT) as sp:
        sp.set_attribute("z", 1e-7)
        sp.set_attribute("a", [0.5, 1e21])
        sp.set_status(Status(StatusCode.ERROR))
    provider.shutdown()
    row = json.loads(shipper.payloads[0])
    assert (row["SpanKind"], row["StatusCode"], row["ParentSpanId"]) == ("Client", "Error", "")
    assert row["SpanAttributes"] == {"a": "[0.5,1e+21]", "z": "1e-7"}
    assert row["TraceId"] == row["TraceId"].lower() and len(row["TraceId"]) == 32


def test_log_time_zero_uses_observed_time_and_event_name_only_from_the_record() -> None:
    req = {
        "resourceLogs": [
            {
                "scopeLogs": [
                    {
                        "logRecords": [
                            {
                                "timeUnixNano": "0",
                                "observedTimeUnixNano": str(NOW),
                                "attributes": [_kv("event.name", {"stringValue": "x.y"})],
                                "traceId": "AB" * 16,
                                "spanId": "0" * 16,
                            }
                        ]
                    }
                ]
            }
        ]
    }
    (row,) = log_rows(req)
    assert row["Timestamp"].startswith(time.strftime("%Y-%m-%d", time.gmtime(NOW // 10**9)))
    assert (row["EventName"], row["TraceId"], row["SpanId"]) == ("", "ab" * 16, "")


def test_exemplar_ids_are_hex_zeros_when_absent() -> None:
    req = {
        "resourceMetrics": [
            {
                "scopeMetrics": [
                    {
                        "metrics": [
                            {
                                "name": "m",
                                "gauge": {
                                    "dataPoints": [
                                        {
                                            "timeUnixNano": str(NOW),
                                            "asDouble": 1.0,
                                            "attributes": [
                                                _kv("b", {"intValue": "1"}),
                                                _kv("a", {"intValue": "2"}),
                                            ],
                                            "exemplars": [
                                                {"timeUnixNano": str(NOW), "asInt": "3"},
                                                {
                                                    "timeUnixNano": str(NOW),
                                                    "asDouble": 2.0,
                                                    "traceId": "AA" * 16,
                                                    "spanId": "BB" * 8,
                                                },
                                            ],
                                        }
                                    ]
                                },
                            }
                        ]
                    }
                ]
            }
        ]
    }
    ((_, row),) = metric_rows(req)
    assert row["Exemplars.TraceId"] == ["0" * 32, "aa" * 16]
    assert row["Exemplars.SpanId"] == ["0" * 16, "bb" * 8]
    assert list(row["Attributes"]) == ["a", "b"]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"doubleValue": 1e-7}, "1e-7"),
        ({"doubleValue": 1e-25}, "1e-25"),
        ({"doubleValue": 0.000001}, "0.000001"),
        ({"doubleValue": 1e20}, "100000000000000000000"),
        ({"doubleValue": 1e21}, "1e+21"),
        ({"doubleValue": "Infinity"}, "Infinity"),
        ({"doubleValue": -0.0}, "-0"),
        ({"arrayValue": {"values": [{"stringValue": "\u2028<"}]}}, '["\\u2028<"]'),
        (
            {"kvlistValue": {"values": [_kv("b", {}), _kv("a", {"doubleValue": 1e21})]}},
            '{"a":1e+21,"b":null}',
        ),
    ],
)
def test_as_string_is_pcommons(value: dict[str, Any], text: str) -> None:
    assert as_string(value) == text


def test_migration_rewrites_old_spellings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from agentel.store import schema

    files = schema.migration_files()
    engine = open_engine(str(tmp_path / "store"))
    try:
        monkeypatch.setattr(schema, "migration_files", lambda: [f for f in files if f[0] < "010"])
        apply(engine)
        old = {
            "Timestamp": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(NOW // 10**9)),
            "SpanId": "1",
            "SpanKind": "SPAN_KIND_CLIENT",
            "StatusCode": "STATUS_CODE_OK",
            "SpanName": "a",
        }
        engine.insert_jsonl(f"{engine.database}.otel_traces", (json.dumps(old) + "\n").encode())
        monkeypatch.setattr(schema, "migration_files", lambda: files)
        assert "010_exporter_enum_spelling.sql" in apply(engine)
        deadline = time.monotonic() + 30
        while True:
            rows = engine.query("SELECT SpanKind, StatusCode FROM otel_traces").rows
            if rows == [("Client", "Ok")] or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert rows == [("Client", "Ok")]
    finally:
        engine.close()


def test_a_root_with_a_zero_parent_and_upper_case_ids_is_found_by_runs_and_run_info(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The example spans' upper-case ids and all-zero parent: `agentel runs` lists the root and
    `agentel run-info` finds it by the lower-case id every other tool prints."""
    from click.testing import CliRunner

    from agentel.cli import cli

    d = tmp_path / "agentel"
    d.mkdir(exist_ok=True)
    span = dict(UPSTREAM_SPAN, endTimeUnixNano=str(NOW + 5_000))
    (d / "traces.jsonl").write_text(json.dumps(_spans_request([span])) + "\n")
    monkeypatch.setenv("AGENTEL_DIR", str(d))
    runs = CliRunner().invoke(cli, ["runs", "--format", "json"])
    assert runs.exit_code == 0, runs.output
    assert [r["trace_id"] for r in json.loads(runs.output)] == ["5b8efff798038103d269b633813fc60c"]
    info = CliRunner().invoke(cli, ["run-info", "5b8efff798038103d269b633813fc60c"])
    assert info.exit_code == 0 and "chat" in info.output, info.output
