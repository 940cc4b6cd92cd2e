"""Shared benchmark helpers: repeat a measurement, report medians as a table."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence


def median_of(fn: Callable[[], float], repeat: int) -> float:
    """Median of ``repeat`` runs of ``fn`` (each returns one measurement)."""
    return statistics.median(fn() for _ in range(repeat))


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (pasteable into docs/performance.md)."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    fmt = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + " |"  # noqa: E731
    return "\n".join(
        [fmt(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(fmt, cells[1:])]
    )
