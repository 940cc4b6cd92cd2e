"""OTLP-JSON export requests → rows of the collector's ClickHouse tables.

Values are stringified as the collector's exporter does (``pcommon.Value.AsString``): ints in
decimal, doubles in shortest positional form, bools ``true``/``false``, arrays and maps as JSON,
bytes as base64; span kind and status as ``SPAN_KIND_*`` / ``STATUS_CODE_*``. So a row the loader
writes equals the row the collector writes for the same record.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

JSON = dict[str, Any]
_KINDS = (
    "SPAN_KIND_UNSPECIFIED",
    "SPAN_KIND_INTERNAL",
    "SPAN_KIND_SERVER",
    "SPAN_KIND_CLIENT",
    "SPAN_KIND_PRODUCER",
    "SPAN_KIND_CONSUMER",
)
_STATUS = ("STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def fmt_float(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    r = repr(v)
    if "e" in r or "E" in r:
        r = format(v, ".20f").rstrip("0")
    if r.endswith(".0"):
        r = r[:-2]
    elif r.endswith("."):
        r = r[:-1]
    return r


def _raw(value: JSON) -> Any:
    """An OTLP AnyValue as a plain Python value (for JSON rendering of arrays/maps)."""
    if "stringValue" in value:
        return value["stringValue"]
    if "intValue" in value:
        return int(value["intValue"])
    if "doubleValue" in value:
        return float(value["doubleValue"])
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "arrayValue" in value:
        return [_raw(v) for v in value["arrayValue"].get("values", [])]
    if "kvlistValue" in value:
        return {kv["key"]: _raw(kv.get("value", {})) for kv in value["kvlistValue"].get("values", [])}
    if "bytesValue" in value:
        return value["bytesValue"]
    return None


def as_string(value: JSON) -> str:
    """pcommon.Value.AsString for an OTLP-JSON AnyValue."""
    if "stringValue" in value:
        return str(value["stringValue"])
    if "intValue" in value:
        return str(int(value["intValue"]))
    if "doubleValue" in value:
        return fmt_float(float(value["doubleValue"]))
    if "boolValue" in value:
        return "true" if value["boolValue"] else "false"
    if "arrayValue" in value or "kvlistValue" in value:
        return json.dumps(_raw(value), separators=(",", ":"), ensure_ascii=False)
    if "bytesValue" in value:
        return str(value["bytesValue"])
    return ""


def attr_map(attrs: list[JSON] | None) -> dict[str, str]:
    if not attrs:
        return {}
    return {kv["key"]: as_string(kv.get("value") or {}) for kv in attrs}


def ts(nanos: Any) -> str:
    """Unix nanoseconds (string or int) → a DateTime64(9) literal ClickHouse parses exactly."""
    n = int(nanos or 0)
    sec, frac = divmod(n, 1_000_000_000)
    return f"{datetime.fromtimestamp(sec, timezone.utc):%Y-%m-%d %H:%M:%S}.{frac:09d}"


def span_rows(req: JSON) -> Iterator[JSON]:
    """Rows of ``otel_traces`` from one ExportTraceServiceRequest."""
    for rs in req.get("resourceSpans") or ():
        res = attr_map((rs.get("resource") or {}).get("attributes"))
        service = res.get("service.name", "")
        for ss in rs.get("scopeSpans") or ():
            scope = ss.get("scope") or {}
            sname, sversion = scope.get("name", ""), scope.get("version", "")
            for sp in ss.get("spans") or ():
                start = int(sp.get("startTimeUnixNano") or 0)
                end = int(sp.get("endTimeUnixNano") or 0)
                status = sp.get("status") or {}
                events = sp.get("events") or ()
                links = sp.get("links") or ()
                yield {
                    "Timestamp": ts(start),
                    "TraceId": sp.get("traceId", ""),
                    "SpanId": sp.get("spanId", ""),
                    "ParentSpanId": sp.get("parentSpanId", ""),
                    "TraceState": sp.get("traceState", ""),
                    "SpanName": sp.get("name", ""),
                    "SpanKind": _KINDS[int(sp.get("kind", 0)) % len(_KINDS)],
                    "ServiceName": service,
                    "ResourceAttributes": res,
                    "ScopeName": sname,
                    "ScopeVersion": sversion,
                    "SpanAttributes": attr_map(sp.get("attributes")),
                    "Duration": max(0, end - start),
                    "StatusCode": _STATUS[int(status.get("code", 0)) % 3],
                    "StatusMessage": status.get("message", ""),
                    "Events.Timestamp": [ts(e.get("timeUnixNano")) for e in events],
                    "Events.Name": [e.get("name", "") for e in events],
                    "Events.Attributes": [attr_map(e.get("attributes")) for e in events],
                    "Links.TraceId": [lk.get("traceId", "") for lk in links],
                    "Links.SpanId": [lk.get("spanId", "") for lk in links],
                    "Links.TraceState": [lk.get("traceState", "") for lk in links],
                    "Links.Attributes": [attr_map(lk.get("attributes")) for lk in links],
                }


def log_rows(req: JSON) -> Iterator[JSON]:
    """Rows of ``otel_logs`` from one ExportLogsServiceRequest."""
    for rl in req.get("resourceLogs") or ():
        resource = rl.get("resource") or {}
        res = attr_map(resource.get("attributes"))
        service = res.get("service.name", "")
        for sl in rl.get("scopeLogs") or ():
            scope = sl.get("scope") or {}
            sattrs = attr_map(scope.get("attributes"))
            for lr in sl.get("logRecords") or ():
                t = lr.get("timeUnixNano") or lr.get("observedTimeUnixNano") or 0
                attrs = attr_map(lr.get("attributes"))
                yield {
                    "Timestamp": ts(t),
                    "TraceId": lr.get("traceId", ""),
                    "SpanId": lr.get("spanId", ""),
                    "TraceFlags": int(lr.get("flags", 0)) & 0xFF,
                    "SeverityText": lr.get("severityText", ""),
                    "SeverityNumber": int(lr.get("severityNumber", 0)),
                    "ServiceName": service,
                    "Body": as_string(lr.get("body") or {}),
                    "ResourceSchemaUrl": rl.get("schemaUrl", ""),
                    "ResourceAttributes": res,
                    "ScopeSchemaUrl": sl.get("schemaUrl", ""),
                    "ScopeName": scope.get("name", ""),
                    "ScopeVersion": scope.get("version", ""),
                    "ScopeAttributes": sattrs,
                    "LogAttributes": attrs,
                    "EventName": lr.get("eventName") or attrs.get("event.name", ""),
                }


def _exemplars(points: JSON) -> JSON:
    ex = points.get("exemplars") or ()
    return {
        "Exemplars.FilteredAttributes": [attr_map(e.get("filteredAttributes")) for e in ex],
        "Exemplars.TimeUnix": [ts(e.get("timeUnixNano")) for e in ex],
        "Exemplars.Value": [float(e.get("asDouble", e.get("asInt", 0)) or 0) for e in ex],
        "Exemplars.SpanId": [e.get("spanId", "") for e in ex],
        "Exemplars.TraceId": [e.get("traceId", "") for e in ex],
    }


def metric_rows(req: JSON) -> Iterator[tuple[str, JSON]]:
    """(table suffix, row) pairs for the ``otel_metrics_*`` tables from one ExportMetricsServiceRequest."""
    for rm in req.get("resourceMetrics") or ():
        resource = rm.get("resource") or {}
        res = attr_map(resource.get("attributes"))
        for sm in rm.get("scopeMetrics") or ():
            scope = sm.get("scope") or {}
            base = {
                "ResourceAttributes": res,
                "ResourceSchemaUrl": rm.get("schemaUrl", ""),
                "ScopeName": scope.get("name", ""),
                "ScopeVersion": scope.get("version", ""),
                "ScopeAttributes": attr_map(scope.get("attributes")),
                "ScopeDroppedAttrCount": int(scope.get("droppedAttributesCount", 0)),
                "ScopeSchemaUrl": sm.get("schemaUrl", ""),
                "ServiceName": res.get("service.name", ""),
            }
            for m in sm.get("metrics") or ():
                head = {
                    **base,
                    "MetricName": m.get("name", ""),
                    "MetricDescription": m.get("description", ""),
                    "MetricUnit": m.get("unit", ""),
                }
                for kind in ("gauge", "sum", "histogram", "exponentialHistogram", "summary"):
                    data = m.get(kind)
                    if data is None:
                        continue
                    table = "exponential_histogram" if kind == "exponentialHistogram" else kind
                    for p in data.get("dataPoints") or ():
                        row = {
                            **head,
                            "Attributes": attr_map(p.get("attributes")),
                            "StartTimeUnix": ts(p.get("startTimeUnixNano")),
                            "TimeUnix": ts(p.get("timeUnixNano")),
                            "Flags": int(p.get("flags", 0)),
                        }
                        if kind in ("gauge", "sum"):
                            row["Value"] = (
                                float(p["asDouble"]) if "asDouble" in p else float(int(p.get("asInt", 0)))
                            )
                            row.update(_exemplars(p))
                            if kind == "sum":
                                row["AggregationTemporality"] = int(data.get("aggregationTemporality", 0))
                                row["IsMonotonic"] = bool(data.get("isMonotonic", False))
                        elif kind == "histogram":
                            row.update(
                                Count=int(p.get("count", 0)),
                                Sum=float(p.get("sum", 0) or 0),
                                BucketCounts=[int(c) for c in p.get("bucketCounts", [])],
                                ExplicitBounds=[float(b) for b in p.get("explicitBounds", [])],
                                Min=float(p.get("min", 0) or 0),
                                Max=float(p.get("max", 0) or 0),
                                AggregationTemporality=int(data.get("aggregationTemporality", 0)),
                            )
                            row.update(_exemplars(p))
                        elif kind == "exponentialHistogram":
                            pos, neg = p.get("positive") or {}, p.get("negative") or {}
                            row.update(
                                Count=int(p.get("count", 0)),
                                Sum=float(p.get("sum", 0) or 0),
                                Scale=int(p.get("scale", 0)),
                                ZeroCount=int(p.get("zeroCount", 0)),
                                PositiveOffset=int(pos.get("offset", 0)),
                                PositiveBucketCounts=[int(c) for c in pos.get("bucketCounts", [])],
                                NegativeOffset=int(neg.get("offset", 0)),
                                NegativeBucketCounts=[int(c) for c in neg.get("bucketCounts", [])],
                                Min=float(p.get("min", 0) or 0),
                                Max=float(p.get("max", 0) or 0),
                                AggregationTemporality=int(data.get("aggregationTemporality", 0)),
                            )
                            row.update(_exemplars(p))
                        else:
                            qs = p.get("quantileValues") or ()
                            row.update(
                                Count=int(p.get("count", 0)),
                                Sum=float(p.get("sum", 0) or 0),
                                **{
                                    "ValueAtQuantiles.Quantile": [float(q.get("quantile", 0)) for q in qs],
                                    "ValueAtQuantiles.Value": [float(q.get("value", 0)) for q in qs],
                                },
                            )
                        yield table, row
