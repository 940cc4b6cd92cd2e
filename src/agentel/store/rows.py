"""OTLP-JSON export requests → rows of the collector's ClickHouse tables.

Every value is what the collector's ClickHouse exporter (v0.161.0, the version our collector is
built from) writes for the same record after pdata has parsed the request:

- attribute values as ``pcommon.Value.AsString``: ints in decimal; doubles as ES6 numbers (``0.25``,
  ``1e-7``, ``1e+21``; ``NaN``, ``Infinity``, ``-Infinity``); bools ``true``/``false``; bytes as
  base64; arrays and maps as Go ``encoding/json`` without HTML escaping (map keys sorted; an array
  or map holding NaN/±Inf becomes ``''``, as Go's encoder refuses it);
- map columns with their keys sorted (clickhouse-go's ordered map sorts them);
- span kind and status as pdata spells them: ``Unspecified|Internal|Server|Client|Producer|Consumer``,
  ``Unset|Ok|Error``;
- trace/span ids lower-case hex, ``''`` when absent or all zero (exemplars: always hex, zeros when
  absent, as the exporter's ``hex.EncodeToString``);
- a log record's time is its ``observedTimeUnixNano`` when ``timeUnixNano`` is 0; ``EventName`` is
  the record's ``eventName`` only; ``Duration`` is ``end - start`` in unsigned 64-bit arithmetic
  (a span ending before it starts wraps, as the exporter's ``pcommon.Timestamp`` subtraction).

Deliberate differences are listed in docs/storage.md. A timestamp the store cannot hold
(DateTime64(9): after 2262-04-11) raises :class:`BadRecord`; the loader skips that record and
reports it, never stores a changed time.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

JSON = dict[str, Any]
KINDS = ("Unspecified", "Internal", "Server", "Client", "Producer", "Consumer")
STATUS = ("Unset", "Ok", "Error")
_MAX_NS = (1 << 63) - 1  # DateTime64(9) ends at 2262-04-11 23:47:16.854775807
_U64 = 1 << 64


class BadRecord(ValueError):
    """One record the store cannot hold as it is (the rest of its request still loads)."""


def _es6(v: float) -> str:
    """A finite double as Go's encoding/json (and pcommon) write it: ES6 number to string."""
    a = abs(v)
    if a != 0 and (a < 1e-6 or a >= 1e21):
        r = repr(v)  # shortest digits; Python uses the exponent form over this whole range
        mant, _, exp = r.partition("e")
        sign = "-" if exp.startswith("-") else "+"
        digits = exp.lstrip("+-").lstrip("0") or "0"
        if mant.endswith(".0"):
            mant = mant[:-2]
        return f"{mant}e{sign}{digits}"
    r = format(Decimal(repr(v)), "f")
    if "." in r:
        r = r.rstrip("0").rstrip(".")
    return r


def fmt_float(v: float) -> str:
    """pcommon's float64AsString."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return _es6(v)


def _double(value: Any) -> float:
    """An OTLP/JSON double: a number, or the strings "NaN", "Infinity", "-Infinity"."""
    return float(value)


def _go_dump(o: Any) -> str:
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if isinstance(o, int):
        return str(o)
    if isinstance(o, float):
        if math.isnan(o) or math.isinf(o):
            raise ValueError("NaN or Infinity in a JSON value")
        return _es6(o)
    if isinstance(o, str):
        s = json.dumps(o, ensure_ascii=False)
        # Go escapes U+2028/U+2029 too; a lone surrogate (from a \\ud800 escape) becomes U+FFFD
        s = s.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        if any("\ud800" <= ch <= "\udfff" for ch in s):
            s = "".join("\\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in s)
        return s
    if isinstance(o, list):
        return "[" + ",".join(_go_dump(x) for x in o) + "]"
    return "{" + ",".join(_go_dump(str(k)) + ":" + _go_dump(o[k]) for k in sorted(o)) + "}"


def _go_json(raw: Any) -> str:
    """Go's json.Encoder with SetEscapeHTML(false), as pcommon renders arrays and maps."""
    try:
        return _go_dump(raw)
    except ValueError:
        return ""  # Go's encoder refuses NaN/±Inf; pcommon ignores the error and writes ''


def _raw(value: JSON) -> Any:
    """An OTLP AnyValue as pcommon's AsRaw (for JSON rendering of arrays/maps)."""
    if "stringValue" in value:
        return value["stringValue"]
    if "intValue" in value:
        return int(value["intValue"])
    if "doubleValue" in value:
        return _double(value["doubleValue"])
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "arrayValue" in value:
        return [_raw(v) for v in (value["arrayValue"] or {}).get("values") or ()]
    if "kvlistValue" in value:
        return {
            kv["key"]: _raw(kv.get("value") or {}) for kv in (value["kvlistValue"] or {}).get("values") or ()
        }
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
        return fmt_float(_double(value["doubleValue"]))
    if "boolValue" in value:
        return "true" if value["boolValue"] else "false"
    if "arrayValue" in value or "kvlistValue" in value:
        return _go_json(_raw(value))
    if "bytesValue" in value:
        return str(value["bytesValue"])
    return ""


def attr_map(attrs: list[JSON] | None) -> dict[str, str]:
    """Attributes as the exporter's map column: values stringified, keys sorted."""
    if not attrs:
        return {}
    m = {kv["key"]: as_string(kv.get("value") or {}) for kv in attrs}
    return dict(sorted(m.items()))


def hex_id(value: Any) -> str:
    """A trace/span id as the exporter writes it: lower-case hex, '' when absent or all zero."""
    if not value:
        return ""
    s = str(value).lower()
    return "" if not s.strip("0") else s


def _hex_or_zeros(value: Any, width: int) -> str:
    return str(value).lower() if value else "0" * width


def nanos(value: Any, what: str = "timestamp") -> int:
    n = int(value or 0)
    if n < 0 or n > _MAX_NS:
        raise BadRecord(
            f"{what} {n} ns is outside what the store can hold (1970-01-01 .. 2262-04-11); "
            "the record was not loaded"
        )
    return n


def ts(value: Any, what: str = "timestamp") -> str:
    """Unix nanoseconds (string or int) → a DateTime64(9) literal ClickHouse parses exactly."""
    sec, frac = divmod(nanos(value, what), 1_000_000_000)
    return f"{datetime.fromtimestamp(sec, timezone.utc):%Y-%m-%d %H:%M:%S}.{frac:09d}"


def _enum(names: tuple[str, ...], value: Any) -> str:
    i = int(value or 0)
    return names[i] if 0 <= i < len(names) else ""


def _skip(bad: list[str] | None, what: str, exc: ValueError) -> None:
    if bad is None:
        raise exc
    bad.append(f"{what}: {exc}")


def span_rows(req: JSON, bad: list[str] | None = None) -> Iterator[JSON]:
    """Rows of ``otel_traces`` from one ExportTraceServiceRequest.

    With ``bad`` given, a record that cannot be stored as it is (:class:`BadRecord`) is left out and
    its reason appended there; without, it raises.
    """
    for rs in req.get("resourceSpans") or ():
        res = attr_map((rs.get("resource") or {}).get("attributes"))
        service = res.get("service.name", "")
        for ss in rs.get("scopeSpans") or ():
            scope = ss.get("scope") or {}
            sname, sversion = scope.get("name", ""), scope.get("version", "")
            for sp in ss.get("spans") or ():
                try:
                    start = nanos(sp.get("startTimeUnixNano"), "span start")
                    end = int(sp.get("endTimeUnixNano") or 0)
                    status = sp.get("status") or {}
                    events = sp.get("events") or ()
                    links = sp.get("links") or ()
                    row = {
                        "Timestamp": ts(start),
                        "TraceId": hex_id(sp.get("traceId")),
                        "SpanId": hex_id(sp.get("spanId")),
                        "ParentSpanId": hex_id(sp.get("parentSpanId")),
                        "TraceState": sp.get("traceState", ""),
                        "SpanName": sp.get("name", ""),
                        "SpanKind": _enum(KINDS, sp.get("kind")),
                        "ServiceName": service,
                        "ResourceAttributes": res,
                        "ScopeName": sname,
                        "ScopeVersion": sversion,
                        "SpanAttributes": attr_map(sp.get("attributes")),
                        "Duration": (end - start) % _U64,
                        "StatusCode": _enum(STATUS, status.get("code")),
                        "StatusMessage": status.get("message", ""),
                        "Events.Timestamp": [ts(e.get("timeUnixNano"), "event time") for e in events],
                        "Events.Name": [e.get("name", "") for e in events],
                        "Events.Attributes": [attr_map(e.get("attributes")) for e in events],
                        "Links.TraceId": [hex_id(lk.get("traceId")) for lk in links],
                        "Links.SpanId": [hex_id(lk.get("spanId")) for lk in links],
                        "Links.TraceState": [lk.get("traceState", "") for lk in links],
                        "Links.Attributes": [attr_map(lk.get("attributes")) for lk in links],
                    }
                except BadRecord as exc:
                    _skip(bad, f"span {sp.get('spanId', '')!s:.32} {sp.get('name', '')!s:.80}", exc)
                    continue
                yield row


def log_rows(req: JSON, bad: list[str] | None = None) -> Iterator[JSON]:
    """Rows of ``otel_logs`` from one ExportLogsServiceRequest (``bad``: as :func:`span_rows`)."""
    for rl in req.get("resourceLogs") or ():
        resource = rl.get("resource") or {}
        res = attr_map(resource.get("attributes"))
        service = res.get("service.name", "")
        for sl in rl.get("scopeLogs") or ():
            scope = sl.get("scope") or {}
            sattrs = attr_map(scope.get("attributes"))
            for lr in sl.get("logRecords") or ():
                try:
                    t = int(lr.get("timeUnixNano") or 0) or int(lr.get("observedTimeUnixNano") or 0)
                    row = {
                        "Timestamp": ts(t, "log time"),
                        "TraceId": hex_id(lr.get("traceId")),
                        "SpanId": hex_id(lr.get("spanId")),
                        "TraceFlags": int(lr.get("flags", 0)) & 0xFF,
                        "SeverityText": lr.get("severityText", ""),
                        "SeverityNumber": int(lr.get("severityNumber", 0)) & 0xFF,
                        "ServiceName": service,
                        "Body": as_string(lr.get("body") or {}),
                        "ResourceSchemaUrl": rl.get("schemaUrl", ""),
                        "ResourceAttributes": res,
                        "ScopeSchemaUrl": sl.get("schemaUrl", ""),
                        "ScopeName": scope.get("name", ""),
                        "ScopeVersion": scope.get("version", ""),
                        "ScopeAttributes": sattrs,
                        "LogAttributes": attr_map(lr.get("attributes")),
                        "EventName": lr.get("eventName") or "",
                    }
                except BadRecord as exc:
                    _skip(bad, "log record", exc)
                    continue
                yield row


def _exemplars(points: JSON) -> JSON:
    ex = points.get("exemplars") or ()
    return {
        "Exemplars.FilteredAttributes": [attr_map(e.get("filteredAttributes")) for e in ex],
        "Exemplars.TimeUnix": [ts(e.get("timeUnixNano"), "exemplar time") for e in ex],
        "Exemplars.Value": [
            _double(e["asDouble"]) if "asDouble" in e else float(int(e.get("asInt", 0) or 0)) for e in ex
        ],
        "Exemplars.SpanId": [_hex_or_zeros(e.get("spanId"), 16) for e in ex],
        "Exemplars.TraceId": [_hex_or_zeros(e.get("traceId"), 32) for e in ex],
    }


def metric_rows(req: JSON, bad: list[str] | None = None) -> Iterator[tuple[str, JSON]]:
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
                        try:
                            row = _point(head, kind, data, p)
                        except BadRecord as exc:
                            _skip(bad, f"metric point {m.get('name', '')!s:.80}", exc)
                            continue
                        yield table, row


def _point(head: JSON, kind: str, data: JSON, p: JSON) -> JSON:
    row = {
        **head,
        "Attributes": attr_map(p.get("attributes")),
        "StartTimeUnix": ts(p.get("startTimeUnixNano"), "point start"),
        "TimeUnix": ts(p.get("timeUnixNano"), "point time"),
        "Flags": int(p.get("flags", 0)),
    }
    if kind in ("gauge", "sum"):
        row["Value"] = _double(p["asDouble"]) if "asDouble" in p else float(int(p.get("asInt", 0)))
        row.update(_exemplars(p))
        if kind == "sum":
            row["AggregationTemporality"] = int(data.get("aggregationTemporality", 0))
            row["IsMonotonic"] = bool(data.get("isMonotonic", False))
    elif kind == "histogram":
        row.update(
            Count=int(p.get("count", 0)),
            Sum=_double(p.get("sum", 0) or 0),
            BucketCounts=[int(c) for c in p.get("bucketCounts", [])],
            ExplicitBounds=[_double(b) for b in p.get("explicitBounds", [])],
            Min=_double(p.get("min", 0) or 0),
            Max=_double(p.get("max", 0) or 0),
            AggregationTemporality=int(data.get("aggregationTemporality", 0)),
        )
        row.update(_exemplars(p))
    elif kind == "exponentialHistogram":
        pos, neg = p.get("positive") or {}, p.get("negative") or {}
        row.update(
            Count=int(p.get("count", 0)),
            Sum=_double(p.get("sum", 0) or 0),
            Scale=int(p.get("scale", 0)),
            ZeroCount=int(p.get("zeroCount", 0)),
            PositiveOffset=int(pos.get("offset", 0)),
            PositiveBucketCounts=[int(c) for c in pos.get("bucketCounts", [])],
            NegativeOffset=int(neg.get("offset", 0)),
            NegativeBucketCounts=[int(c) for c in neg.get("bucketCounts", [])],
            Min=_double(p.get("min", 0) or 0),
            Max=_double(p.get("max", 0) or 0),
            AggregationTemporality=int(data.get("aggregationTemporality", 0)),
        )
        row.update(_exemplars(p))
    else:
        qs = p.get("quantileValues") or ()
        row.update(
            Count=int(p.get("count", 0)),
            Sum=_double(p.get("sum", 0) or 0),
            **{
                "ValueAtQuantiles.Quantile": [_double(q.get("quantile", 0)) for q in qs],
                "ValueAtQuantiles.Value": [_double(q.get("value", 0)) for q in qs],
            },
        )
    return row
