"""The store prices by the SDK's rule (docs/cost.md): a failed call with no usage reported (or only
estimated usage) has no cost — unknown, not $0 — and a failed call with reported usage is priced."""

from __future__ import annotations

from pathlib import Path

import agentel
from agentel.analytics import prices
from agentel.genai import cost as gcost
from agentel.store.engine import Engine
from agentel.store.loader import load


def test_failed_calls_without_reported_usage_are_not_priced(engine: Engine, tmp_path: Path) -> None:
    gcost.clear_overrides()
    agentel.configure(dir=str(tmp_path / "t"), run_id="r", metrics_interval_s=0, console="off")
    base = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "error.type": "overloaded_error",
    }
    calls = {
        "no-usage": {},
        "estimated": {
            "gen_ai.usage.input_tokens": 900,
            "gen_ai.usage.output_tokens": 0,
            "agentel.usage.estimated": True,
        },
        "reported": {"gen_ai.usage.input_tokens": 900, "gen_ai.usage.output_tokens": 10},
    }
    for run, attrs in calls.items():
        with agentel.span(
            "chat gpt-4o-mini", **base, **attrs, **{"gen_ai.request.model": "gpt-4o-mini", "run": run}
        ):
            pass
    agentel.shutdown()
    load(engine, [str(tmp_path / "t")])
    prices.refresh(engine)
    got = dict(engine.query("SELECT Run, PricedCostUsd FROM llm_calls_priced WHERE IsError").rows)
    assert got["no-usage"] is None
    assert got["estimated"] is None
    assert got["reported"] is not None and got["reported"] > 0
