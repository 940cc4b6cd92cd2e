"""Metric attributes limited by the redaction policy, through SDK views.

Registered instruments keep only their declared keys minus any the policy denies; instruments
made outside the registry (an instrumentation library's own) get a catch-all view that drops
policy-denied keys. In both, exemplars keep no filtered attributes: an exemplar would otherwise
carry the very keys the view removed (OTel exemplars keep the attributes a view filtered out).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opentelemetry.sdk.metrics._internal.exemplar import Exemplar, ExemplarReservoir
from opentelemetry.sdk.metrics._internal.view import _default_reservoir_factory
from opentelemetry.sdk.metrics.view import View

from agentel.redaction.policy import Policy


class _NoFilteredAttributes(ExemplarReservoir):
    """Wraps an exemplar reservoir so collected exemplars carry no filtered attributes."""

    def __init__(self, inner: ExemplarReservoir) -> None:
        self._inner = inner

    def offer(self, value: Any, time_unix_nano: int, attributes: Any, context: Any) -> None:
        self._inner.offer(value, time_unix_nano, None, context)

    def collect(self, point_attributes: Any) -> list[Exemplar]:
        return self._inner.collect(point_attributes)


def _stripping_factory(aggregation_type: type) -> Callable[..., ExemplarReservoir]:
    builder: Any = _default_reservoir_factory(aggregation_type)

    def build(**kwargs: Any) -> ExemplarReservoir:
        return _NoFilteredAttributes(builder(**kwargs))

    return build


class _PolicyKeys:
    """Set-like: ``key in keys`` is True when the policy lets the key through (cached)."""

    def __init__(self, policy: Policy) -> None:
        self._allowed = policy.metric_key_allowed
        self._cache: dict[str, bool] = {}

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        hit = self._cache.get(key)
        if hit is None:
            if len(self._cache) > 4096:
                self._cache.clear()
            hit = self._cache[key] = self._allowed(key)
        return hit


class _UnregisteredView(View):
    """Matches every instrument the registry does not know (those have their own views)."""

    def __init__(self, policy: Policy) -> None:
        super().__init__(instrument_name="*", exemplar_reservoir_factory=_stripping_factory)
        self._attribute_keys = _PolicyKeys(policy)  # type: ignore[assignment]

    def _match(self, instrument: Any) -> bool:
        from agentel.registry import REGISTRY

        return instrument.name not in REGISTRY.metrics and super()._match(instrument)


def metric_views(policy: Policy) -> list[View]:
    """Views for the MeterProvider: the registry's, narrowed by ``policy``, plus a catch-all."""
    from agentel import registry

    views = registry.views(
        key_filter=policy.metric_key_allowed, exemplar_reservoir_factory=_stripping_factory
    )
    views.append(_UnregisteredView(policy))
    return views
