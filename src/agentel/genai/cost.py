"""Per-call cost from token usage: genai-prices' bundled price data, or configured overrides.

The rule (docs/cost.md): ``input_tokens`` is the *total* input, cache reads and cache writes
included; those two are subsets of it, each priced at the provider's cache-read / cache-write
rate, and only the remainder at the plain input rate — nothing is counted twice. genai-prices
applies exactly that decomposition; agentel hands it the usage in that shape.

Speed: genai-prices' full calculation costs ~80 µs, too much per call. Prices are linear in
each token count (below a tier threshold), so the first call for a (provider, model, day)
derives per-token coefficients from genai-prices itself with a few probe usages, and later
calls are a dot product. Tiered prices above their lowest threshold take the full path.
Nothing here touches the network: the bundled snapshot is used, never an update.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from agentel._internal import state
from agentel.config import ConfigError

_log = logging.getLogger("agentel.genai")

#: genai-prices usage keys agentel fills, parents before children
USAGE_KEYS = (
    "input_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
)
_PARENT = {
    "cache_read_tokens": "input_tokens",
    "cache_write_tokens": "input_tokens",
    "cache_write_1h_tokens": "cache_write_tokens",
}

#: semconv gen_ai.provider.name → genai-prices provider id
PROVIDER_IDS = {
    "openai": "openai",
    "anthropic": "anthropic",
    "gcp.gemini": "google",
    "gcp.vertex_ai": "google",
    "gcp.gen_ai": "google",
    "aws.bedrock": "aws",
    "azure.ai.openai": "azure",
    "azure.ai.inference": "azure",
    "x_ai": "x-ai",
    "mistral_ai": "mistral",
    "deepseek": "deepseek",
    "groq": "groq",
    "cohere": "cohere",
    "perplexity": "perplexity",
    "openrouter": "openrouter",
    "together": "together",
    "fireworks": "fireworks",
}


@dataclass(frozen=True, slots=True)
class Cost:
    """The cost of one call in USD, with where the prices came from (for audit)."""

    input_usd: float
    output_usd: float
    total_usd: float
    source: str
    version: str


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts in genai-prices' shape: ``input_tokens`` includes the cache reads and writes."""

    input_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cache_write_1h_tokens: int = 0
    output_tokens: int = 0

    def as_dict(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in USAGE_KEYS}


class _Linear:
    """Cost = base + Σ count × coefficient (input and output parts), valid up to ``max_input``."""

    __slots__ = ("base", "coef", "max_input")

    def __init__(self, base: tuple[float, float], coef: dict[str, tuple[float, float]], max_input: float):
        self.base = base
        self.coef = coef
        self.max_input = max_input


@dataclass
class _Priced:
    """A price source for one model: how to price a usage exactly, plus the linear fast path."""

    exact: Any  # callable(usage_dict, when) -> (input Decimal, output Decimal)
    tier_start: float  # the lowest tier threshold of total input tokens (inf when untiered)
    source: str
    version: str
    linear: dict[int, _Linear]


_lock = threading.Lock()
_models: dict[tuple[str | None, str], _Priced | None] = {}
_overrides: dict[tuple[str | None, str], _Priced] = {}
_override_globs: list[tuple[str | None, str, _Priced]] = []
_overrides_for: Any = object()  # the settings object the file overrides were loaded for
_file_overrides: tuple[dict[tuple[str | None, str], _Priced], list[tuple[str | None, str, _Priced]]] = (
    {},
    [],
)
_genai_prices_version: str | None = None


def _gp_version() -> str:
    global _genai_prices_version
    if _genai_prices_version is None:
        try:
            from importlib.metadata import version

            _genai_prices_version = f"genai-prices {version('genai-prices')}"
        except Exception:  # pragma: no cover - metadata missing
            _genai_prices_version = "genai-prices unknown"
    return _genai_prices_version


def _tier_start(model_price: Any) -> float:
    from genai_prices.types import TieredPrices

    starts = [
        tier.start
        for value in vars(model_price).values()
        if isinstance(value, TieredPrices)
        for tier in value.tiers
    ]
    return float(min(starts)) if starts else float("inf")


def _genai_prices_entry(provider: str | None, model: str) -> _Priced | None:
    from genai_prices import data_snapshot

    snapshot = data_snapshot.get_snapshot()
    provider_id = PROVIDER_IDS.get(provider or "", provider)
    try:
        gp_provider, model_info = snapshot.find_provider_model(model, None, provider_id, None)
    except LookupError:
        if provider_id is None:
            return None
        try:  # a provider genai-prices does not know by that id: let it guess from the model
            gp_provider, model_info = snapshot.find_provider_model(model, None, None, None)
        except LookupError:
            return None

    def exact(usage: Mapping[str, int], when: datetime) -> tuple[Decimal, Decimal]:
        from genai_prices import Usage as GPUsage

        calc = model_info.calc_price(GPUsage(**usage), gp_provider, genai_request_timestamp=when)
        return calc.input_price, calc.output_price

    now = datetime.now(tz=timezone.utc)
    tier_start = _tier_start(model_info.get_prices(now))
    return _Priced(exact, tier_start, "genai-prices", f"{_gp_version()} {gp_provider.id}/{model_info.id}", {})


def _override_entry(rates: Mapping[str, Any], version: str) -> _Priced:
    from genai_prices.types import ModelPrice

    price = ModelPrice(**{k: Decimal(str(v)) for k, v in rates.items()})

    def exact(usage: Mapping[str, int], when: datetime) -> tuple[Decimal, Decimal]:
        from genai_prices import Usage as GPUsage

        calc = price.calc_price(GPUsage(**usage))
        return calc["input_price"], calc["output_price"]

    return _Priced(exact, float("inf"), "override", version, {})


def _linear(entry: _Priced, day: int, when: datetime) -> _Linear:
    lin = entry.linear.get(day)
    if lin is not None:
        return lin
    zero = dict.fromkeys(USAGE_KEYS, 0)

    def at(**counts: int) -> tuple[Decimal, Decimal]:
        return entry.exact({**zero, **counts}, when)  # type: ignore[no-any-return]

    base = at()
    points: dict[str, dict[str, int]] = {}
    for key in USAGE_KEYS:
        point = {key: 1}
        parent = _PARENT.get(key)
        while parent is not None:
            point[parent] = 1
            parent = _PARENT.get(parent)
        points[key] = point
    values = {key: at(**point) for key, point in points.items()}
    coef: dict[str, tuple[float, float]] = {}
    for key in USAGE_KEYS:
        parent = _PARENT.get(key)
        # the point of a child minus the point of its parent leaves the child's own marginal rate
        ref = values[parent] if parent else base
        coef[key] = (float(values[key][0] - ref[0]), float(values[key][1] - ref[1]))
    lin = _Linear((float(base[0]), float(base[1])), coef, entry.tier_start)
    entry.linear[day] = lin
    return lin


def _lookup(provider: str | None, model: str) -> _Priced | None:
    key = (provider, model)
    _load_file_overrides()
    file_exact, file_globs = _file_overrides
    if _overrides or file_exact or file_globs or _override_globs:
        low = model.lower()
        entry = (
            _overrides.get((provider, low))
            or _overrides.get((None, low))
            or file_exact.get((provider, low))
            or file_exact.get((None, low))
        )
        if entry is not None:
            return entry
        if file_globs or _override_globs:
            import fnmatch

            for p, pattern, e in (*_override_globs, *file_globs):
                if (p is None or p == provider) and fnmatch.fnmatchcase(low, pattern):
                    return e
    try:
        return _models[key]
    except KeyError:
        pass
    with _lock:
        if key not in _models:
            _models[key] = _genai_prices_entry(provider, model)
        return _models[key]


def compute(provider: str | None, model: str, usage: Usage, when: datetime | None = None) -> Cost | None:
    """The cost of ``usage`` on ``model``, or None when no price data knows the model."""
    entry = _lookup(provider, model)
    if entry is None:
        return None
    if usage.input_tokens > entry.tier_start:
        moment = when or datetime.now(tz=timezone.utc)
        inp, out = entry.exact(usage.as_dict(), moment)
        i, o = float(inp), float(out)
        return Cost(i, o, i + o, entry.source, entry.version)
    if when is None:
        day = int(time.time() // 86400)  # prices change by date; coefficients are kept per UTC day
        lin = entry.linear.get(day)
        if lin is None:
            lin = _linear(entry, day, datetime.now(tz=timezone.utc))
    else:
        lin = _linear(entry, int(when.timestamp() // 86400), when)
    c = lin.coef
    i = (
        lin.base[0]
        + usage.input_tokens * c["input_tokens"][0]
        + usage.cache_read_tokens * c["cache_read_tokens"][0]
        + usage.cache_write_tokens * c["cache_write_tokens"][0]
        + usage.cache_write_1h_tokens * c["cache_write_1h_tokens"][0]
        + usage.output_tokens * c["output_tokens"][0]
    )
    o = (
        lin.base[1]
        + usage.input_tokens * c["input_tokens"][1]
        + usage.cache_read_tokens * c["cache_read_tokens"][1]
        + usage.cache_write_tokens * c["cache_write_tokens"][1]
        + usage.cache_write_1h_tokens * c["cache_write_1h_tokens"][1]
        + usage.output_tokens * c["output_tokens"][1]
    )
    return Cost(i, o, i + o, entry.source, entry.version)


def compute_exact(
    provider: str | None, model: str, usage: Usage, when: datetime | None = None
) -> Cost | None:
    """Like :func:`compute` but always through genai-prices' full calculation (tests, audits)."""
    entry = _lookup(provider, model)
    if entry is None:
        return None
    inp, out = entry.exact(usage.as_dict(), when or datetime.now(tz=timezone.utc))
    return Cost(float(inp), float(out), float(inp + out), entry.source, entry.version)


# --- overrides -------------------------------------------------------------------------------


def _price_keys() -> frozenset[str]:
    from genai_prices.units import _get_registry

    return frozenset(_get_registry()._all_price_keys)


def _entries_from(data: Any, origin: str, version: str) -> list[tuple[str | None, str, _Priced]]:
    rows = data.get("prices") if isinstance(data, Mapping) else data
    if not isinstance(rows, Sequence) or isinstance(rows, (str, bytes)):
        raise ConfigError(f"{origin}: expected a list of prices under 'prices' (see docs/cost.md)")
    known = _price_keys()
    out: list[tuple[str | None, str, _Priced]] = []
    for n, row in enumerate(rows):
        if not isinstance(row, Mapping) or not isinstance(row.get("model"), str):
            raise ConfigError(f"{origin}: price #{n + 1} needs a 'model' name (see docs/cost.md)")
        provider = row.get("provider")
        rates = {k: v for k, v in row.items() if k not in ("model", "provider")}
        bad = sorted(set(rates) - known)
        if bad:
            raise ConfigError(
                f"{origin}: price for {row['model']!r} has unknown key(s) {', '.join(bad)} "
                "(use genai-prices price keys: input_mtok, output_mtok, cache_read_mtok, cache_write_mtok, ...)"
            )
        if not rates:
            raise ConfigError(f"{origin}: price for {row['model']!r} sets no rate (e.g. input_mtok = 1.0)")
        for k, v in rates.items():
            if isinstance(v, bool) or not isinstance(v, (int, float, str)):
                raise ConfigError(f"{origin}: {row['model']!r} {k} must be a number, got {v!r}")
            try:
                Decimal(str(v))
            except ArithmeticError:
                raise ConfigError(f"{origin}: {row['model']!r} {k} must be a number, got {v!r}") from None
        out.append((provider, row["model"].lower(), _override_entry(rates, version)))
    return out


def load_overrides(path: str) -> list[tuple[str | None, str, Any]]:
    """Parse and validate a price-override file (TOML, JSON or YAML); raises ConfigError."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise ConfigError(f"AGENTEL_PRICES_FILE: cannot read {path!r}: {exc.strerror}") from None
    origin = f"AGENTEL_PRICES_FILE {path!r}"
    try:
        if path.endswith(".toml"):
            import tomllib

            data: Any = tomllib.loads(raw.decode())
        elif path.endswith((".yaml", ".yml")):
            import yaml

            data = yaml.safe_load(raw)
        else:
            data = json.loads(raw)
    except Exception as exc:
        raise ConfigError(f"{origin}: not valid {os.path.splitext(path)[1] or 'JSON'}: {exc}") from None
    version = f"override sha256:{hashlib.sha256(raw).hexdigest()[:12]}"
    return _entries_from(data, origin, version)  # type: ignore[return-value]


def _load_file_overrides() -> None:
    global _overrides_for, _file_overrides
    settings = state.settings()
    # unconfigured (the CLI pricing the store's calls): AGENTEL_PRICES_FILE from the environment
    marker: Any = settings if settings is not None else ("env", os.environ.get("AGENTEL_PRICES_FILE") or None)
    if marker is _overrides_for or (settings is None and marker == _overrides_for):
        return
    with _lock:
        _overrides_for = marker
        path = getattr(settings, "prices_file", None) if settings is not None else marker[1]
        exact: dict[tuple[str | None, str], _Priced] = {}
        globs: list[tuple[str | None, str, _Priced]] = []
        if path:
            try:
                entries = load_overrides(path)
            except ConfigError as exc:
                _log.error("%s; costs use genai-prices only until it is fixed", exc)
                entries = []
            for provider, model, entry in entries:
                if any(ch in model for ch in "*?["):
                    globs.append((provider, model, entry))
                else:
                    exact[(provider, model)] = entry
        _file_overrides = (exact, globs)


def set_price(model: str, *, provider: str | None = None, **rates: float) -> None:
    """Override a model's prices from code (USD per million tokens: input_mtok=, output_mtok=, ...).

    Recorded with source ``override`` and version ``override:code``; ``model`` may be a glob.
    """
    entries = _entries_from([{"model": model, "provider": provider, **rates}], "set_price()", "override:code")
    with _lock:
        for p, m, entry in entries:
            if any(ch in m for ch in "*?["):
                _override_globs.append((p, m, entry))
            else:
                _overrides[(p, m)] = entry


def clear_overrides() -> None:
    """Forget prices set with :func:`set_price` (file overrides follow the settings)."""
    with _lock:
        _overrides.clear()
        _override_globs.clear()


def warm_up() -> None:
    """Load the bundled price data now (a background thread at instrument time), not on a call."""
    try:
        from genai_prices import data_snapshot

        data_snapshot.get_snapshot()
    except Exception as exc:  # pragma: no cover - broken install
        _log.warning("genai-prices could not load its price data (%s); calls get no cost", exc)
