"""configure()/shutdown(): idempotence, re-configure, sinks, no socket by default, OTLP when asked."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

import agentel
from agentel import sdk
from agentel.config import ConfigError


def test_configure_is_idempotent_and_guards_changes(tmp_path: Path) -> None:
    s1 = agentel.configure(dir=str(tmp_path))
    assert agentel.configure() is s1
    assert agentel.configure(dir=str(tmp_path)) is s1
    with pytest.raises(ConfigError, match="call agentel.shutdown\\(\\) before configuring again"):
        agentel.configure(dir=str(tmp_path / "other"))
    agentel.shutdown()
    s2 = agentel.configure(dir=str(tmp_path / "other"), run_id="second")
    with agentel.span("after-reconfigure"):
        pass
    agentel.shutdown()
    assert s2.run_id == "second"
    assert "after-reconfigure" in (tmp_path / "other" / "second" / "traces.jsonl").read_text()


def test_tracers_obtained_before_configure_follow_it(tmp_path: Path) -> None:
    from opentelemetry import trace

    early = trace.get_tracer("early")
    agentel.configure(dir=str(tmp_path), run_id="r")
    with early.start_as_current_span("from-early-tracer"):
        pass
    agentel.shutdown()
    assert "from-early-tracer" in (tmp_path / "r" / "traces.jsonl").read_text()


def test_run_id_is_a_resource_attribute(tmp_path: Path) -> None:
    s = agentel.configure(dir=str(tmp_path))
    p = sdk.current_pipeline()
    assert p is not None and p.resource.attributes["agentel.run_id"] == s.run_id
    assert s.run_dir == str(tmp_path / s.run_id)


def test_console_pretty_filters_by_severity() -> None:
    import logging

    from agentel.sinks.console import ConsoleLogExporter

    buf = io.StringIO()
    agentel.configure(
        sinks=[], log_exporters=[ConsoleLogExporter("pretty", "warn", stream=buf)], sync_export=True
    )
    logging.getLogger("app").info("quiet info")
    logging.getLogger("app").error("loud error")
    agentel.shutdown()
    out = buf.getvalue()
    assert "loud error" in out and "quiet info" not in out


def test_error_log_records_carry_error_code() -> None:
    import logging

    from agentel import testing

    with testing.capture() as cap:
        try:
            raise TimeoutError("slow")
        except TimeoutError:
            logging.getLogger("app").exception("call failed")
        logging.getLogger("app").error("explicit", extra={"error_code": "E42"})
    codes = [r.log_record.attributes["error.code"] for r in cap.logs]
    assert codes == ["TimeoutError", "E42"]


_NO_SOCKET = """
import sys, logging
opened = []
def hook(event, args):
    if event.startswith("socket.") :
        opened.append(event)
sys.addaudithook(hook)
import agentel
agentel.configure(dir=sys.argv[1], metrics_interval_s=1)
with agentel.context(run="x"), agentel.span("work"):
    logging.getLogger("a").warning("w")
    agentel.event("agentel.feedback")
    agentel.metric("agentel.telemetry.dropped").add(1)
agentel.shutdown()
print("SOCKETS", opened)
"""


def test_default_configuration_opens_no_socket(tmp_path: Path) -> None:
    script = tmp_path / "nosock.py"
    script.write_text(_NO_SOCKET)
    out = subprocess.run(
        [sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, timeout=60, check=True
    )
    assert "SOCKETS []" in out.stdout, out.stdout + out.stderr


class _Collector(BaseHTTPRequestHandler):
    bodies: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).bodies.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_otlp_http_sink_only_when_configured(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_address[1]}"
        s = agentel.configure(dir=str(tmp_path), otlp_endpoint=endpoint, metrics_interval_s=0)
        assert s.sinks == ("files", "otlp")
        with agentel.span("over-otlp"):
            pass
        agentel.shutdown()
    finally:
        server.shutdown()
        server.server_close()
    traces = [b for p, b in _Collector.bodies if p == "/v1/traces"]
    names = [
        s.name
        for b in traces
        for rs in ExportTraceServiceRequest.FromString(b).resource_spans
        for ss in rs.scope_spans
        for s in ss.spans
    ]
    assert names == ["over-otlp"]


def test_otlp_grpc_sink(tmp_path: Path) -> None:
    from concurrent import futures

    import grpc
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

    received: list[str] = []

    class Traces(trace_service_pb2_grpc.TraceServiceServicer):
        def Export(self, request, context):  # type: ignore[no-untyped-def]  # noqa: N802
            received.extend(
                s.name for rs in request.resource_spans for ss in rs.scope_spans for s in ss.spans
            )
            return trace_service_pb2.ExportTraceServiceResponse()

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(Traces(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        agentel.configure(
            dir=str(tmp_path),
            otlp_endpoint=f"http://127.0.0.1:{port}",
            otlp_protocol="grpc",
            metrics_interval_s=0,
        )
        with agentel.span("over-grpc"):
            pass
        agentel.force_flush()
        # logs/metrics services are not implemented by this tiny server: the exporter's failures
        # must stay inside agentel (no exception reaches the program)
        agentel.shutdown(timeout_millis=2000)
    finally:
        server.stop(None)
    assert received == ["over-grpc"]


def test_console_jsonl_writes_otlp_lines() -> None:
    import json

    from agentel.sinks.console import ConsoleSpanExporter

    buf = io.StringIO()
    agentel.configure(sinks=[], span_exporters=[ConsoleSpanExporter("jsonl", stream=buf)], sync_export=True)
    with agentel.span("to-console"):
        pass
    agentel.shutdown()
    line = json.loads(buf.getvalue().splitlines()[0])
    assert line["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["name"] == "to-console"


def test_logs_made_while_exporting_are_not_bridged() -> None:
    import logging

    from opentelemetry import context as ctx

    from agentel import testing

    with testing.capture(log_level="debug") as cap:
        token = ctx.attach(ctx.set_value(ctx._SUPPRESS_INSTRUMENTATION_KEY, True))
        try:
            logging.getLogger("urllib3.connectionpool").debug("POST /v1/logs")
        finally:
            ctx.detach(token)
        logging.getLogger("app").debug("kept")
    assert [r.log_record.body for r in cap.logs] == ["kept"]
