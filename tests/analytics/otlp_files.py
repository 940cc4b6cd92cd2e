"""Reading the raw OTLP-JSON telemetry files directly — the independent side of the comparisons."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _value(v: dict[str, Any]) -> Any:
    for key in ("stringValue", "boolValue", "doubleValue"):
        if key in v:
            return v[key]
    if "intValue" in v:
        return int(v["intValue"])
    if "arrayValue" in v:
        return [_value(x) for x in v["arrayValue"].get("values", [])]
    return None


def _attrs(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {kv["key"]: _value(kv.get("value", {})) for kv in items or []}


def spans(directory: Path) -> list[dict[str, Any]]:
    """Every span: name, ids, duration (ms), status code, attributes, resource attributes."""
    out = []
    for path in sorted(directory.rglob("traces.jsonl")):
        for line in path.read_text().splitlines():
            for rs in json.loads(line)["resourceSpans"]:
                res = _attrs(rs["resource"].get("attributes", []))
                for ss in rs["scopeSpans"]:
                    for s in ss["spans"]:
                        out.append(
                            {
                                "name": s["name"],
                                "trace_id": s["traceId"],
                                "span_id": s["spanId"],
                                "parent": s.get("parentSpanId", ""),
                                "duration_ms": (int(s["endTimeUnixNano"]) - int(s["startTimeUnixNano"]))
                                / 1e6,
                                "error": s.get("status", {}).get("code") in (2, "STATUS_CODE_ERROR"),
                                "attributes": _attrs(s.get("attributes", [])),
                                "resource": res,
                            }
                        )
    return out


def events(directory: Path, name: str | None = None) -> list[dict[str, Any]]:
    """Every event (log record with an event name): name, span id, attributes."""
    out = []
    for path in sorted(directory.rglob("logs.jsonl")):
        for line in path.read_text().splitlines():
            for rl in json.loads(line)["resourceLogs"]:
                for sl in rl["scopeLogs"]:
                    for r in sl["logRecords"]:
                        ev = r.get("eventName") or ""
                        if ev and (name is None or ev == name):
                            out.append(
                                {
                                    "name": ev,
                                    "span_id": r.get("spanId", ""),
                                    "attributes": _attrs(r.get("attributes", [])),
                                }
                            )
    return out


def llm_spans(directory: Path) -> list[dict[str, Any]]:
    return [s for s in spans(directory) if "gen_ai.request.model" in s["attributes"]]


def model_of(span: dict[str, Any]) -> str:
    a = span["attributes"]
    return a.get("gen_ai.response.model") or a["gen_ai.request.model"]
