"""Run agentel's built collector for real: config variants, OS-chosen ports, start/kill by pid.

Used by the collector tests and by benchmarks/bench_collector.py (which puts this directory on
``sys.path``), so it imports nothing from pytest.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import socket
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import yaml

import testsupport

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "collector-config" / "otelcol.yaml"
BUILD_SCRIPT = ROOT / "scripts" / "build-collector.sh"

T = TypeVar("T")


def wait_for(
    fn: Callable[[], T | None], timeout: float = 20.0, what: str = "condition", interval: float = 0.05
) -> T:
    """testsupport.wait_for with the collector's longer default deadline."""
    return testsupport.wait_for(fn, timeout, what, interval)


def collector_binary() -> Path:
    """Where `make collector` puts the binary for the current manifest (it may not exist yet)."""
    out = subprocess.run(
        ["bash", str(BUILD_SCRIPT), "--print-path"], capture_output=True, text=True, check=True
    )
    return Path(out.stdout.strip())


def free_port() -> int:
    """An OS-chosen free TCP port on loopback (the collector needs ports in its config up front)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_config() -> dict[str, Any]:
    return yaml.safe_load(CONFIG.read_text())


def without_clickhouse(config: dict[str, Any]) -> dict[str, Any]:
    """The shipped config minus the ClickHouse exporter (no server in the test environment)."""
    cfg = copy.deepcopy(config)
    cfg["exporters"].pop("clickhouse", None)
    for pipeline in cfg["service"]["pipelines"].values():
        pipeline["exporters"] = [e for e in pipeline["exporters"] if e != "clickhouse"]
    return cfg


class CollectorProcess:
    """One collector with its own directory and ports; started, killed and restarted by pid."""

    PORTS = ("grpc", "http", "prometheus", "health", "telemetry")

    def __init__(
        self, binary: Path, config: dict[str, Any], workdir: Path, env: dict[str, str] | None = None
    ):
        self.binary = binary
        self.workdir = workdir
        self.dir = workdir / "collector"
        self.ports = {name: free_port() for name in self.PORTS}
        self.config_path = workdir / "otelcol.yaml"
        self.config_path.write_text(yaml.safe_dump(config, sort_keys=False))
        self.env = {
            **os.environ,
            "AGENTEL_COLLECTOR_DIR": str(self.dir),
            "AGENTEL_COLLECTOR_OTLP_GRPC_ENDPOINT": f"127.0.0.1:{self.ports['grpc']}",
            "AGENTEL_COLLECTOR_OTLP_HTTP_ENDPOINT": f"127.0.0.1:{self.ports['http']}",
            "AGENTEL_COLLECTOR_PROMETHEUS_ENDPOINT": f"127.0.0.1:{self.ports['prometheus']}",
            "AGENTEL_COLLECTOR_HEALTH_ENDPOINT": f"127.0.0.1:{self.ports['health']}",
            "AGENTEL_COLLECTOR_TELEMETRY_HOST": "127.0.0.1",
            "AGENTEL_COLLECTOR_TELEMETRY_PORT": str(self.ports["telemetry"]),
            **(env or {}),
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / "collector.log"
        self.starts = 0

    @property
    def otlp_http(self) -> str:
        return f"http://127.0.0.1:{self.ports['http']}"

    @property
    def otlp_grpc(self) -> str:
        return f"http://127.0.0.1:{self.ports['grpc']}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def validate(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.binary), "validate", "--config", str(self.config_path)],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def _healthy(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"collector exited with {self.proc.returncode}:\n{self.log_tail()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.ports['health']}/", timeout=1) as r:
                return bool(r.status == 200)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def start(self, timeout: float = 30.0) -> CollectorProcess:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child, closed in _reap
        self.proc = subprocess.Popen(
            [str(self.binary), "--config", str(self.config_path)],
            env=self.env,
            cwd=self.workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.starts += 1
        wait_for(self._healthy, timeout, f"collector health check on :{self.ports['health']}")
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush — what a crash or an OOM kill does."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM and wait for a clean shutdown (queues and files flushed); SIGKILL if it hangs."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def files(self, signal_name: str) -> list[Path]:
        """The collector's OTLP-JSON files for one signal (the live file and rotated backups)."""
        directory = self.dir / "files"
        if not directory.exists():
            return []
        return sorted(
            p for p in directory.iterdir() if p.name.startswith(signal_name) and p.suffix == ".jsonl"
        )

    def records(self, signal_name: str) -> Iterator[dict[str, Any]]:
        """Every export request line the file exporter wrote for ``signal_name``."""
        for path in self.files(signal_name):
            for line in path.read_text().splitlines():
                if line.strip():
                    yield json.loads(line)

    def span_ids(self) -> list[str]:
        """All span ids in the trace files (hex, as the file exporter writes them), with repeats."""
        return [
            span["spanId"]
            for req in self.records("traces")
            for rs in req.get("resourceSpans", [])
            for ss in rs.get("scopeSpans", [])
            for span in ss.get("spans", [])
        ]


class PrometheusServer:
    """A real Prometheus server (Debian's package) on an OS-chosen loopback port, queried over HTTP."""

    def __init__(
        self, workdir: Path, scrape_configs: list[dict[str, Any]], scrape_interval: str = "1s"
    ) -> None:
        import shutil

        binary = shutil.which("prometheus")
        assert binary, "prometheus not found: run `make system-deps` (installs Debian's prometheus package)"
        self.binary = binary
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.config_path = workdir / "prometheus.yml"
        config = {
            "global": {"scrape_interval": scrape_interval, "evaluation_interval": scrape_interval},
            "scrape_configs": scrape_configs,
        }
        self.config_path.write_text(yaml.safe_dump(config, sort_keys=False))
        self.log_path = workdir / "prometheus.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def check_config(self) -> subprocess.CompletedProcess[str]:
        import shutil

        promtool = shutil.which("promtool") or "promtool"
        return subprocess.run(
            [promtool, "check", "config", str(self.config_path)], capture_output=True, text=True, timeout=60
        )

    def _ready(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(
                f"prometheus exited with {self.proc.returncode}:\n{self.log_path.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(f"{self.url}/-/ready", timeout=1) as r:
                return bool(r.status == 200)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def start(self, timeout: float = 30.0) -> PrometheusServer:
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        self.proc = subprocess.Popen(
            [
                self.binary,
                f"--config.file={self.config_path}",
                f"--storage.tsdb.path={self.workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.workdir,
        )
        log.close()
        wait_for(self._ready, timeout, f"prometheus ready on :{self.port}")
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)

    def _get(self, path: str, params: dict[str, str]) -> Any:
        from urllib.parse import urlencode

        with urllib.request.urlopen(f"{self.url}{path}?{urlencode(params)}", timeout=10) as r:
            body = json.loads(r.read())
        assert body["status"] == "success", body
        return body["data"]

    def query(self, promql: str) -> list[dict[str, Any]]:
        """Instant PromQL query; the vector's samples as ``{"metric": {...}, "value": float}``."""
        data = self._get("/api/v1/query", {"query": promql})
        return [{"metric": r["metric"], "value": float(r["value"][1])} for r in data["result"]]

    def targets(self) -> list[dict[str, Any]]:
        return list(self._get("/api/v1/targets", {})["activeTargets"])
