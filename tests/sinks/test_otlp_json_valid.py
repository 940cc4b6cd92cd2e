"""Files any OTLP parser accepts (issue 15 item 8): NaN, ±Infinity and integers beyond int64 in
every writer path (spans, span events and links, logs, metrics) give lines that
``google.protobuf.json_format`` parses into the export request. NaN/±Infinity are the proto3 JSON
strings; an integer beyond int64 is left out, as the official protobuf encoder does."""

from __future__ import annotations

import math
from pathlib import Path

import agentel
from agentel.sinks.otlp_json import encode_value
from otlp_json_check import parse_request

HOSTILE = {
    "nan": math.nan,
    "inf": math.inf,
    "ninf": -math.inf,
    "big": 2**70,
    "big_list": [1, 2**64],
    "ok": 3,
    "floats": [math.nan, 1.5],
}


def _lines(d: Path, name: str) -> list[str]:
    return [ln for p in sorted(d.rglob(name)) for ln in p.read_text().splitlines() if ln.strip()]


def test_every_line_of_every_writer_parses_as_the_export_request(tmp_path: Path) -> None:
    d = tmp_path / "out"
    agentel.configure(dir=str(d), run_id="r", metrics_interval_s=0)
    with agentel.span("s", **HOSTILE):
        agentel.event("agentel.feedback", **{"agentel.feedback.comment": "x", "score": math.inf})
    agentel.metric("agentel.telemetry.dropped").add(1, {"agentel.signal": "spans"})
    import logging

    logging.getLogger("t").warning("w", extra={"weird": math.nan})
    agentel.shutdown()
    traces, logs, metrics = _lines(d, "traces.jsonl"), _lines(d, "logs.jsonl"), _lines(d, "metrics.jsonl")
    assert traces and logs and metrics
    for line in traces + logs + metrics:
        parse_request(line)  # raises on an invalid line
    req = parse_request(traces[0])
    attrs = {kv.key: kv.value for kv in req.resource_spans[0].scope_spans[0].spans[0].attributes}
    assert math.isnan(attrs["nan"].double_value) and attrs["inf"].double_value == math.inf
    assert attrs["ninf"].double_value == -math.inf and attrs["ok"].int_value == 3
    assert "big" not in attrs and "big_list" not in attrs  # dropped, as the official encoder does
    assert math.isnan(attrs["floats"].array_value.values[0].double_value)


def test_encode_value_spells_non_finite_doubles_as_proto3_json() -> None:
    assert encode_value(math.nan) == {"doubleValue": "NaN"}
    assert encode_value(-math.inf) == {"doubleValue": "-Infinity"}
    assert encode_value(2**63 - 1) == {"intValue": str(2**63 - 1)}


def test_the_store_reads_non_finite_values_back(tmp_path: Path) -> None:
    from agentel.sinks.otlp_json import encode_attributes
    from agentel.store.rows import span_rows

    attrs = encode_attributes({"a": math.nan, "b": -math.inf, "c": 2**64})
    req = {
        "resourceSpans": [
            {
                "scopeSpans": [
                    {
                        "spans": [
                            {
                                "traceId": "1" * 32,
                                "spanId": "1" * 16,
                                "attributes": attrs,
                                "startTimeUnixNano": "1",
                            }
                        ]
                    }
                ]
            }
        ]
    }
    (row,) = span_rows(req)
    assert row["SpanAttributes"] == {"a": "NaN", "b": "-Infinity"}
