"""OTLP-JSON encoding, byte-compatible with the OpenTelemetry Collector's file exporter.

The collector writes one export request per line in the OTLP/JSON mapping: camelCase keys,
trace and span ids as lowercase hex, 64-bit integers as strings, enums as integers, empty
fields omitted. Spans and log records are encoded straight from the SDK objects (no protobuf
round-trip: this is the hot path of the file sink); metrics, low-volume, go through the
official protobuf encoder and are converted.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.util.instrumentation import InstrumentationScope

JSONDict = dict[str, Any]


_INT64 = (-(1 << 63), (1 << 63) - 1)


class Unencodable(ValueError):
    """A value OTLP cannot carry (an integer beyond int64)."""


def _double(value: float) -> float | str:
    # proto3 JSON: NaN and the infinities are the strings "NaN", "Infinity", "-Infinity"; a bare
    # NaN/Infinity token is not JSON, and every upstream parser rejects the whole request
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def encode_value(value: Any) -> JSONDict:
    """One attribute value as an OTLP ``AnyValue`` (:class:`Unencodable` for an int beyond int64)."""
    # bool before int: bool is an int subclass
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        if not _INT64[0] <= value <= _INT64[1]:
            raise Unencodable(f"integer {value} is beyond OTLP's int64")
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": _double(value)}
    if isinstance(value, (bytes, bytearray)):
        return {"bytesValue": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, Mapping):
        return {
            "kvlistValue": {"values": [{"key": str(k), "value": encode_value(v)} for k, v in value.items()]}
        }
    if isinstance(value, Sequence):
        return {"arrayValue": {"values": [encode_value(v) for v in value]}}
    if value is None:
        return {}
    return {"stringValue": str(value)}


def encode_attributes(attributes: Mapping[str, Any] | None) -> list[JSONDict]:
    """Attributes as OTLP ``KeyValue`` list. An attribute OTLP cannot carry (an integer beyond
    int64, also inside a list or map) is left out, as the official protobuf encoder does."""
    if not attributes:
        return []
    out = []
    for k, v in attributes.items():
        try:
            out.append({"key": k, "value": encode_value(v)})
        except Unencodable:
            continue
    return out


def _body(value: Any) -> JSONDict:
    try:
        return encode_value(value)
    except Unencodable:
        return {"stringValue": str(value)}  # a log body is kept, as text


def _resource(resource: Resource | None) -> JSONDict:
    out: JSONDict = {}
    if resource is not None and resource.attributes:
        out["attributes"] = encode_attributes(resource.attributes)
    return out


def _scope(scope: InstrumentationScope | None) -> JSONDict:
    out: JSONDict = {}
    if scope is None:
        return out
    if scope.name:
        out["name"] = scope.name
    if scope.version:
        out["version"] = scope.version
    if scope.attributes:
        out["attributes"] = encode_attributes(scope.attributes)
    return out


def _group(
    items: Sequence[Any], resource_of: Any, scope_of: Any
) -> list[tuple[Any, list[tuple[Any, list[Any]]]]]:
    """Group items by resource, then by instrumentation scope, keeping first-seen order."""
    by_resource: dict[int, tuple[Any, dict[Any, tuple[Any, list[Any]]]]] = {}
    for item in items:
        res = resource_of(item)
        scope = scope_of(item)
        entry = by_resource.get(id(res))
        if entry is None:
            entry = by_resource[id(res)] = (res, {})
        key = (scope.name, scope.version, scope.schema_url) if scope is not None else None
        scoped = entry[1].get(key)
        if scoped is None:
            scoped = entry[1][key] = (scope, [])
        scoped[1].append(item)
    return [(res, list(scopes.values())) for res, scopes in by_resource.values()]


def _span(span: ReadableSpan) -> JSONDict:
    ctx = span.context
    out: JSONDict = {
        "traceId": format(ctx.trace_id, "032x"),
        "spanId": format(ctx.span_id, "016x"),
    }
    state = ctx.trace_state.to_header() if ctx.trace_state else ""
    if state:
        out["traceState"] = state
    if span.parent is not None:
        out["parentSpanId"] = format(span.parent.span_id, "016x")
    flags = 0x100  # as the OTLP exporter: "has is_remote" bit, plus is_remote below
    if span.parent is not None and span.parent.is_remote:
        flags |= 0x200
    out["flags"] = flags
    out["name"] = span.name
    out["kind"] = span.kind.value + 1
    out["startTimeUnixNano"] = str(span.start_time or 0)
    out["endTimeUnixNano"] = str(span.end_time or 0)
    if span.attributes:
        out["attributes"] = encode_attributes(span.attributes)
    if span.dropped_attributes:
        out["droppedAttributesCount"] = span.dropped_attributes
    if span.events:
        events = []
        for ev in span.events:
            e: JSONDict = {"timeUnixNano": str(ev.timestamp), "name": ev.name}
            if ev.attributes:
                e["attributes"] = encode_attributes(ev.attributes)
            events.append(e)
        out["events"] = events
    if span.dropped_events:
        out["droppedEventsCount"] = span.dropped_events
    if span.links:
        links = []
        for link in span.links:
            lk: JSONDict = {
                "traceId": format(link.context.trace_id, "032x"),
                "spanId": format(link.context.span_id, "016x"),
            }
            if link.context.trace_state:
                lk["traceState"] = link.context.trace_state.to_header()
            if link.attributes:
                lk["attributes"] = encode_attributes(link.attributes)
            links.append(lk)
        out["links"] = links
    if span.dropped_links:
        out["droppedLinksCount"] = span.dropped_links
    status: JSONDict = {}
    if span.status.description:
        status["message"] = span.status.description
    if span.status.status_code.value:
        status["code"] = span.status.status_code.value
    out["status"] = status
    return out


def encode_spans(spans: Sequence[ReadableSpan]) -> JSONDict:
    """An ``ExportTraceServiceRequest`` as OTLP-JSON."""
    resource_spans = []
    for res, scopes in _group(spans, lambda s: s.resource, lambda s: s.instrumentation_scope):
        scope_spans = []
        for scope, items in scopes:
            ss: JSONDict = {"scope": _scope(scope), "spans": [_span(s) for s in items]}
            if scope is not None and scope.schema_url:
                ss["schemaUrl"] = scope.schema_url
            scope_spans.append(ss)
        rs: JSONDict = {"resource": _resource(res), "scopeSpans": scope_spans}
        if res is not None and res.schema_url:
            rs["schemaUrl"] = res.schema_url
        resource_spans.append(rs)
    return {"resourceSpans": resource_spans}


def _log(record: ReadableLogRecord) -> JSONDict:
    lr = record.log_record
    out: JSONDict = {}
    if lr.timestamp:
        out["timeUnixNano"] = str(lr.timestamp)
    if lr.observed_timestamp:
        out["observedTimeUnixNano"] = str(lr.observed_timestamp)
    if lr.severity_number is not None and lr.severity_number.value:
        out["severityNumber"] = lr.severity_number.value
    if lr.severity_text:
        out["severityText"] = lr.severity_text
    if lr.body is not None:
        out["body"] = _body(lr.body)
    if lr.attributes:
        out["attributes"] = encode_attributes(lr.attributes)
    if record.dropped_attributes:
        out["droppedAttributesCount"] = record.dropped_attributes
    if lr.trace_flags:
        out["flags"] = int(lr.trace_flags)
    if lr.trace_id:
        out["traceId"] = format(lr.trace_id, "032x")
    if lr.span_id:
        out["spanId"] = format(lr.span_id, "016x")
    if lr.event_name:
        out["eventName"] = lr.event_name
    return out


def encode_logs(batch: Sequence[ReadableLogRecord]) -> JSONDict:
    """An ``ExportLogsServiceRequest`` as OTLP-JSON."""
    resource_logs = []
    for res, scopes in _group(batch, lambda r: r.resource, lambda r: r.instrumentation_scope):
        scope_logs = []
        for scope, items in scopes:
            sl: JSONDict = {"scope": _scope(scope), "logRecords": [_log(r) for r in items]}
            if scope is not None and scope.schema_url:
                sl["schemaUrl"] = scope.schema_url
            scope_logs.append(sl)
        rl: JSONDict = {"resource": _resource(res), "scopeLogs": scope_logs}
        if res is not None and res.schema_url:
            rl["schemaUrl"] = res.schema_url
        resource_logs.append(rl)
    return {"resourceLogs": resource_logs}


def _b64_to_hex(value: str) -> str:
    return base64.b64decode(value).hex()


def _fix_ids(node: Any) -> None:
    """protobuf's JSON writes bytes as base64; OTLP/JSON wants hex ids."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("traceId", "spanId", "parentSpanId") and isinstance(value, str):
                node[key] = _b64_to_hex(value)
            else:
                _fix_ids(value)
    elif isinstance(node, list):
        for item in node:
            _fix_ids(item)


def encode_metrics(data: Any) -> JSONDict:
    """An ``ExportMetricsServiceRequest`` (from SDK ``MetricsData``) as OTLP-JSON."""
    from google.protobuf.json_format import MessageToDict
    from opentelemetry.exporter.otlp.proto.common.metrics_encoder import encode_metrics as _pb_encode

    out = MessageToDict(_pb_encode(data), use_integers_for_enums=True)
    _fix_ids(out)
    return out
