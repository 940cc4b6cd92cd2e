"""The serve tests' harness: `agentel serve` as a real process on OS-chosen ports, stopped by its
pid; queries through its ClickHouse interface; small applications run as subprocesses.

Used by benchmarks/bench_serve.py too (it puts this directory on ``sys.path``): no pytest here.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def wait_for(fn: Callable[[], T | None], timeout: float = 30.0, what: str = "condition") -> T:
    """Poll ``fn`` until it returns something truthy; fail after ``timeout`` seconds naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def clean_env(directory: Path | str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "CLICKHOUSE_URL" and not k.startswith("OTEL_") and not k.startswith("AGENTEL_")
    }
    env["AGENTEL_DIR"] = str(directory)
    env.update(extra or {})
    return env


class ServeProcess:
    """``agentel serve`` on ``directory`` with every port chosen by the OS."""

    def __init__(
        self,
        directory: Path | str,
        *args: str,
        env: dict[str, str] | None = None,
        command: str = "serve",
        timeout: float = 90.0,
    ) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        logs = self.directory.parent / f"{self.directory.name}-serve-logs"
        logs.mkdir(exist_ok=True)
        n = len(list(logs.iterdir()))
        self.stdout_path, self.stderr_path = logs / f"out{n}.txt", logs / f"err{n}.txt"
        port_args = ["--port", "0"] if command == "ui" else ["--ui-port", "0"]
        cmd = [
            sys.executable,
            "-m",
            "agentel.cli",
            command,
            *port_args,
            "--otlp-port",
            "0",
            "--otlp-grpc-port",
            "0",
            "--clickhouse-port",
            "0",
            *args,
        ]
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(cmd, env=clean_env(self.directory, env), stdout=out, stderr=err)
        self.info: dict[str, Any] = wait_for(self._ready, timeout, "agentel serve to write serve.json")

    def _ready(self) -> dict[str, Any] | None:
        if self.proc.poll() is not None:
            raise AssertionError(f"agentel serve exited with {self.proc.returncode}: {self.stderr()}")
        try:
            info = json.loads((self.directory / "serve.json").read_text())
        except (OSError, ValueError):
            return None
        return info if info.get("pid") == self.proc.pid else None

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    @property
    def otlp(self) -> str:
        return str(self.info["otlp"])

    @property
    def ui(self) -> str:
        return str(self.info["ui"])

    def query(self, sql: str) -> str:
        """Run ``sql`` through the server's ClickHouse interface; TabSeparated text."""
        auth = base64.b64encode(f"{self.info['user']}:{self.info['password']}".encode()).decode()
        req = urllib.request.Request(
            self.info["clickhouse"] + "/?default_format=TabSeparated&database=" + self.info["database"],
            data=sql.encode(),
            headers={"Authorization": "Basic " + auth},
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.read().decode()
        except urllib.error.HTTPError as exc:
            raise AssertionError(
                f"query failed ({exc.code}): {exc.read().decode(errors='replace')}"
            ) from None

    def scalar(self, sql: str) -> str:
        return self.query(sql).strip()

    def stop(self, timeout: float = 30.0) -> int:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return int(self.proc.returncode)

    def kill9(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


AGENTEL_APP = """
import sys, agentel
from opentelemetry import trace
agentel.configure(service_name="serve-app", sync_export=True)
tracer = trace.get_tracer("serve-test")
for i in range(int(sys.argv[2])):
    with tracer.start_as_current_span(
        "chat " + sys.argv[1],
        attributes={"gen_ai.operation.name": "chat", "gen_ai.request.model": sys.argv[1],
                    "gen_ai.usage.input_tokens": 5, "gen_ai.usage.output_tokens": 7},
    ):
        pass
agentel.shutdown()
"""

OTEL_APP = """
import sys, time
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry._logs import set_logger_provider
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

resource = Resource.create({"service.name": "plain-otel-app"})
tp = TracerProvider(resource=resource)
tp.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))  # OTEL_EXPORTER_OTLP_ENDPOINT
trace.set_tracer_provider(tp)
lp = LoggerProvider(resource=resource)
lp.add_log_record_processor(BatchLogRecordProcessor(OTLPLogExporter()))
set_logger_provider(lp)
mp = MeterProvider(resource=resource, metric_readers=[PeriodicExportingMetricReader(OTLPMetricExporter(), 60000)])
mp.get_meter("plain").create_counter("plain.requests").add(5, {"route": "/chat"})
tracer = trace.get_tracer("plain")
with tracer.start_as_current_span(
    "chat " + sys.argv[1],
    attributes={"gen_ai.operation.name": "chat", "gen_ai.request.model": sys.argv[1],
                "gen_ai.usage.input_tokens": 11, "gen_ai.usage.output_tokens": 13,
                "db.password": "hunter2-is-secret"},
):
    lp.get_logger("plain").emit(body="plain log line " + sys.argv[1], attributes={"k": "v"})
tp.shutdown()
lp.shutdown()
mp.shutdown()
"""


GRPC_APP = """
import sys
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

tp = TracerProvider(resource=Resource.create({"service.name": "grpc-otel-app"}))
tp.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=sys.argv[2], insecure=True)))
with tp.get_tracer("grpc").start_as_current_span("chat " + sys.argv[1], attributes={"gen_ai.request.model": sys.argv[1]}):
    pass
tp.shutdown()
"""


def run_app(
    source: str, directory: Path | str, *args: str, env: dict[str, str] | None = None, timeout: float = 60.0
) -> float:
    """Run a small application to completion; returns its wall time in seconds."""
    t0 = time.monotonic()
    r = subprocess.run(
        [sys.executable, "-c", source, *args],
        env=clean_env(directory, env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if r.returncode != 0:
        raise AssertionError(f"application failed ({r.returncode}): {r.stderr[-3000:]}")
    return time.monotonic() - t0
