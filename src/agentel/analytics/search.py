"""Full-text search over LLM calls: prompts, answers, instructions, span names, error messages.

One question (``queries/search_calls.sql``, positionCaseInsensitiveUTF8 on the typed ``llm_calls``
table: see benchmarks/bench_search.py) shared by ``agentel search`` and the calls page's search box. A hit
carries the field that matched and a snippet around the first match; the caller highlights
``snippet[start:end]`` (escaped, in the UI).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from agentel.analytics.window import Window
from agentel.store.engine import Engine

SNIPPET_CONTEXT = 60  # characters kept either side of the match
MAX_TEXT = 200  # characters of search text
STEPS = (timedelta(days=1), timedelta(days=7), timedelta(days=30))  # newest-first search parts


class SearchError(ValueError):
    """The search text cannot be searched for (empty, or too long)."""


def like_pattern(text: str) -> str:
    """``text`` as a LIKE/ILIKE pattern matching it anywhere, its own % _ and \\ literal (the benchmark's)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def check_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise SearchError("search text: expected some text to look for, got nothing")
    if len(text) > MAX_TEXT:
        raise SearchError(
            f"search text: at most {MAX_TEXT} characters, got {len(text)}; search for a shorter part"
        )
    return text


def snippet(text: str, needle: str, context: int = SNIPPET_CONTEXT) -> tuple[str, int, int]:
    """A window of ``text`` around the first case-insensitive ``needle``: (snippet, start, end)."""
    at = text.casefold().find(needle.casefold())
    if at < 0 or len(text.casefold()) != len(text):  # no match here, or case folding moved offsets
        at = text.lower().find(needle.lower())
    if at < 0:
        cut = text[: 2 * context]
        return cut + ("…" if len(text) > len(cut) else ""), 0, 0
    lo, hi = max(0, at - context), min(len(text), at + len(needle) + context)
    head = "…" if lo > 0 else ""
    tail = "…" if hi < len(text) else ""
    start = len(head) + at - lo
    return head + text[lo:hi] + tail, start, start + len(needle)


def slices(window: Window, now: datetime) -> list[Window]:
    """``window`` cut into disjoint parts, newest first: the last day, week, month, then the rest.

    A common word matches most calls; asked newest part first, the newest ``limit`` hits usually
    come from the last day's partitions without sorting every match of the month
    (benchmarks/bench_search.py). A rare word reads the same rows either way, in a few queries.
    """
    parts, hi = [], window.until
    for step in STEPS:
        cut = now - step
        if (window.since is None or cut > window.since) and (hi is None or cut < hi):
            parts.append(Window(cut, hi))
            hi = cut
    parts.append(Window(window.since, hi))
    return parts


def search(
    engine: Engine,
    text: str,
    window: Window,
    *,
    model: str | None = None,
    run: str | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Calls whose prompt, answer, instructions, span name or error contains ``text`` (any case), newest first."""
    from agentel.analytics.questions import ask

    needle = check_text(text)
    rows: list[dict[str, Any]] = []
    for part in slices(window, datetime.now(timezone.utc)):
        rows += ask(
            engine,
            "search_calls",
            {
                **part.params(),
                "text": needle,
                "model": model or "",
                "run": run or "",
                "limit": limit - len(rows),
            },
        )
        if len(rows) >= limit:
            break
    for r in rows:
        r["snippet"], r["match_start"], r["match_end"] = snippet(str(r.pop("text") or ""), needle)
    return rows
