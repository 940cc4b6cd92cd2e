"""``agentel doctor``: what is configured, where data goes, what is reachable, how big the store is.

Each finding is a check with a status (ok, warn, error) and a detail that says what to do. The
doctor never loads files (it reports what is waiting to be loaded) and never needs a server: an
unreachable one is a finding, not a crash.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from agentel.config import hide_credentials, resolve

_SECRET_SETTINGS = ("otlp_headers",)
_HEALTH_METRICS = ("agentel.telemetry.dropped", "agentel.redaction.redacted", "agentel.events.unregistered")


@dataclass
class Check:
    name: str
    status: str  # ok | warn | error
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"check": self.name, "status": self.status, "detail": self.detail}


@dataclass
class Diagnosis:
    settings: list[dict[str, Any]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    store: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.status != "error" for c in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "settings": self.settings,
            "data": self.data,
            "store": self.store,
            "checks": [c.as_dict() for c in self.checks],
        }


def _show(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _SECRET_SETTINGS and value:
        return {k: "***" for k in value}
    if name == "clickhouse_url":
        return hide_credentials(str(value))
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict) or hasattr(value, "items"):
        return dict(value)
    return value if isinstance(value, (str, int, float, bool)) else str(value)


def _settings(diag: Diagnosis) -> Any:
    from agentel.config import ConfigError, Settings

    try:
        s = Settings.load()
    except ConfigError as exc:
        diag.checks.append(Check("settings", "error", str(exc)))
        return None
    for name in s.__dataclass_fields__:
        if name in ("sources", "run_id"):
            continue
        diag.settings.append(
            {
                "setting": name,
                "value": _show(name, getattr(s, name)),
                "source": s.sources.get(name, "default"),
            }
        )
    diag.checks.append(Check("settings", "ok", f"valid; sinks: {', '.join(s.sinks)}"))
    return s


def _tcp(host: str, port: int, timeout: float = 1.0) -> str | None:
    """None when something accepts a connection on host:port, else why not."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as exc:
        return exc.strerror or str(exc)


def _reachability(diag: Diagnosis, s: Any) -> None:
    if s is None:
        return
    if s.otlp_endpoint:
        p = urlsplit(s.otlp_endpoint)
        port = p.port or (4317 if p.scheme == "grpc" or s.otlp_protocol == "grpc" else 4318)
        err = _tcp(p.hostname or "127.0.0.1", port)
        diag.checks.append(
            Check(
                "otlp endpoint",
                "ok" if err is None else "error",
                f"{s.otlp_endpoint} reachable"
                if err is None
                else f"{s.otlp_endpoint}: {err}; start the collector or unset OTEL_EXPORTER_OTLP_ENDPOINT",
            )
        )
    if s.prometheus_port is not None:
        err = _tcp("127.0.0.1", s.prometheus_port) if s.prometheus_port else "OS-chosen port"
        diag.checks.append(
            Check(
                "prometheus endpoint",
                "ok" if err is None else "warn",
                f"something listens on :{s.prometheus_port}"
                if err is None
                else f":{s.prometheus_port} not listening ({err}); a program under agentel serves it while it runs",
            )
        )
    if not s.otlp_endpoint and not s.clickhouse_url:
        diag.checks.append(
            Check("network", "ok", "no network sink configured: telemetry stays in local files")
        )


def _data(diag: Diagnosis, directory: str) -> list[str]:
    from agentel.store.loader import iter_files

    path = os.path.abspath(directory)
    diag.data["dir"] = path
    if not os.path.isdir(path):
        diag.data.update(exists=False, files=0, bytes=0, runs=0)
        diag.checks.append(
            Check("data directory", "warn", f"{path} does not exist yet: run a program under agentel first")
        )
        return []
    files = list(iter_files([path]))
    size = sum(os.path.getsize(f) for f in files if os.path.exists(f))
    runs = {os.path.dirname(f) for f in files}
    spill = os.path.join(path, "spill")
    spilled = (
        sum(os.path.getsize(os.path.join(r, n)) for r, _d, ns in os.walk(spill) for n in ns)
        if os.path.isdir(spill)
        else 0
    )
    diag.data.update(exists=True, files=len(files), bytes=size, runs=len(runs), spilled_bytes=spilled)
    diag.checks.append(
        Check("data directory", "ok", f"{path}: {len(files)} telemetry files, {size / 1e6:.1f} MB")
    )
    if spilled:
        diag.checks.append(
            Check(
                "spill",
                "warn",
                f"{spilled / 1e6:.1f} MB spilled for an unreachable ClickHouse; replayed when it is back",
            )
        )
    return files


def _store(diag: Diagnosis, directory: str, files: list[str], wait_s: float, url: str | None) -> None:
    from agentel.analytics.questions import ask
    from agentel.store import StoreBusyError, StoreError
    from agentel.store.maintenance import store_bytes
    from agentel.store.session import open_store

    try:
        engine, _ = open_store(directory=directory, url=url, load_new=False, wait_s=wait_s)
    except StoreBusyError as exc:
        diag.checks.append(Check("store", "warn", str(exc)))
        return
    except StoreError as exc:
        diag.checks.append(Check("store", "error", str(exc)))
        return
    try:
        diag.store["engine"] = engine.kind
        diag.store["location"] = getattr(engine, "path", None) or f"server database {engine.database}"
        counts = {r["table"]: int(r["rows"]) for r in ask(engine, "store_rows")}
        diag.store["rows"] = counts
        diag.store["bytes"] = store_bytes(engine)
        state = {r["path"]: int(r["offset"]) for r in ask(engine, "load_state")}
        pending = sum(max(0, os.path.getsize(f) - state.get(f, 0)) for f in files if os.path.exists(f))
        diag.store["pending_bytes"] = pending
        diag.checks.append(
            Check(
                "store",
                "ok",
                f"{engine.kind} at {diag.store['location']}: {diag.store['bytes'] / 1e6:.1f} MB, "
                f"{counts['otel_traces']} spans, {counts['llm_calls']} LLM calls",
            )
        )
        if pending:
            diag.checks.append(
                Check(
                    "unloaded data",
                    "warn",
                    f"{pending / 1e6:.2f} MB not loaded yet: `agentel load` (reports load it too)",
                )
            )
        _health(diag, engine)
    except StoreError as exc:
        diag.checks.append(Check("store", "error", str(exc)))
    finally:
        engine.close()


def _health(diag: Diagnosis, engine: Any) -> None:
    """What programs reported about their own telemetry (drops, redactions, unknown events)."""
    from agentel.analytics.questions import ask

    totals = {r["metric"]: float(r["total"]) for r in ask(engine, "telemetry_health")}
    diag.store["telemetry_health"] = {m: totals.get(m, 0.0) for m in _HEALTH_METRICS}
    dropped = totals.get("agentel.telemetry.dropped", 0.0)
    unregistered = totals.get("agentel.events.unregistered", 0.0)
    if dropped:
        diag.checks.append(
            Check("dropped telemetry", "warn", f"programs reported {dropped:.0f} dropped records")
        )
    if unregistered:
        diag.checks.append(
            Check(
                "unregistered events",
                "warn",
                f"{unregistered:.0f} events with unregistered names: `agentel lint`",
            )
        )


def diagnose(wait_s: float = 2.0) -> Diagnosis:
    """Run every check (settings, data directory, reachability, store)."""
    diag = Diagnosis()
    s = _settings(diag)
    directory = s.dir if s is not None else resolve("dir")[0]
    files = _data(diag, directory)
    _reachability(diag, s)
    _store(diag, directory, files, wait_s, s.clickhouse_url if s is not None else None)
    return diag


__all__ = ["Check", "Diagnosis", "diagnose"]
