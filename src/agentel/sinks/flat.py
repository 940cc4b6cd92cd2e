"""The flat log line: one log record as the training-loop observability contract writes it.

    {"ts": "2026-12-03T15:41:02.123456Z", "severity": "INFO", "event": "training.step",
     "run_id": "…", "step": 40, "epoch": 1, "phase": "train", "duration_ms": 12.5,
     "trace_id": "…", "span_id": "…", "data": {"training.loss": 0.42, …}}

OTLP envelopes stay what is stored and shipped (they are right for interchange); this is a view of
the same, already redacted, record: `AGENTEL_CONSOLE=jsonl` prints it and `agentel logs` renders
stored records (files or the store) in it. ``step``/``epoch``/``phase``/``duration_ms`` are read from
the pack's attributes (``training.step``, ``….duration_s`` in seconds, …); whatever else the
record says goes into ``data``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

FLAT_KEYS = (
    "ts",
    "severity",
    "event",
    "run_id",
    "step",
    "epoch",
    "phase",
    "duration_ms",
    "trace_id",
    "span_id",
    "data",
)

_RUN = ("training.run_id", "evolution.run_id", "consortium.run_id", "run")
_STEP = ("training.step", "step", "evolution.generation")
_EPOCH = ("training.epoch", "epoch")
_PHASE = ("training.phase", "phase")
_DURATION_S = ("training.step_duration_s", "training.duration_s", "generation.duration_s", "duration_s")
_DURATION_MS = ("duration_ms",)
_SKIP = ("code.", "exception.stacktrace")


def _first(attrs: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[str | None, Any]:
    for k in keys:
        v = attrs.get(k)
        if v is not None and v != "":
            return k, v
    return None, None


def _number(v: Any) -> Any:
    """Numbers stored as text (the store keeps attributes as strings) back as numbers."""
    if isinstance(v, str):
        try:
            f = float(v)
        except ValueError:
            return v
        return int(f) if f.is_integer() and "." not in v and "e" not in v.lower() else f
    return v


def timestamp(ns: int | None) -> str | None:
    """Nanoseconds since the epoch as an ISO UTC time (microseconds, ``Z``)."""
    if not ns:
        return None
    dt = datetime.fromtimestamp(ns / 1e9, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def flat(
    *,
    ts: str | None,
    severity: str | None,
    event: str | None,
    attributes: Mapping[str, Any],
    trace_id: str = "",
    span_id: str = "",
    process_run_id: str = "",
    body: Any = None,
) -> dict[str, Any]:
    """One record in the flat shape (see the module doc)."""
    attrs = dict(attributes)
    used: set[str] = set()
    out: dict[str, Any] = {"ts": ts, "severity": (severity or "INFO").upper(), "event": event or None}
    k, run = _first(attrs, _RUN)
    if k:
        used.add(k)
    out["run_id"] = run or process_run_id or None
    for name, keys in (("step", _STEP), ("epoch", _EPOCH), ("phase", _PHASE)):
        k, v = _first(attrs, keys)
        if k:
            used.add(k)
        out[name] = _number(v) if name != "phase" else v
    k, v = _first(attrs, _DURATION_MS)
    if k is None:
        k, v = _first(attrs, _DURATION_S)
        v = None if v is None else float(_number(v)) * 1000
    else:
        v = float(_number(v))
    if k:
        used.add(k)
    out["duration_ms"] = v
    out["trace_id"] = trace_id or None
    out["span_id"] = span_id or None
    data = {
        key: _number(val)
        for key, val in attrs.items()
        if key not in used and key != "event.name" and not key.startswith(_SKIP)
    }
    if data.get("run") == out["run_id"]:  # the correlation key said again
        data.pop("run")
    if body is not None and body != "" and body != event:
        data.setdefault("message", body)
    out["data"] = data
    return out


def from_otlp(record: Mapping[str, Any], resource_run_id: str = "") -> dict[str, Any]:
    """A flat record from one OTLP/JSON ``logRecords`` entry."""
    attrs = {a["key"]: _otlp_value(a.get("value", {})) for a in record.get("attributes", [])}
    body = _otlp_value(record.get("body", {})) if record.get("body") else None
    ns = int(record.get("timeUnixNano") or record.get("observedTimeUnixNano") or 0)
    return flat(
        ts=timestamp(ns),
        severity=record.get("severityText"),
        event=record.get("eventName") or attrs.get("event.name"),
        attributes=attrs,
        trace_id=record.get("traceId", ""),
        span_id=record.get("spanId", ""),
        process_run_id=resource_run_id,
        body=body,
    )


def _otlp_value(v: Mapping[str, Any]) -> Any:
    if "stringValue" in v:
        return v["stringValue"]
    if "intValue" in v:
        return int(v["intValue"])
    if "doubleValue" in v:
        return v["doubleValue"]
    if "boolValue" in v:
        return v["boolValue"]
    if "arrayValue" in v:
        return [_otlp_value(x) for x in v["arrayValue"].get("values", [])]
    if "kvlistValue" in v:
        return {x["key"]: _otlp_value(x.get("value", {})) for x in v["kvlistValue"].get("values", [])}
    return None


def from_otlp_payload(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every log record of one OTLP/JSON logs export request, flat."""
    out = []
    for rl in payload.get("resourceLogs", []):
        res = {
            a["key"]: _otlp_value(a.get("value", {})) for a in rl.get("resource", {}).get("attributes", [])
        }
        run = str(res.get("agentel.run_id") or "")
        for sl in rl.get("scopeLogs", []):
            for rec in sl.get("logRecords", []):
                out.append(from_otlp(rec, run))
    return out


__all__ = ["FLAT_KEYS", "flat", "from_otlp", "from_otlp_payload", "timestamp"]
