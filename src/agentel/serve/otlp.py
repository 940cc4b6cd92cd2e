"""The OTLP/HTTP receiver: ``POST /v1/traces``, ``/v1/logs``, ``/v1/metrics``.

Protobuf (``application/x-protobuf``) and JSON (``application/json``) bodies, optionally gzip
compressed, answered the way the OTLP/HTTP specification says: 200 with an export response (a
``partialSuccess`` naming what was rejected and why), 400 for a body that cannot be decoded, 413
for one that is too large, 415 for another content type — the error body a ``google.rpc.Status``
in the request's encoding. Nothing a sender posts can crash the server; every refusal is counted
(``GET /stats``).

What is accepted passes the redaction policy the SDK applies (senders that do not run agentel
get the same treatment), is converted to the OTLP-JSON lines the files sink and the collector's
file exporter write, and is appended to ``AGENTEL_DIR/otlp/<UTC day>/<signal>.jsonl`` and
fsync'ed *before* the 200 goes out: a crash after the answer loses nothing. The tail loop loads
those files like any other (``on_appended`` wakes it at once).
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import logging
import os
import re
import secrets
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

log = logging.getLogger("agentel.serve.otlp")

#: largest body accepted on the wire (compressed or not), and once decompressed
MAX_BODY_BYTES = 32 * 1024 * 1024
MAX_DECODED_BYTES = 128 * 1024 * 1024

_INF = float("inf")
_HEX32 = re.compile(r"^[0-9a-fA-F]{32}$")
_HEX16 = re.compile(r"^[0-9a-fA-F]{16}$")
_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False).encode


@dataclass(frozen=True)
class Signal:
    name: str  # traces, logs, metrics
    resource_key: str  # resourceSpans ...
    scope_key: str  # scopeSpans ...
    items_key: str  # spans ...
    rejected_key: str  # rejectedSpans ...


SIGNALS = {
    "/v1/traces": Signal("traces", "resourceSpans", "scopeSpans", "spans", "rejectedSpans"),
    "/v1/logs": Signal("logs", "resourceLogs", "scopeLogs", "logRecords", "rejectedLogRecords"),
    "/v1/metrics": Signal("metrics", "resourceMetrics", "scopeMetrics", "metrics", "rejectedDataPoints"),
}


class BadRequest(ValueError):
    """The body cannot be used at all: answered 400 (or ``status``) with this message."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


# --- decoding --------------------------------------------------------------------------------


def _proto_classes(signal: str) -> tuple[Any, Any]:
    if signal == "traces":
        from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as m

        return m.ExportTraceServiceRequest, m.ExportTraceServiceResponse
    if signal == "logs":
        from opentelemetry.proto.collector.logs.v1 import logs_service_pb2 as lm

        return lm.ExportLogsServiceRequest, lm.ExportLogsServiceResponse
    from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2 as mm

    return mm.ExportMetricsServiceRequest, mm.ExportMetricsServiceResponse


_ID_KEYS = ("traceId", "spanId", "parentSpanId")


def _ids_to_hex(node: Any) -> None:
    """Protobuf JSON writes ``bytes`` as base64; OTLP/JSON writes trace and span ids as hex."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k in _ID_KEYS and isinstance(v, str):
                node[k] = base64.b64decode(v).hex()
            elif isinstance(v, (dict, list)):
                _ids_to_hex(v)
    elif isinstance(node, list):
        for v in node:
            if isinstance(v, (dict, list)):
                _ids_to_hex(v)


def _av(v: Any) -> dict[str, Any]:
    """A protobuf ``AnyValue`` in the OTLP/JSON mapping."""
    which = v.WhichOneof("value")
    if which == "string_value":
        return {"stringValue": v.string_value}
    if which == "int_value":
        return {"intValue": str(v.int_value)}
    if which == "double_value":
        d = v.double_value
        if d != d or d in (_INF, -_INF):  # proto3 JSON spells these as strings
            return {"doubleValue": "NaN" if d != d else ("Infinity" if d > 0 else "-Infinity")}
        return {"doubleValue": d}
    if which == "bool_value":
        return {"boolValue": v.bool_value}
    if which == "array_value":
        return {"arrayValue": {"values": [_av(x) for x in v.array_value.values]}}
    if which == "kvlist_value":
        return {"kvlistValue": {"values": _kvs(v.kvlist_value.values)}}
    if which == "bytes_value":
        return {"bytesValue": base64.b64encode(v.bytes_value).decode("ascii")}
    return {}


def _kvs(attrs: Any) -> list[dict[str, Any]]:
    return [{"key": kv.key, "value": _av(kv.value)} for kv in attrs]


def _attrs_into(out: dict[str, Any], m: Any) -> None:
    if len(m.attributes):
        out["attributes"] = _kvs(m.attributes)
    if m.dropped_attributes_count:
        out["droppedAttributesCount"] = m.dropped_attributes_count


def _resource_scope(group: Any, scope_group: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    res: dict[str, Any] = {}
    _attrs_into(res, group.resource)
    sc = scope_group.scope
    scope: dict[str, Any] = {}
    if sc.name:
        scope["name"] = sc.name
    if sc.version:
        scope["version"] = sc.version
    _attrs_into(scope, sc)
    return res, scope


def _span_json(s: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"traceId": s.trace_id.hex(), "spanId": s.span_id.hex()}
    if s.trace_state:
        out["traceState"] = s.trace_state
    if s.parent_span_id:
        out["parentSpanId"] = s.parent_span_id.hex()
    if s.flags:
        out["flags"] = s.flags
    out["name"] = s.name
    if s.kind:
        out["kind"] = s.kind
    out["startTimeUnixNano"] = str(s.start_time_unix_nano)
    out["endTimeUnixNano"] = str(s.end_time_unix_nano)
    _attrs_into(out, s)
    if len(s.events):
        events = []
        for e in s.events:
            ev: dict[str, Any] = {"timeUnixNano": str(e.time_unix_nano), "name": e.name}
            _attrs_into(ev, e)
            events.append(ev)
        out["events"] = events
    if s.dropped_events_count:
        out["droppedEventsCount"] = s.dropped_events_count
    if len(s.links):
        links = []
        for ln in s.links:
            lk: dict[str, Any] = {"traceId": ln.trace_id.hex(), "spanId": ln.span_id.hex()}
            if ln.trace_state:
                lk["traceState"] = ln.trace_state
            if ln.flags:
                lk["flags"] = ln.flags
            _attrs_into(lk, ln)
            links.append(lk)
        out["links"] = links
    if s.dropped_links_count:
        out["droppedLinksCount"] = s.dropped_links_count
    status: dict[str, Any] = {}
    if s.status.message:
        status["message"] = s.status.message
    if s.status.code:
        status["code"] = s.status.code
    out["status"] = status
    return out


def _log_json(r: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if r.time_unix_nano:
        out["timeUnixNano"] = str(r.time_unix_nano)
    if r.observed_time_unix_nano:
        out["observedTimeUnixNano"] = str(r.observed_time_unix_nano)
    if r.severity_number:
        out["severityNumber"] = r.severity_number
    if r.severity_text:
        out["severityText"] = r.severity_text
    if r.HasField("body"):
        out["body"] = _av(r.body)
    _attrs_into(out, r)
    if r.flags:
        out["flags"] = r.flags
    if r.trace_id:
        out["traceId"] = r.trace_id.hex()
    if r.span_id:
        out["spanId"] = r.span_id.hex()
    if r.event_name:
        out["eventName"] = r.event_name
    return out


def proto_to_json(signal: Signal, msg: Any) -> dict[str, Any]:
    """An export request message in the OTLP/JSON mapping (what the collector's file exporter
    writes). Spans and log records are converted field by field (``MessageToDict`` is several
    times slower); metrics, low-volume, go through ``MessageToDict``."""
    if signal.name == "metrics":
        from google.protobuf.json_format import MessageToDict

        req = MessageToDict(msg, use_integers_for_enums=True)
        _ids_to_hex(req)
        return req
    item = _span_json if signal.name == "traces" else _log_json
    groups = []
    for rg in getattr(msg, _snake(signal.resource_key)):
        scopes = []
        res: dict[str, Any] = {}
        for sg in getattr(rg, _snake(signal.scope_key)):
            res, scope = _resource_scope(rg, sg)
            sj: dict[str, Any] = {
                "scope": scope,
                signal.items_key: [item(x) for x in getattr(sg, _snake(signal.items_key))],
            }
            if sg.schema_url:
                sj["schemaUrl"] = sg.schema_url
            scopes.append(sj)
        if not scopes:
            _attrs_into(res, rg.resource)
        gj: dict[str, Any] = {"resource": res, signal.scope_key: scopes}
        if rg.schema_url:
            gj["schemaUrl"] = rg.schema_url
        groups.append(gj)
    return {signal.resource_key: groups}


def decode_body(signal: Signal, body: bytes, content_type: str) -> dict[str, Any]:
    """The request as an OTLP-JSON dict (ids in hex); BadRequest when it is not one."""
    if content_type == "protobuf":
        from google.protobuf.message import DecodeError

        req_cls, _ = _proto_classes(signal.name)
        try:
            msg = req_cls.FromString(body)
        except (DecodeError, ValueError, RuntimeError) as exc:
            raise BadRequest(f"body is not a protobuf {req_cls.__name__}: {exc}") from None
        return proto_to_json(signal, msg)
    try:
        req = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"body is not JSON: {exc}") from None
    if not isinstance(req, dict):
        raise BadRequest(f"body is not an OTLP/JSON export request (a JSON {type(req).__name__})")
    groups = req.get(signal.resource_key, [])
    if not isinstance(groups, list):
        raise BadRequest(f"{signal.resource_key} must be a list")
    for rg in groups:
        if not isinstance(rg, dict) or not isinstance(rg.get(signal.scope_key, []), list):
            raise BadRequest(f"{signal.resource_key}[]: expected objects with a {signal.scope_key} list")
        for sg in rg.get(signal.scope_key, []):
            if not isinstance(sg, dict) or not isinstance(sg.get(signal.items_key, []), list):
                raise BadRequest(f"{signal.scope_key}[]: expected objects with a {signal.items_key} list")
    return req


def decompress(body: bytes, encoding: str) -> bytes:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "deflate"):
        raise BadRequest(f"Content-Encoding {encoding!r} is not supported (use gzip)", 415)
    try:
        d = zlib.decompressobj(wbits=31 if encoding == "gzip" else 15)
        out = d.decompress(body, MAX_DECODED_BYTES + 1)
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise BadRequest(f"body is not valid {encoding}: {exc}") from None
    if len(out) > MAX_DECODED_BYTES:
        raise BadRequest(f"body is larger than {MAX_DECODED_BYTES} bytes once decompressed", 413)
    return out


# --- validation and redaction ----------------------------------------------------------------


def _any_to_py(v: Any) -> Any:
    if not isinstance(v, dict):
        return v
    if "stringValue" in v:
        return v["stringValue"]
    if "intValue" in v:
        try:
            return int(v["intValue"])
        except (TypeError, ValueError):
            return v["intValue"]
    if "doubleValue" in v:
        return v["doubleValue"]
    if "boolValue" in v:
        return bool(v["boolValue"])
    if "arrayValue" in v:
        return [_any_to_py(x) for x in (v["arrayValue"] or {}).get("values", [])]
    if "kvlistValue" in v:
        return {
            kv.get("key", ""): _any_to_py(kv.get("value", {}))
            for kv in (v["kvlistValue"] or {}).get("values", [])
        }
    if "bytesValue" in v:
        try:
            return base64.b64decode(v["bytesValue"])
        except (binascii.Error, TypeError, ValueError):
            return v["bytesValue"]
    return None


class Redaction:
    """The SDK's redactor applied to OTLP-JSON records (attribute lists of ``{key, value}``)."""

    def __init__(self, redactor: Any, strict: bool) -> None:
        from agentel.sinks.otlp_json import encode_value

        self.red = redactor
        self.strict = strict
        self._encode = encode_value

    @classmethod
    def from_environment(cls) -> Redaction:
        """The policy, content capture and strict mode an agentel SDK would use with this environment."""
        from agentel.config import Settings
        from agentel.redaction import Redactor, load_policy

        s = Settings.load()
        return cls(
            Redactor(load_policy(s.redaction_policy), capture_content=s.capture_content), s.redaction_strict
        )

    def attrs(
        self, node: dict[str, Any], key: str, t: Any, allow: Any = None, max_depth: int | None = None
    ) -> None:
        kvs = node.get(key)
        if not kvs or not isinstance(kvs, list):
            return
        values = {kv.get("key", ""): _any_to_py(kv.get("value", {})) for kv in kvs if isinstance(kv, dict)}
        new = self.red.mapping(values, t, allow=allow, max_depth=max_depth)
        if new is values:
            return
        out = []
        for kv in kvs:
            k = kv.get("key", "") if isinstance(kv, dict) else ""
            if k not in new:
                continue
            out.append(kv if new[k] is values.get(k) else {"key": k, "value": self._encode(new[k])})
        node[key] = out

    def text(self, node: dict[str, Any], key: str, t: Any, where: str) -> None:
        v = node.get(key)
        if isinstance(v, str) and v:
            node[key] = self.red._text(v, where, t)

    def trace_state(self, node: dict[str, Any], key: str, t: Any) -> None:
        """A W3C ``tracestate`` header string, with the policy applied to its entries as the SDK does."""
        v = node.get(key)
        if not isinstance(v, str) or not v:
            return
        from opentelemetry.trace import TraceState  # the OTel API, only when a sender carries one

        state = TraceState.from_header([v])
        new = self.red.trace_state(state, t)
        if new is not state:
            node[key] = new.to_header() if new else ""

    def _allow(self, event_name: Any) -> Any:
        return self.red.allow_for(event_name) if isinstance(event_name, str) and event_name else None

    def _tally(self) -> Any:
        from agentel.redaction.redactor import Tally

        t = Tally()
        t.start(self.red.budget_s)  # the per-record time budget the SDK's processors give a record
        return t

    def resource_group(self, rg: dict[str, Any], scope_key: str) -> list[str]:
        """Redact a resource and its scopes in place; the rules that fired (for strict mode)."""
        t = self._tally()
        if isinstance(rg.get("resource"), dict):
            self.attrs(rg["resource"], "attributes", t)
        for sg in rg.get(scope_key, []):
            if isinstance(sg.get("scope"), dict):
                self.text(sg["scope"], "name", t, "scope name")
                self.text(sg["scope"], "version", t, "scope version")
                self.attrs(sg["scope"], "attributes", t)
        return t.where

    def span(self, sp: dict[str, Any]) -> Any:
        t = self._tally()
        self.text(sp, "name", t, "span name")
        self.trace_state(sp, "traceState", t)
        self.attrs(sp, "attributes", t)
        for ev in sp.get("events", []) or []:
            if isinstance(ev, dict):
                name = ev.get("name")
                self.text(ev, "name", t, "event name")
                self.attrs(ev, "attributes", t, allow=self._allow(name))
        for ln in sp.get("links", []) or []:
            if isinstance(ln, dict):
                self.trace_state(ln, "traceState", t)
                self.attrs(ln, "attributes", t)
        if isinstance(sp.get("status"), dict):
            self.text(sp["status"], "message", t, "status description")
        return t

    def log_record(self, lr: dict[str, Any]) -> Any:
        from agentel.redaction.redactor import CONTENT_MARKER

        t = self._tally()
        event_name = lr.get("eventName")
        content_events: frozenset[str] = getattr(self.red, "_content_events", frozenset())
        self.text(lr, "eventName", t, "event name")
        self.text(lr, "severityText", t, "severity text")
        if "body" in lr:
            if event_name in content_events and not self.red.capture_content:
                t.add("content", "body")
                lr["body"] = self._encode(CONTENT_MARKER)
            else:
                holder = {"body": _any_to_py(lr["body"])}
                new = self.red.mapping(holder, t, max_depth=self.red.policy.max_body_depth + 1)
                if new is not holder:
                    lr["body"] = self._encode(new["body"]) if "body" in new else {}
        depth = self.red.policy.max_body_depth + 1 if event_name in content_events else None
        self.attrs(lr, "attributes", t, allow=self._allow(event_name), max_depth=depth)
        return t

    def metric(self, m: dict[str, Any]) -> Any:
        t = self._tally()
        for kind in ("gauge", "sum", "histogram", "exponentialHistogram", "summary"):
            body = m.get(kind)
            if isinstance(body, dict):
                for dp in body.get("dataPoints", []) or []:
                    if isinstance(dp, dict):
                        self.attrs(dp, "attributes", t)
        return t


def _points(m: dict[str, Any]) -> int:
    n = 0
    for kind in ("gauge", "sum", "histogram", "exponentialHistogram", "summary"):
        body = m.get(kind)
        if isinstance(body, dict):
            n += len(body.get("dataPoints", []) or [])
    return n


@dataclass
class Outcome:
    """What became of one request's records."""

    accepted: int = 0
    rejected: int = 0
    first_error: str = ""

    def reject(self, n: int, why: str) -> None:
        self.rejected += n
        if not self.first_error:
            self.first_error = why


def _valid_ids(item: dict[str, Any], signal: str) -> str:
    """Why the record's ids are unusable ('' when they are fine)."""
    tid, sid = item.get("traceId", ""), item.get("spanId", "")
    if signal == "traces":
        if not isinstance(tid, str) or not _HEX32.match(tid) or tid == "0" * 32:
            return f"span {item.get('name', '')!r}: traceId must be 32 hex digits, not all zero (got {tid!r})"
        if not isinstance(sid, str) or not _HEX16.match(sid) or sid == "0" * 16:
            return f"span {item.get('name', '')!r}: spanId must be 16 hex digits, not all zero (got {sid!r})"
        psid = item.get("parentSpanId", "")
        if psid and (not isinstance(psid, str) or not _HEX16.match(psid)):
            return f"span {item.get('name', '')!r}: parentSpanId must be 16 hex digits (got {psid!r})"
    elif signal == "logs":
        if tid and (not isinstance(tid, str) or not _HEX32.match(tid)):
            return f"log record: traceId must be 32 hex digits (got {tid!r})"
        if sid and (not isinstance(sid, str) or not _HEX16.match(sid)):
            return f"log record: spanId must be 16 hex digits (got {sid!r})"
    return ""


def screen(
    signal: Signal, req: dict[str, Any], redaction: Redaction | None
) -> tuple[dict[str, Any], Outcome]:
    """Drop unusable records (bad ids; in strict mode, ones breaking a rule), redact the rest.

    Returns the request to store (only what was accepted) and the counts for the response.
    """
    out = Outcome()
    groups = []
    for rg in req.get(signal.resource_key, []) or []:
        if redaction is not None:
            fired = redaction.resource_group(rg, signal.scope_key)
            if fired and redaction.strict:
                n = sum(
                    (_points(i) if signal.name == "metrics" else 1)
                    for sg in rg.get(signal.scope_key, []) or []
                    for i in sg.get(signal.items_key, []) or []
                )
                out.reject(n, f"redaction (strict): {'; '.join(fired)}")
                continue
        scopes = []
        for sg in rg.get(signal.scope_key, []) or []:
            kept = []
            for item in sg.get(signal.items_key, []) or []:
                n = _points(item) if signal.name == "metrics" and isinstance(item, dict) else 1
                if not isinstance(item, dict):
                    out.reject(n, f"{signal.items_key}[]: expected objects")
                    continue
                why = _valid_ids(item, signal.name)
                if why:
                    out.reject(n, why)
                    continue
                if redaction is not None:
                    if signal.name == "traces":
                        t = redaction.span(item)
                    elif signal.name == "logs":
                        t = redaction.log_record(item)
                    else:
                        t = redaction.metric(item)
                    if t and redaction.strict:
                        out.reject(n, f"redaction (strict): {'; '.join(t.where)}")
                        continue
                    if t:
                        _count_redacted(t.rules, signal.name)
                kept.append(item)
                out.accepted += n
            if kept:
                scopes.append({**sg, signal.items_key: kept})
        if scopes:
            groups.append({**rg, signal.scope_key: scopes})
    return {signal.resource_key: groups}, out


def _count_redacted(rules: list[str], signal: str) -> None:
    try:
        from agentel.redaction.processors import COUNTS

        COUNTS.add_redacted(rules, signal)
    except Exception:  # noqa: BLE001 - counting is a courtesy
        pass


# --- durable append --------------------------------------------------------------------------


class DurableLog:
    """Appends request lines to ``<dir>/otlp/<UTC day>/<signal>.jsonl`` and fsyncs them.

    Group commit: a writer that finds the file busy queues its line; whoever holds the file
    writes every queued line with one ``write`` and one ``fsync``, and each waiter is released
    once its line is on disk.
    """

    def __init__(self, directory: str) -> None:
        self.root = os.path.join(os.path.abspath(directory), "otlp")
        self._locks = {s.name: threading.Lock() for s in SIGNALS.values()}
        self._pending: dict[str, list[tuple[bytes, threading.Event, list[BaseException]]]] = {
            s.name: [] for s in SIGNALS.values()
        }
        self._qlock = threading.Lock()
        self._fds: dict[str, tuple[str, int]] = {}

    def path_for(self, signal: str) -> str:
        day = time.strftime("%Y-%m-%d", time.gmtime())
        return os.path.join(self.root, day, f"{signal}.jsonl")

    def _fd(self, signal: str) -> int:
        path = self.path_for(signal)
        cur = self._fds.get(signal)
        if cur is not None and cur[0] == path:
            return cur[1]
        if cur is not None:
            os.close(cur[1])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        # A server killed mid-write leaves half a line (never acknowledged): end it, so the next
        # line starts on its own and the loader reports the torn one instead of merging them.
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            os.write(fd, b"\n")
        self._fds[signal] = (path, fd)
        return fd

    def append(self, signal: str, line: bytes) -> str:
        """Return (the file's path) once ``line`` (one whole line, newline included) is on disk;
        raise OSError if it cannot be."""
        done = threading.Event()
        errors: list[BaseException] = []
        with self._qlock:
            self._pending[signal].append((line, done, errors))
        while not done.is_set():
            with self._locks[signal]:
                with self._qlock:
                    batch, self._pending[signal] = self._pending[signal], []
                if not batch:
                    continue  # another writer took ours; it sets done when it is on disk
                fd, size = -1, -1
                try:
                    fd = self._fd(signal)
                    size = os.fstat(fd).st_size
                    view = memoryview(b"".join(item[0] for item in batch))
                    while view:
                        n = os.write(fd, view)
                        view = view[n:]
                    os.fsync(fd)
                except OSError as exc:
                    if size >= 0:  # disk full mid-write: cut back to the last whole line
                        try:
                            os.ftruncate(fd, size)
                        except OSError:
                            pass
                    for item in batch:
                        item[2].append(exc)
                for item in batch:
                    item[1].set()
        if errors:
            raise errors[0]
        cur = self._fds.get(signal)
        return cur[0] if cur is not None else self.path_for(signal)

    def close(self) -> None:
        for _, fd in self._fds.values():
            try:
                os.close(fd)
            except OSError:
                pass
        self._fds.clear()


# --- HTTP ------------------------------------------------------------------------------------


class Stats:
    """Counters shown at ``GET /stats`` and in ``serve.json``'s neighbourhood (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.values: dict[str, int] = {}

    def add(self, key: str, n: int = 1) -> None:
        with self._lock:
            self.values[key] = self.values.get(key, 0) + n

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self.values)


class OTLPReceiver(ThreadingHTTPServer):
    """The receiver, bound on construction; ``start()`` serves in a daemon thread."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(
        self,
        directory: str,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        redaction: Redaction | None = None,
        on_appended: Callable[[str], None] | None = None,
        password: str = "",
    ) -> None:
        self.log = DurableLog(directory)
        self.redaction = redaction
        self.on_appended = on_appended
        self.password = password
        self.stats = Stats()
        self._thread: threading.Thread | None = None
        super().__init__((host, port), _Handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        host = str(self.server_address[0])
        return f"http://{'[' + host + ']' if ':' in host else host}:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, name="agentel-otlp", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self.log.close()

    def ingest(self, path: str, body: bytes, content_type: str, encoding: str) -> tuple[int, bytes]:
        """Handle one export request; (status, response body) in the request's encoding.

        Raises BadRequest for bodies answered with 4xx, OSError when the line cannot be made durable.
        """
        signal = SIGNALS[path]
        req = decode_body(signal, decompress(body, encoding), content_type)
        outcome = self.store(signal, req)
        return 200, self._response(signal, outcome, content_type)

    def store(self, signal: Signal, req: dict[str, Any]) -> Outcome:
        """Screen a decoded request and make what is accepted durable (OSError if it cannot be)."""
        kept, outcome = screen(signal, req, self.redaction)
        if outcome.accepted:
            path = self.log.append(signal.name, (_dumps(kept) + "\n").encode("utf-8"))
            if self.on_appended is not None:
                self.on_appended(path)
        self.stats.add(f"{signal.name}_accepted", outcome.accepted)
        if outcome.rejected:
            self.stats.add(f"{signal.name}_rejected", outcome.rejected)
        return outcome

    def partial_success(self, signal: Signal, outcome: Outcome) -> Any:
        """The protobuf export response for ``outcome``."""
        _, resp_cls = _proto_classes(signal.name)
        resp = resp_cls()
        if outcome.rejected:
            ps = resp.partial_success
            setattr(ps, _snake(signal.rejected_key), outcome.rejected)
            ps.error_message = outcome.first_error[:1000]
        return resp

    def _response(self, signal: Signal, outcome: Outcome, content_type: str) -> bytes:
        if content_type == "json":
            if not outcome.rejected:
                return b"{}"
            return _dumps(
                {
                    "partialSuccess": {
                        signal.rejected_key: str(outcome.rejected),
                        "errorMessage": outcome.first_error[:1000],
                    }
                }
            ).encode()
        return bytes(self.partial_success(signal, outcome).SerializeToString())


def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def status_body(code: int, message: str, content_type: str) -> bytes:
    """A ``google.rpc.Status`` (gRPC code from the HTTP status) as protobuf or JSON."""
    grpc_code = {400: 3, 401: 16, 404: 5, 405: 12, 413: 8, 415: 3, 503: 14}.get(code, 2)
    if content_type == "json":
        return _dumps({"code": grpc_code, "message": message}).encode()
    from google.rpc import status_pb2

    return bytes(status_pb2.Status(code=grpc_code, message=message).SerializeToString())


class _Handler(BaseHTTPRequestHandler):
    server: OTLPReceiver
    protocol_version = "HTTP/1.1"  # exporters keep the connection open between batches
    server_version = "agentel-otlp"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def _reply(self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _refuse(self, status: int, message: str, kind: str, count_as: str) -> None:
        self.server.stats.add(count_as)
        if count_as in ("bad_request", "too_large"):
            log.warning(
                "agentel serve: OTLP %s %s refused (%d): %s", self.command, self.path, status, message
            )
        ctype = "application/json" if kind == "json" else "application/x-protobuf"
        self._reply(status, status_body(status, message, kind), ctype)

    def _authorized(self) -> bool:
        password = self.server.password
        if not password:
            return True
        auth = self.headers.get("Authorization", "")
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer":
            return secrets.compare_digest(value.strip(), password)
        if scheme.lower() == "basic":
            try:
                _, _, given = base64.b64decode(value.strip()).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return False
            return secrets.compare_digest(given, password)
        return False

    def _read_chunked(self) -> bytes:
        """A ``Transfer-Encoding: chunked`` body, refused (413) past the size limit."""
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip() or b"x", 16)
            except ValueError:
                raise BadRequest(f"malformed chunk size line {line[:40]!r}") from None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            total += size
            if total > MAX_BODY_BYTES:
                raise BadRequest(f"chunked body larger than {MAX_BODY_BYTES} bytes", 413)
            parts.append(self.rfile.read(size))
            self.rfile.readline(1024)  # the CRLF after the chunk

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/stats":
            if self._authorized():
                self._reply(200, _dumps(self.server.stats.snapshot()).encode(), "application/json")
            else:
                self._refuse(
                    401,
                    "missing or wrong credentials (Authorization: Bearer <password>)",
                    "json",
                    "unauthorized",
                )
        elif path in SIGNALS:
            self._refuse(405, f"{path}: use POST", "json", "wrong_method")
        else:
            self._refuse(
                404, f"{path}: not found (POST /v1/traces, /v1/logs or /v1/metrics)", "json", "not_found"
            )

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        ctype = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        kind = "json" if ctype == "application/json" else "protobuf"
        length_raw = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            try:
                body = self._read_chunked()
            except BadRequest as exc:
                self.close_connection = True
                self._refuse(exc.status, str(exc), kind, "too_large" if exc.status == 413 else "bad_request")
                return
        else:
            try:
                length = int(length_raw or 0)
            except ValueError:
                self.close_connection = True
                self._refuse(400, f"Content-Length {length_raw!r} is not a number", kind, "bad_request")
                return
            if length > MAX_BODY_BYTES:
                self.close_connection = True  # the body is not read: the connection cannot be reused
                self._refuse(
                    413, f"body of {length} bytes is larger than {MAX_BODY_BYTES} bytes", kind, "too_large"
                )
                return
            body = self.rfile.read(length) if length > 0 else b""
        if not self._authorized():
            self._refuse(
                401, "missing or wrong credentials (Authorization: Bearer <password>)", kind, "unauthorized"
            )
            return
        if path not in SIGNALS:
            self._refuse(
                404, f"{path}: not found (POST /v1/traces, /v1/logs or /v1/metrics)", kind, "not_found"
            )
            return
        if ctype not in ("application/x-protobuf", "application/protobuf", "application/json"):
            self._refuse(
                415,
                f"Content-Type {ctype!r}: use application/x-protobuf or application/json",
                kind,
                "bad_request",
            )
            return
        try:
            status, out = self.server.ingest(path, body, kind, self.headers.get("Content-Encoding") or "")
        except BadRequest as exc:
            self._refuse(
                exc.status, str(exc)[:1000], kind, "too_large" if exc.status == 413 else "bad_request"
            )
            return
        except OSError as exc:
            log.error("agentel serve: cannot write OTLP data to %s: %s", self.server.log.root, exc)
            self.server.stats.add("write_failed")
            ctype_out = "application/json" if kind == "json" else "application/x-protobuf"
            msg = f"cannot store the data ({exc.strerror or exc}); retry later"
            self._reply(503, status_body(503, msg, kind), ctype_out, {"Retry-After": "2"})
            return
        except Exception as exc:  # noqa: BLE001 - a sender must never take the receiver down
            log.exception("agentel serve: OTLP %s failed", path)
            self.server.stats.add("internal_error")
            self._refuse(500, f"internal error: {type(exc).__name__}", kind, "internal_error")
            return
        self._reply(status, out, "application/json" if kind == "json" else "application/x-protobuf")
