"""--since/--until/--window: durations ago, dates, 'today'; mistakes named with the fix."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from agentel.analytics.window import Window, WindowError, parse_duration, parse_time

NOW = datetime(2026, 11, 2, 15, 30, tzinfo=timezone.utc)


def test_points_in_time() -> None:
    assert parse_time("2h", "--since", NOW) == NOW - timedelta(hours=2)
    assert parse_time("1.5d", "--since", NOW) == NOW - timedelta(hours=36)
    assert parse_time("today", "--since", NOW) == datetime(2026, 11, 2, tzinfo=timezone.utc)
    assert parse_time("2026-11-01", "--since", NOW) == datetime(2026, 11, 1, tzinfo=timezone.utc)
    assert parse_time("2026-11-01T12:00+02:00", "--until", NOW) == datetime(
        2026, 11, 1, 10, tzinfo=timezone.utc
    )
    assert parse_time("2026-11-01T12:00Z", "--until", NOW) == datetime(2026, 11, 1, 12, tzinfo=timezone.utc)
    assert parse_duration("90s") == timedelta(seconds=90)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"since": "yesterday-ish"}, "--since: expected a duration ago"),
        ({"until": "13/45/2026"}, "--until: expected a duration ago"),
        ({"window": "0h"}, "--window: expected a duration like"),
        ({"window": "1 hour"}, "--window: expected a duration like"),
        ({"window": "1h", "since": "2h"}, "--window and --since both set the start"),
        ({"since": "1h", "until": "2h"}, "must be before --until"),
    ],
)
def test_mistakes_are_named(kwargs: dict, message: str) -> None:
    with pytest.raises(WindowError, match=message):
        Window.parse(**kwargs)


def test_params_cover_open_ends() -> None:
    p = Window().params()
    assert p == {"since": "1970-01-01 00:00:00.000000", "until": "2200-01-01 00:00:00.000000"}
    w = Window.parse(since="2026-11-01", until="2026-11-02")
    assert w.params() == {"since": "2026-11-01 00:00:00.000000", "until": "2026-11-02 00:00:00.000000"}
    assert w.describe() == "2026-11-01 00:00:00 → 2026-11-02 00:00:00 UTC"
