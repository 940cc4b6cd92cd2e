"""The file sink writes exactly the collector file exporter's OTLP-JSON, safely across processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from google.protobuf.json_format import MessageToDict, Parse
from opentelemetry.exporter.otlp.proto.common._internal._log_encoder import encode_logs as pb_encode_logs
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans as pb_encode_spans
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

import agentel
from agentel import testing
from agentel.sinks.otlp_json import _fix_ids, encode_logs, encode_spans


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def _workload() -> None:
    import logging

    with agentel.context(run="r-1", iteration=3):
        with agentel.span("outer", answer=42, ratio=0.5, ok=True, tags=["a", "b"]) as s:
            s.add_event("checkpoint", {"step": 1})
            logging.getLogger("app").warning("careful %s", "now")
            agentel.event(
                "gen_ai.evaluation.result",
                **{"gen_ai.evaluation.name": "len", "gen_ai.evaluation.score.value": 1.0},
            )
            try:
                with agentel.span("inner"):
                    raise ValueError("boom")
            except ValueError:
                pass
    agentel.metric("agentel.telemetry.dropped").add(2, {"agentel.signal": "spans"})


def test_files_parse_as_otlp_export_requests(tmp_path: Path) -> None:
    agentel.configure(dir=str(tmp_path), run_id="run1", metrics_interval_s=0)
    _workload()
    agentel.shutdown()
    run_dir = tmp_path / "run1"
    traces, logs, metrics = (_lines(run_dir / f) for f in ("traces.jsonl", "logs.jsonl", "metrics.jsonl"))
    assert traces and logs and metrics
    spans = []
    for line in traces:
        req = Parse(line, ExportTraceServiceRequest())
        spans.extend(s for rs in req.resource_spans for ss in rs.scope_spans for s in ss.spans)
        raw = json.loads(line)
        for rs in raw["resourceSpans"]:
            for ss in rs["scopeSpans"]:
                for sp in ss["spans"]:
                    assert len(sp["traceId"]) == 32 and int(sp["traceId"], 16)  # hex, as the collector writes
                    assert len(sp["spanId"]) == 16
                    assert isinstance(sp["startTimeUnixNano"], str)  # int64 as string
    assert {s.name for s in spans} == {"outer", "inner"}
    outer = next(s for s in spans if s.name == "outer")
    attrs = {kv.key: kv.value for kv in outer.attributes}
    assert attrs["answer"].int_value == 42
    assert attrs["run"].string_value == "r-1" and attrs["iteration"].int_value == 3
    assert [v.string_value for v in attrs["tags"].array_value.values] == ["a", "b"]
    inner = next(s for s in spans if s.name == "inner")
    assert inner.status.code == 2 and "boom" in inner.status.message
    records = [
        r
        for line in logs
        for rl in Parse(line, ExportLogsServiceRequest()).resource_logs
        for sl in rl.scope_logs
        for r in sl.log_records
    ]
    assert any(r.event_name == "gen_ai.evaluation.result" for r in records)
    warn = next(r for r in records if r.body.string_value == "careful now")
    assert warn.severity_text == "WARN"
    assert {kv.key for kv in warn.attributes} >= {"run", "iteration"}
    m = [
        m.name
        for line in metrics
        for rm in Parse(line, ExportMetricsServiceRequest()).resource_metrics
        for sm in rm.scope_metrics
        for m in sm.metrics
    ]
    assert "agentel.telemetry.dropped" in m


def test_direct_encoding_equals_official_protobuf_encoding() -> None:
    """Our fast encoder gives the same request as the OTLP exporter's protobuf encoder."""
    with testing.capture() as cap:
        _workload()
    spans = cap.spans
    ours = Parse(json.dumps(_ids_to_b64(encode_spans(spans))), ExportTraceServiceRequest())
    assert ours == pb_encode_spans(spans)
    official = MessageToDict(pb_encode_spans(spans), use_integers_for_enums=True)
    _fix_ids(official)
    assert _norm(encode_spans(spans)) == _norm(official)
    official_logs = MessageToDict(pb_encode_logs(cap.logs), use_integers_for_enums=True)
    _fix_ids(official_logs)  # (the protobuf encoder writes an absent body as an empty AnyValue)
    assert _norm(encode_logs(cap.logs)) == _norm(official_logs)


def _ids_to_b64(node: object) -> object:
    import base64

    if isinstance(node, dict):
        return {
            k: (
                base64.b64encode(bytes.fromhex(v)).decode()
                if k in ("traceId", "spanId", "parentSpanId") and isinstance(v, str)
                else _ids_to_b64(v)
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_ids_to_b64(v) for v in node]
    return node


def _norm(node: object) -> object:
    """Drop empty containers the two encoders may differ on (both mean 'absent')."""
    if isinstance(node, dict):
        return {k: _norm(v) for k, v in node.items() if v not in ({}, [], "", 0) or k in ("status",)}
    if isinstance(node, list):
        return [_norm(v) for v in node]
    return node


_WRITER = """
import os, sys
import agentel
agentel.configure(dir=sys.argv[1], run_id="shared", metrics_interval_s=0)
for i in range(int(sys.argv[2])):
    with agentel.span("work", i=i, pid=os.getpid(), pad="x" * 3000):
        pass
    if i % 50 == 0:
        agentel.force_flush()
agentel.shutdown()
"""


def test_concurrent_processes_never_interleave_lines(tmp_path: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(_WRITER)
    procs = [subprocess.Popen([sys.executable, str(script), str(tmp_path), "400"]) for _ in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    seen: dict[int, set[int]] = {}
    for line in _lines(tmp_path / "shared" / "traces.jsonl"):
        req = Parse(line, ExportTraceServiceRequest())  # a torn or interleaved line fails here
        for rs in req.resource_spans:
            for ss in rs.scope_spans:
                for s in ss.spans:
                    a = {kv.key: kv.value for kv in s.attributes}
                    seen.setdefault(a["pid"].int_value, set()).add(a["i"].int_value)
    assert len(seen) == 4
    assert all(v == set(range(400)) for v in seen.values())


def test_flushed_on_uncaught_exception(tmp_path: Path) -> None:
    script = tmp_path / "crash.py"
    script.write_text(
        "import agentel, sys\n"
        f"agentel.configure(dir={str(tmp_path)!r}, run_id='crash')\n"
        "with agentel.span('before-crash'):\n    pass\n"
        "raise SystemError('boom')\n"
    )
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "SystemError" in proc.stderr
    assert "before-crash" in (tmp_path / "crash" / "traces.jsonl").read_text()


def test_fork_child_writes_its_spans(tmp_path: Path) -> None:
    script = tmp_path / "fork.py"
    script.write_text(
        "import os, agentel\n"
        f"agentel.configure(dir={str(tmp_path)!r}, run_id='fork')\n"
        "pid = os.fork()\n"
        "with agentel.span('child' if pid == 0 else 'parent'):\n    pass\n"
        "if pid == 0:\n    agentel.shutdown(); os._exit(0)\n"
        "os.waitpid(pid, 0)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "AGENTEL_RAISE_INTERNAL_ERRORS"}
    proc = subprocess.run(
        [sys.executable, "-W", "ignore::DeprecationWarning", str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "fork" / "traces.jsonl").read_text()
    assert '"name":"child"' in text and '"name":"parent"' in text
