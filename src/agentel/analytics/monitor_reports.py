"""The generation monitor's Python reports: ``monitor.export_metrics(...)`` and
``monitor.visualize_metrics(...)`` (the synthetic-data generator's API), the same code as
``agentel metrics export`` and ``agentel plots``.

The running program's telemetry is flushed to its files first, then the store loads them (new
lines only) and answers, as the CLI does.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

from agentel.analytics import formats, plots, questions
from agentel.analytics.window import Window
from agentel.store.engine import Engine

#: what ``format=`` accepts -> the file format written (``excel`` is the old tool's name for xlsx)
EXPORT_FORMATS = {"json": "json", "csv": "csv", "excel": "xlsx", "xlsx": "xlsx", "parquet": "parquet"}


def window_of(window: timedelta | None, now: datetime | None = None) -> Window:
    """The last ``window`` (all time when None)."""
    if window is None:
        return Window()
    if not isinstance(window, timedelta) or window <= timedelta(0):
        raise ValueError(f"window: expected a positive datetime.timedelta, got {window!r}")
    end = now or datetime.now(timezone.utc)
    return Window(end - window, end)


def write_points(rows: list[dict[str, Any]], path: str, fmt: str) -> int:
    """Write metric points to ``path`` as ``fmt`` (json, csv, excel/xlsx, parquet); how many."""
    file_format = EXPORT_FORMATS.get(fmt)
    if file_format is None:
        raise ValueError(f"format: unknown format {fmt!r} (known: {', '.join(EXPORT_FORMATS)})")
    return formats.write_file(rows, path, file_format)


def export_points(engine: Engine, path: str, fmt: str, window: Window, *, metric: str | None = None) -> int:
    """Write the metric points of ``window`` to ``path`` as ``fmt``; the number of points written."""
    return write_points(questions.metric_points(engine, window, metric=metric), path, fmt)


@contextmanager
def _store() -> Iterator[Engine]:
    from agentel import sdk
    from agentel.store.session import open_store

    sdk.force_flush()  # this process's points reach its files before the store loads them
    engine, _ = open_store(load_new=True)
    try:
        yield engine
    finally:
        engine.close()


def export_metrics(
    path: str,
    format: str = "json",  # noqa: A002 - the old API's keyword
    window: timedelta | None = None,
    *,
    metric: str | None = None,
) -> int:
    """Write the stored metric points of the last ``window`` to ``path`` (json, csv, excel, parquet)."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ValueError(f"path: the folder {folder} does not exist; create it or pick another path")
    win = window_of(window)
    with _store() as engine:
        return export_points(engine, path, format, win, metric=metric)


def visualize_metrics(
    save_dir: str, window: timedelta | None = None, *, run: str | None = None
) -> list[dict[str, Any]]:
    """Draw the charts (PNG) of the last ``window`` into ``save_dir``; what was written or skipped."""
    win = window_of(window)
    with _store() as engine:
        return [p.as_dict() for p in plots.render(engine, save_dir, win, run=run)]


__all__ = [
    "EXPORT_FORMATS",
    "export_metrics",
    "export_points",
    "visualize_metrics",
    "window_of",
    "write_points",
]
