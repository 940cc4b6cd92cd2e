"""Kill the collector mid-run (SIGKILL) and restart it: nothing the SDK sent is lost.

Two guarantees are exercised with real processes:

* SDK → collector: the SDK's OTLP exporter retries while the collector is down, and the file
  exporter writes a request before the collector acknowledges it, so every span reaches the files.
* collector → downstream: batches accepted but not yet delivered sit in the persistent sending
  queue (file_storage); after the kill they are still there and are delivered on restart. The
  downstream here is an OTLP/HTTP receiver in this test (the ClickHouse exporter uses the very same
  exporterhelper queue; no ClickHouse server is available to the suite).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from collector_process import CollectorProcess, free_port, load_config, wait_for, without_clickhouse
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

import agentel


class OTLPSink:
    """A minimal OTLP/HTTP traces receiver: records span ids (hex) it was sent."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.span_ids: list[str] = []
        self._lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                req = ExportTraceServiceRequest.FromString(body)
                ids = [
                    s.span_id.hex() for rs in req.resource_spans for ss in rs.scope_spans for s in ss.spans
                ]
                with sink._lock:
                    sink.span_ids.extend(ids)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def received(self) -> set[str]:
        with self._lock:
            return set(self.span_ids)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def sink_port() -> Iterator[Callable[[], OTLPSink]]:
    """A reserved port for the downstream receiver, which starts only when the test says so."""
    port = free_port()
    sinks: list[OTLPSink] = []

    def start() -> OTLPSink:
        sinks.append(OTLPSink(port))
        return sinks[-1]

    start.port = port  # type: ignore[attr-defined]
    yield start
    for s in sinks:
        s.close()


def fault_config(downstream_port: int) -> dict[str, Any]:
    shipped = load_config()
    cfg = without_clickhouse(shipped)
    cfg["exporters"]["otlp_http/downstream"] = {
        "endpoint": f"http://127.0.0.1:{downstream_port}",
        "encoding": "proto",
        "compression": "none",
        "retry_on_failure": {
            "enabled": True,
            "initial_interval": "100ms",
            "max_interval": "500ms",
            "max_elapsed_time": "0s",
        },
        # The same queue settings as the shipped ClickHouse exporter, smaller batches.
        "sending_queue": {
            **shipped["exporters"]["clickhouse"]["sending_queue"],
            "batch": {"sizer": "items", "min_size": 50, "max_size": 1000, "flush_timeout": "200ms"},
        },
    }
    cfg["service"]["pipelines"]["traces"]["exporters"].append("otlp_http/downstream")
    return cfg


def make_spans(prefix: str, n: int) -> set[str]:
    ids: set[str] = set()
    for i in range(n):
        with agentel.span(f"{prefix}-{i}", batch=prefix, index=i) as s:
            ids.add(format(s.get_span_context().span_id, "016x"))
    return ids


def test_sigkill_and_restart_lose_nothing(
    start_collector: Callable[..., CollectorProcess],
    sink_port: Callable[[], OTLPSink],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The exporter's retry budget (seconds) must outlast a restart on a loaded machine.
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "60")
    config = fault_config(sink_port.port)  # type: ignore[attr-defined]
    collector = start_collector(config, start=False)
    assert collector.validate().returncode == 0, collector.validate().stderr
    collector.start()
    agentel.configure(
        dir=str(tmp_path / "app"), otlp_endpoint=collector.otlp_http, sinks=("otlp",), metrics_interval_s=0
    )

    # Phase A: delivered to the collector while the downstream is unreachable → in its disk queue.
    batch_a = make_spans("a", 150)
    assert agentel.force_flush()
    wait_for(lambda: batch_a <= set(collector.span_ids()), what="batch A in the collector's files")

    collector.kill()  # SIGKILL: nothing is flushed, nothing is shut down cleanly

    # Phase B: produced while the collector is down; the SDK's exporter retries until it is back.
    batch_b = make_spans("b", 150)
    flushed: list[bool] = []
    flusher = threading.Thread(target=lambda: flushed.append(agentel.force_flush(timeout_millis=60_000)))
    flusher.start()
    collector.start()
    flusher.join(timeout=90)
    assert flushed == [True]

    everything = batch_a | batch_b
    wait_for(lambda: everything <= set(collector.span_ids()), what="batches A and B in the files")
    # The downstream comes up last: batch A can only reach it from the queue that survived the kill.
    sink = sink_port()
    wait_for(lambda: everything <= sink.received(), timeout=60, what="every span delivered downstream")
    assert collector.starts == 2
    agentel.shutdown()
    collector.stop()
