"""Opening the store the way the CLI and UI do: engine, schema applied, new files loaded."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from agentel.store.engine import Engine, open_engine
from agentel.store.loader import LoadReport, load
from agentel.store.schema import SchemaOptions, apply


def data_dir() -> str:
    return os.environ.get("AGENTEL_DIR") or ".agentel"


def open_store(
    *,
    url: str | None = None,
    directory: str | None = None,
    load_new: bool = True,
    wait_s: float = 30.0,
    progress: Callable[[str, int, int], None] | None = None,
    ttl_days: int | None = None,
) -> tuple[Engine, LoadReport | None]:
    """The engine (server if CLICKHOUSE_URL, else embedded), schema applied, and new files loaded."""
    directory = directory or data_dir()
    engine = open_engine(directory, url=url, wait_s=wait_s)
    ttl = ttl_days if ttl_days is not None else int(os.environ.get("AGENTEL_TTL_DAYS", "30") or 30)
    apply(engine, SchemaOptions(database=engine.database, ttl_days=ttl))
    report = None
    if load_new and os.path.isdir(directory):
        report = load(engine, [directory], progress=progress)
        if report.skipped:
            for s in report.skipped[:5]:
                print(f"agentel: skipped corrupt line {s}", file=sys.stderr)
    return engine, report
