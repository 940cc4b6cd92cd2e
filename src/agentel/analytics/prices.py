"""Store-side cost: the price table (``agentel_prices``) from the SDK's own price lookup.

Every (provider, model, day) the store has calls for gets a row of per-token coefficients taken
from :mod:`agentel.genai.cost` — genai-prices' bundled snapshot with its provider/model matching and
its price history as of that day, or ``AGENTEL_PRICES_FILE`` / ``agentel.set_price`` overrides — so
the SDK and the store price the same call identically. ``llm_calls_priced`` joins it for every call
without an SDK-computed cost. A model no price data knows gets no row: its calls stay unpriced
(NULL), never zero. :func:`refresh` adds rows for what is new; :func:`reprice` recomputes them all
with the installed snapshot and says what changed.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from agentel.genai import cost as gcost
from agentel.store.engine import Engine, StoreError

_log = logging.getLogger("agentel.analytics")

_COLUMNS = (
    "Provider, Model, EffectiveFrom, Base, InputCoef, CacheReadCoef, CacheWriteCoef, OutputCoef, "
    "MaxInput, Source, Version, Loaded"
)


def _row(provider: str, model: str, day: date) -> tuple[Any, ...] | None:
    entry = gcost._lookup(provider or None, model)
    if entry is None:
        return None
    when = datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)
    lin = gcost._linear(entry, int(when.timestamp() // 86400), when)
    c = lin.coef
    coef = {k: c[k][0] + c[k][1] for k in c}
    max_input = lin.max_input if math.isfinite(lin.max_input) else 1e300
    return (
        provider,
        model,
        day,
        lin.base[0] + lin.base[1],
        coef["input_tokens"],
        coef["cache_read_tokens"],
        coef["cache_write_tokens"],
        coef["output_tokens"],
        max_input,
        entry.source,
        entry.version,
        datetime.now(tz=timezone.utc).replace(tzinfo=None),
    )


def _insert(engine: Engine, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    values = []
    params: dict[str, Any] = {}
    for i, r in enumerate(rows):
        names = []
        for j, v in enumerate(r):
            key = f"p{i}_{j}"
            params[key] = v.isoformat(sep=" ") if isinstance(v, datetime) else str(v)
            kind = ("String", "String", "Date", *(["Float64"] * 6), "String", "String", "DateTime64(6)")[j]
            names.append(f"{{{key}:{kind}}}")
        values.append("(" + ", ".join(names) + ")")
    engine.execute(
        f"INSERT INTO {engine.database}.agentel_prices ({_COLUMNS}) VALUES " + ", ".join(values), params
    )


def _seen(engine: Engine, only_new: bool) -> list[tuple[str, str, date]]:
    db = engine.database
    new = (
        f" AND (Provider, Model, toDate(Timestamp)) NOT IN (SELECT Provider, Model, EffectiveFrom FROM {db}.agentel_prices)"
        if only_new
        else ""
    )
    rows = engine.query(
        f"SELECT DISTINCT Provider, Model, toDate(Timestamp) FROM {db}.llm_calls WHERE Model != ''{new}"
    ).rows
    return [(str(p), str(m), d if isinstance(d, date) else date.fromisoformat(str(d))) for p, m, d in rows]


def refresh(engine: Engine) -> int:
    """Price rows for the (provider, model, day) triples that have none yet; returns how many were added."""
    try:
        rows = [r for p, m, d in _seen(engine, True) if (r := _row(p, m, d)) is not None]
        _insert(engine, rows)
    except StoreError as exc:  # a report still answers, with the prices the store already has
        _log.warning("agentel: store prices not refreshed: %s", exc)
        return 0
    return len(rows)


@dataclass(frozen=True)
class Change:
    provider: str
    model: str
    calls: int
    before_usd: float | None
    after_usd: float | None
    source: str
    version: str


def _store_costs(engine: Engine) -> dict[tuple[str, str], tuple[int, float | None, str, str]]:
    rows = engine.query(
        f"SELECT Provider, Model, countIf(CostUsd IS NULL), sumIf(PricedCostUsd, CostUsd IS NULL), "
        f"any(PriceSource), any(PriceVersion) FROM {engine.database}.llm_calls_priced "
        "WHERE Model != '' GROUP BY Provider, Model"
    ).rows
    return {
        (str(p), str(m)): (int(n), None if n == 0 or s is None else float(s), str(src), str(v))
        for p, m, n, s, src, v in rows
    }


def reprice(engine: Engine) -> list[Change]:
    """Recompute every price row with the installed price data; the per-model totals that changed.

    Only calls without an SDK-computed cost are priced by the store, so only those can change.
    """
    before = _store_costs(engine)
    rows = [r for p, m, d in _seen(engine, False) if (r := _row(p, m, d)) is not None]
    engine.execute(f"TRUNCATE TABLE {engine.database}.agentel_prices")
    _insert(engine, rows)
    after = _store_costs(engine)
    changes = []
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key), after.get(key)
        b_usd, a_usd = (b[1] if b else None), (a[1] if a else None)
        if (b_usd is None) != (a_usd is None) or (
            b_usd is not None and a_usd is not None and abs(b_usd - a_usd) > 1e-9
        ):
            either = a or b
            n = either[0] if either is not None else 0
            changes.append(Change(key[0], key[1], n, b_usd, a_usd, a[2] if a else "", a[3] if a else ""))
    return changes
