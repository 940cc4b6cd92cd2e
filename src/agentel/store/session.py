"""Opening the store the way the CLI and UI do: engine, schema applied, new files loaded, budget kept."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from agentel.store.engine import Engine, StoreError, open_engine
from agentel.store.loader import LoadReport, load
from agentel.store.maintenance import enforce_budget
from agentel.store.schema import SchemaOptions, apply

DEFAULT_TTL_DAYS = 30
DEFAULT_BUDGET_MB = 2048


def data_dir() -> str:
    return os.environ.get("AGENTEL_DIR") or ".agentel"


def _env_int(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise StoreError(f"{name}: expected a whole number, got {raw!r}") from None
    if value < 0:
        raise StoreError(f"{name}: expected 0 or more, got {raw!r}")
    return value


def ttl_days_setting(explicit: int | None = None) -> tuple[int, bool]:
    """(days, whether it was configured) from the argument, else AGENTEL_TTL_DAYS, else 30."""
    if explicit is not None:
        return explicit, True
    env = _env_int("AGENTEL_TTL_DAYS")
    return (env, True) if env is not None else (DEFAULT_TTL_DAYS, False)


def budget_bytes_setting(explicit_mb: int | None = None) -> int:
    """The embedded store's disk budget: the argument, else AGENTEL_DISK_BUDGET_MB, else 2048 MiB."""
    mb = explicit_mb if explicit_mb is not None else _env_int("AGENTEL_DISK_BUDGET_MB")
    return (mb if mb else DEFAULT_BUDGET_MB) * 1024 * 1024


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
    ttl, configured = ttl_days_setting(ttl_days)
    engine = open_engine(directory, url=url, wait_s=wait_s)
    try:
        apply(engine, SchemaOptions(database=engine.database, ttl_days=ttl), set_ttl=configured)
        report = None
        if load_new and os.path.isdir(directory):
            report = load(engine, [directory], progress=progress)
            for s in report.skipped[:5]:
                print(f"agentel: skipped corrupt line {s}", file=sys.stderr)
            if report.expired:
                print(f"agentel: {report.expired_hint()}", file=sys.stderr)
            if report.rows:
                keep_within_budget(engine)
    except BaseException:
        engine.close()
        raise
    return engine, report
