"""Table cells read well; JSON and CSV keep values exact and never carry NaN."""

from __future__ import annotations

import json
import math

from agentel.analytics import formats


def test_cells_by_column_name() -> None:
    assert formats.cell("cost_usd", 0.000123) == "$0.000123"
    assert formats.cell("cost_usd", 12.5) == "$12.5000"
    assert formats.cell("error_rate", 0.125) == "12.5%"
    assert formats.cell("share", 1) == "100.0%"
    assert formats.cell("p95_ms", 1234.56) == "1,234.6"
    assert formats.cell("started", "2026-11-23 00:45:47.730624172") == "2026-11-23 00:45:47"
    assert formats.cell("mean_score", None) == "—"
    assert formats.cell("mean_score", math.nan) == "—"
    assert formats.cell("calls", 12345) == "12,345"
    assert formats.cell("chosen", True) == "yes"


def test_json_and_csv() -> None:
    rows = [{"model": "m", "score": math.nan, "tags": {"a": 1}}, {"model": "n,2", "score": 0.5, "extra": 1}]
    assert json.loads(formats.to_json(rows)) == [
        {"model": "m", "score": None, "tags": {"a": 1}},
        {"model": "n,2", "score": 0.5, "extra": 1},
    ]
    assert formats.to_csv(rows).splitlines() == ["model,score,tags,extra", 'm,,"{""a"": 1}",', '"n,2",0.5,,1']
