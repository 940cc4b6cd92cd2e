"""Report output: rich tables for people, JSON/CSV for scripts, Parquet/Excel files for analysis.

Values keep their type in JSON (numbers stay numbers, NaN becomes null); tables round them for
reading by the column's name (``*_usd`` as dollars, ``*_rate`` as percentages, ``*_ms`` with one
decimal).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

OUTPUT_FORMATS = ("table", "json", "csv")
FILE_FORMATS = ("json", "csv", "parquet", "xlsx")
_TIME_COLUMNS = ("time", "timestamp", "started", "start", "last")
# shorter headers for tables (JSON/CSV keep the full names)
LABELS = {
    "error_rate": "errors %",
    "mean_score": "score",
    "mean_confidence": "confidence",
    "win_rate": "chosen %",
    "good_feedback_rate": "good fb %",
    "tokens_per_call": "tok/call",
    "cost_usd": "cost",
    "cost_per_call_usd": "cost/call",
    "input_tokens": "in tok",
    "output_tokens": "out tok",
    "cache_read_tokens": "cached tok",
    "unpriced_calls": "unpriced",
    "duration_s": "secs",
    "llm_calls": "llm calls",
}


def clean(value: Any) -> Any:
    """JSON-safe: NaN/inf → None, nested containers cleaned."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


def to_json(data: Any) -> str:
    return json.dumps(clean(data), indent=2, default=str, ensure_ascii=False)


def to_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    cols = list(columns or _columns(rows))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: _csv_value(r.get(k)) for k in cols})
    return buf.getvalue()


def _csv_value(v: Any) -> Any:
    v = clean(v)
    if v is None:
        return ""
    if isinstance(v, (dict, list)):
        return json.dumps(v, default=str, ensure_ascii=False)
    return v


def _columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    cols: list[str] = []
    for r in rows:
        for k in r:
            if k not in cols:
                cols.append(k)
    return cols


def cell(column: str, value: Any) -> str:
    """A value as a table shows it."""
    value = clean(value)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str, ensure_ascii=False)
    if isinstance(value, str):
        if column in _TIME_COLUMNS and len(value) > 19:
            return value[:19]  # to the second
        return value
    if isinstance(value, (float, int)):
        if column.endswith("_usd"):
            return f"${value:,.6f}" if abs(value) < 0.01 else f"${value:,.4f}"
        if column.endswith("_rate") or column in ("share", "win_rate"):
            return f"{100 * value:.1f}%"
        if column.endswith("_ms"):
            return f"{value:,.1f}"
        if column.endswith("_s"):
            return f"{value:,.3f}"
        if isinstance(value, float):
            return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
        return f"{value:,}"
    return str(value)


def table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str] | None = None,
    *,
    title: str | None = None,
    file: IO[str] | None = None,
) -> None:
    """Print ``rows`` as a rich table (numbers right-aligned)."""
    from rich.console import Console
    from rich.table import Table

    cols = list(columns or _columns(rows))
    t = Table(title=title, title_justify="left", header_style="bold")
    sample = rows[0] if rows else {}
    for c in cols:
        numeric = isinstance(sample.get(c), (int, float)) and not isinstance(sample.get(c), bool)
        t.add_column(LABELS.get(c, c), justify="right" if numeric else "left", overflow="fold")
    for r in rows:
        t.add_row(*(cell(c, r.get(c)) for c in cols))
    Console(file=file, width=console_width()).print(t)


def console_width() -> int:
    """The terminal's width; 200 when output goes to a file or pipe (so tables do not fold)."""
    try:
        return max(80, os.get_terminal_size().columns)
    except OSError:
        return 200


def emit(
    rows: Sequence[Mapping[str, Any]],
    fmt: str,
    *,
    columns: Sequence[str] | None = None,
    title: str | None = None,
    out: IO[str] | None = None,
) -> None:
    """Write rows to stdout (or ``out``) as ``fmt`` (table, json or csv)."""
    import sys

    stream = out or sys.stdout
    if fmt == "json":
        stream.write(to_json(list(rows)) + "\n")
    elif fmt == "csv":
        stream.write(to_csv(rows, columns))
    else:
        table(rows, columns, title=title, file=stream)


def write_file(rows: Iterable[Mapping[str, Any]], path: str, fmt: str) -> int:
    """Write rows to ``path`` as json, csv, parquet or xlsx; returns the number of rows."""
    data = [dict(r) for r in rows]
    if fmt == "json":
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(to_json(data) + "\n")
        return len(data)
    if fmt == "csv":
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(to_csv(data))
        return len(data)
    if fmt not in ("parquet", "xlsx"):
        raise ValueError(f"--format: unknown file format {fmt!r} (known: {', '.join(FILE_FORMATS)})")
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - extra missing
        raise ValueError(f"--format {fmt} needs pandas: pip install 'agentel[reports]'") from None
    df = pd.DataFrame([{k: clean(v) for k, v in r.items()} for r in data])
    for c in df.columns:
        if c in _TIME_COLUMNS:
            df[c] = pd.to_datetime(df[c], utc=True, format="ISO8601")
    if fmt == "parquet":
        df.to_parquet(path, index=False)
    else:
        for c in df.columns:  # Excel has no time zones: write UTC wall time
            if c in _TIME_COLUMNS:
                df[c] = df[c].dt.tz_localize(None)
        df.to_excel(path, index=False, sheet_name="data")
    return len(data)


__all__ = [
    "FILE_FORMATS",
    "OUTPUT_FORMATS",
    "cell",
    "clean",
    "emit",
    "table",
    "to_csv",
    "to_json",
    "write_file",
]
