"""Time windows for reports: ``--since 2h``, ``--since 2026-11-01``, ``--until 2026-11-02T12:00``.

Every report takes the same window, bound into its SQL as two ``DateTime64(9)`` parameters (UTC),
so nothing the user typed is ever formatted into SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNIT = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 7 * 86400.0}
# DateTime64(9) covers 1900..2262; the open ends stay well inside it
_MIN = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MAX = datetime(2200, 1, 1, tzinfo=timezone.utc)
#: a duration longer than the store's whole range (``--window 99999999999d``) means all of it
_LONGEST_S = (_MAX - _MIN).total_seconds()


class WindowError(ValueError):
    """A time or duration the user gave cannot be read; the message names it and the fix."""


def parse_duration(text: str, name: str = "--window") -> timedelta:
    """``30s``, ``15m``, ``2h``, ``7d``, ``2w`` (a positive amount) → timedelta."""
    m = _DURATION.match(text or "")
    if not m or float(m.group(1)) <= 0:
        raise WindowError(f"{name}: expected a duration like 30m, 2h, 7d or 2w, got {text!r}")
    seconds = float(m.group(1)) * _UNIT[m.group(2)]  # inf for 400 digits: no error, just long
    return timedelta(seconds=min(seconds, _LONGEST_S))


def parse_time(text: str, name: str, now: datetime | None = None) -> datetime:
    """A point in time: a duration ago (``2h``), ``now``, ``today``, or an ISO date/time (UTC unless it says)."""
    now = now or datetime.now(timezone.utc)
    raw = (text or "").strip()
    if raw == "now":
        return now
    if raw == "today":
        return now.replace(hour=0, minute=0, second=0, microsecond=0)
    if _DURATION.match(raw):
        return max(now - parse_duration(raw, name), _MIN)
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise WindowError(
            f"{name}: expected a duration ago (30m, 2h, 7d), 'today', or a date/time like "
            f"2026-11-02 or 2026-11-02T14:30, got {text!r}"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _fmt(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


@dataclass(frozen=True)
class Window:
    """A half-open time range [since, until) in UTC; either end may be open."""

    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def parse(
        cls, since: str | None = None, until: str | None = None, *, window: str | None = None
    ) -> Window:
        """From CLI strings; ``window`` (e.g. ``1h``) means the last hour and excludes ``since``."""
        now = datetime.now(timezone.utc)
        if window:
            if since:
                raise WindowError("--window and --since both set the start; give one of them")
            start: datetime | None = max(now - parse_duration(window, "--window"), _MIN)
        else:
            start = parse_time(since, "--since", now) if since else None
        end = parse_time(until, "--until", now) if until else None
        if start is not None and end is not None and start >= end:
            raise WindowError(f"--since ({_fmt(start)}) must be before --until ({_fmt(end)})")
        return cls(start, end)

    def params(self) -> dict[str, str]:
        """``since``/``until`` SQL parameters (``{since:DateTime64(9)}``)."""
        return {"since": _fmt(self.since or _MIN), "until": _fmt(self.until or _MAX)}

    def describe(self) -> str:
        if self.since is None and self.until is None:
            return "all time"
        a = _fmt(self.since)[:19] if self.since else "the beginning"
        b = _fmt(self.until)[:19] if self.until else "now"
        return f"{a} → {b} UTC"


__all__ = ["Window", "WindowError", "parse_duration", "parse_time"]
