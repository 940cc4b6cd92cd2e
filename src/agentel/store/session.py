"""Opening the store the way the CLI and UI do: engine, schema applied, new files loaded, budget kept."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from agentel._internal import state
from agentel.config import ConfigError, resolve
from agentel.store.engine import Engine, Result, ServerEngine, StoreError, open_engine
from agentel.store.loader import LoadReport, load
from agentel.store.maintenance import enforce_budget
from agentel.store.schema import SchemaOptions, apply

if TYPE_CHECKING:
    from agentel.serve.discovery import ServerInfo

DEFAULT_TTL_DAYS = 30


def _setting(name: str) -> Any:
    """A setting as the configuration table parses and checks it: the configured value when
    agentel is configured in this process, else the environment's, else the default."""
    current = state.settings()
    if current is not None:
        return getattr(current, name)
    try:
        return resolve(name)[0]
    except ConfigError as exc:
        raise StoreError(str(exc)) from None


def data_dir() -> str:
    """AGENTEL_DIR (default ``.agentel``), from the configuration table."""
    return str(_setting("dir"))


def ttl_days_setting(explicit: int | None = None) -> tuple[int, bool]:
    """(days, whether it was configured) from the argument, else AGENTEL_TTL_DAYS, else 30."""
    if explicit is not None:
        return explicit, True
    days = _setting("ttl_days")
    return (days, True) if days is not None else (DEFAULT_TTL_DAYS, False)


def budget_bytes_setting(explicit_mb: int | None = None) -> int:
    """The embedded store's disk budget: the argument, else AGENTEL_DISK_BUDGET_MB (default 2048 MiB)."""
    mb = explicit_mb if explicit_mb is not None else int(_setting("disk_budget_mb"))
    return mb * 1024 * 1024


def keep_within_budget(engine: Engine, budget_mb: int | None = None) -> list[str]:
    """Drop the embedded store's oldest days past the disk budget, saying so on stderr."""
    if engine.kind != "embedded":
        return []  # a server's disk is its operator's, with its own TTLs
    budget = budget_bytes_setting(budget_mb)
    dropped = enforce_budget(engine, budget)
    if dropped:
        print(
            f"agentel: the store passed its disk budget ({budget // 2**20} MiB, AGENTEL_DISK_BUDGET_MB): "
            f"dropped the oldest day(s) {', '.join(dropped)}",
            file=sys.stderr,
        )
    return dropped


def served(directory: str | None = None) -> ServerInfo | None:
    """The running ``agentel serve`` that owns the store in ``directory`` (AGENTEL_DIR), if any.

    Not when CLICKHOUSE_URL names a server (that store is another one), nor when
    AGENTEL_NO_SERVE=1 (a command that must open the files itself fails on the lock instead).
    """
    if _setting("clickhouse_url") or _setting("no_serve"):
        return None
    from agentel.serve.discovery import read_live_server

    directory = directory or data_dir()
    info = read_live_server(directory)
    if info is None or not info.clickhouse:
        return None
    try:
        if not os.path.samefile(info.dir, directory):
            return None
    except OSError:
        return None
    return info


def open_served(info: ServerInfo, wait_s: float = 30.0) -> Engine:
    """The server engine (clickhouse-connect) on a running ``agentel serve``'s ClickHouse interface."""

    def connect(**kwargs: Any) -> Any:
        if "database" not in kwargs:
            return _NoAdmin()  # the server made the database: skip the second connection
        import clickhouse_connect

        return clickhouse_connect.get_client(
            **kwargs, connect_timeout=min(10.0, max(1.0, wait_s)), autogenerate_session_id=False
        )

    try:
        engine = ServedEngine(info.clickhouse_url(), connect=connect)
    except StoreError as exc:
        raise StoreError(
            f"agentel serve (pid {info.pid}, {info.clickhouse}) owns the store in {info.dir} "
            f"but did not answer: {exc}; wait for it, or stop it (kill {info.pid})"
        ) from None
    engine.served = info  # type: ignore[attr-defined]
    return engine


class ServedEngine(ServerEngine):
    """The server engine, reading results as the embedded engine does (JSONCompact, parsed the
    same way), so a report prints the same whether the store is served or opened here."""

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> Result:
        raw = self.query_raw(sql, "JSONCompact", params)
        data = json.loads(raw or b'{"meta":[],"data":[]}')
        return Result([m["name"] for m in data["meta"]], [tuple(r) for r in data["data"]])


class _NoAdmin:
    def command(self, *_: Any, **__: Any) -> None:
        return None

    def close(self) -> None:
        return None


def served_load(engine: Engine, paths: Sequence[str] | None = None) -> LoadReport | None:
    """Have the running server load ``paths`` (default: everything it watches) now, and wait.

    Only the server loads files into the store it owns: two loaders would race on the offsets
    they record. Returns its load report (None when it had nothing new).
    """
    import json
    import urllib.error
    import urllib.request

    from agentel.store.loader import LoadReport, SkippedLine

    info: ServerInfo = engine.served  # type: ignore[attr-defined]
    body = json.dumps({"paths": [os.path.abspath(p) for p in paths or []]}).encode()
    req = urllib.request.Request(f"{info.clickhouse}/agentel/load", data=body, method="POST")
    req.add_header("Content-Type", "application/json")
    req.add_header("X-ClickHouse-User", info.user)
    req.add_header("X-ClickHouse-Key", info.password)
    try:
        with urllib.request.urlopen(req, timeout=600) as resp:
            data = json.loads(resp.read() or b"{}").get("report")
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace").strip()
        raise StoreError(f"agentel serve (pid {info.pid}) could not load the files: {detail}") from None
    except (OSError, ValueError) as exc:
        raise StoreError(f"agentel serve (pid {info.pid}, {info.clickhouse}) did not answer: {exc}") from None
    if not data:
        return None
    skipped = [SkippedLine(**s) for s in data.pop("skipped", [])]
    return LoadReport(**data, skipped=skipped)


def load_paths(engine: Engine, paths: Sequence[str]) -> LoadReport | None:
    """Load telemetry files into the store: through the owning server when it is served."""
    if getattr(engine, "served", None) is not None:
        return served_load(engine, paths)
    from agentel.store.loader import load

    return load(engine, list(paths))


def open_store(
    *,
    url: str | None = None,
    directory: str | None = None,
    load_new: bool = True,
    wait_s: float = 30.0,
    progress: Callable[[str, int, int], None] | None = None,
    ttl_days: int | None = None,
) -> tuple[Engine, LoadReport | None]:
    """The engine (server if CLICKHOUSE_URL, else embedded), schema applied, new files loaded.

    The TTL of existing tables changes only when one is configured (argument or AGENTEL_TTL_DAYS);
    after a load the embedded store is kept within its disk budget.
    """
    directory = directory or data_dir()
    info = served(directory) if url is None else None
    if info is not None:
        # a running `agentel serve` owns this store: it applied the schema, keeps the budget and
        # loads the files; this command is one more client of its ClickHouse interface
        engine = open_served(info, wait_s)
        try:
            report = served_load(engine) if load_new else None
            _report_load(report)
        except BaseException:
            engine.close()
            raise
        return engine, report
    ttl, configured = ttl_days_setting(ttl_days)
    engine = open_engine(directory, url=url, wait_s=wait_s)
    try:
        apply(engine, SchemaOptions(database=engine.database, ttl_days=ttl), set_ttl=configured)
        report = None
        if load_new and os.path.isdir(directory):
            report = load(engine, [directory], progress=progress)
            _report_load(report)
            if report.rows:
                keep_within_budget(engine)
    except BaseException:
        engine.close()
        raise
    return engine, report


def _report_load(report: LoadReport | None) -> None:
    if report is None:
        return
    for s in report.skipped[:5]:
        print(f"agentel: skipped corrupt line {s}", file=sys.stderr)
    if report.expired:
        print(f"agentel: {report.expired_hint()}", file=sys.stderr)
