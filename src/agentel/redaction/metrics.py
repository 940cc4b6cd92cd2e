"""Metrics under the redaction policy: every measurement, every meter, whenever it is made.

* **Measurements** pass the redactor before the SDK aggregates them (:func:`guard_meter_provider`
  wraps the MeterProvider's measurement consumer): keys the policy denies are dropped, attribute
  *values* are scanned by every rule, synchronous and observable instruments alike — so a metric
  registered after ``configure()``, an instrumentation library's own instrument and
  ``agentel.events.unregistered`` (which carries a caller's event name) are all covered. In strict
  mode a measurement a rule fired on is dropped and reported.
* **Meters**: the scope name, version and schema URL of every meter pass the rules.
* **Views** bound cardinality: registered instruments keep only their declared keys minus any the
  policy denies; other instruments (including ones registered after ``configure()``) get a
  catch-all view that drops policy-denied keys. Exemplars keep no filtered attributes (an OTel
  exemplar otherwise keeps exactly the attributes a view removed).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable
from typing import Any

from opentelemetry.sdk.metrics._internal.exemplar import Exemplar, ExemplarReservoir
from opentelemetry.sdk.metrics._internal.view import _default_reservoir_factory
from opentelemetry.sdk.metrics.view import View

from agentel._internal import errors
from agentel.redaction.policy import Policy

_log = logging.getLogger("agentel.internal.redaction")


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
    """Matches every instrument without a registry view of its own (``with_views``: the names
    that had one when the views were built — a metric registered later is matched here)."""

    def __init__(self, policy: Policy, with_views: frozenset[str]) -> None:
        super().__init__(instrument_name="*", exemplar_reservoir_factory=_stripping_factory)
        self._attribute_keys = _PolicyKeys(policy)  # type: ignore[assignment]
        self._with_views = with_views

    def _match(self, instrument: Any) -> bool:
        return instrument.name not in self._with_views and super()._match(instrument)


def metric_views(policy: Policy) -> list[View]:
    """Views for the MeterProvider: the registry's, narrowed by ``policy``, plus a catch-all."""
    from agentel import registry

    views = registry.views(
        key_filter=policy.metric_key_allowed, exemplar_reservoir_factory=_stripping_factory
    )
    with_views = frozenset(str(getattr(v, "_instrument_name", "")) for v in views)
    views.append(_UnregisteredView(policy, with_views))
    return views


# --- measurements and meters ------------------------------------------------------------------


class _RedactingConsumer:
    """Stands in for the SDK's measurement consumer: measurements are redacted before they are
    aggregated (so two secrets never become two series), then handed to the real consumer."""

    def __init__(self, inner: Any, redactor: Any, strict: bool) -> None:
        self._inner = inner
        self._redactor = redactor
        self._strict = strict

    def redact(self, m: Any) -> Any:
        """The measurement with the policy applied, or None when it must not be recorded."""
        attrs = m.attributes
        if not attrs:
            return m
        from agentel.redaction.processors import COUNTS
        from agentel.redaction.redactor import Tally

        t = Tally()
        try:
            new = self._redactor.metric_attributes(attrs, t)
        except Exception as exc:  # noqa: BLE001 - fail closed: the measurement is not recorded
            COUNTS.add_dropped("metrics", "redaction_error")
            errors.record_internal_error(
                "redaction.metrics",
                RuntimeError(f"a measurement was dropped: the redactor raised {type(exc).__name__}"),
            )
            return None
        if t.rules:
            COUNTS.add_redacted(t.rules, "metrics")
            if self._strict:
                COUNTS.add_dropped("metrics", "redaction_strict")
                rules = sorted(set(t.rules))
                if COUNTS.first_report(f"metrics:{','.join(rules)}"):
                    _log.error(
                        "agentel strict redaction (AGENTEL_REDACTION_STRICT=1): a measurement of %r "
                        "dropped because rule(s) %s fired (%s); fix the source or relax the policy "
                        "(further drops for these rules are counted, not logged)",
                        getattr(m.instrument, "name", "?"),
                        ", ".join(rules),
                        "; ".join(t.where[:4]),
                    )
                return None
        if new is attrs:
            return m
        return dataclasses.replace(m, attributes=new)

    def consume_measurement(self, measurement: Any) -> None:
        m = self.redact(measurement)
        if m is not None:
            self._inner.consume_measurement(m)

    def register_asynchronous_instrument(self, instrument: Any) -> None:
        self._inner.register_asynchronous_instrument(_RedactingCallbacks(instrument, self))

    def collect(self, metric_reader: Any, timeout_millis: float = 10_000) -> Any:
        return self._inner.collect(metric_reader, timeout_millis)

    def __getattr__(self, name: str) -> Any:  # anything else the SDK may ask the consumer
        return getattr(self._inner, name)


class _RedactingCallbacks:
    """An observable instrument whose callbacks' measurements pass the redactor."""

    def __init__(self, instrument: Any, consumer: _RedactingConsumer) -> None:
        self._instrument = instrument
        self._consumer = consumer

    def callback(self, options: Any) -> Iterable[Any]:
        for m in self._instrument.callback(options):
            red = self._consumer.redact(m)
            if red is not None:
                yield red

    def __getattr__(self, name: str) -> Any:
        return getattr(self._instrument, name)


def guard_meter_provider(provider: Any, settings: Any) -> Any:
    """Put the redactor in front of ``provider``'s measurements and meter scopes (before any
    meter exists: ``configure()`` calls this right after building the provider)."""
    from agentel.redaction.processors import COUNTS, redactor_for
    from agentel.redaction.redactor import Tally

    red = redactor_for(settings)
    strict = bool(getattr(settings, "redaction_strict", False))
    provider._measurement_consumer = _RedactingConsumer(provider._measurement_consumer, red, strict)
    get_meter = provider.get_meter

    def redacted_get_meter(
        name: str, version: str | None = None, schema_url: str | None = None, attributes: Any = None
    ) -> Any:
        t = Tally()
        try:
            name = red._str(name, "meter name", t)
            version = red._str(version, "meter version", t)
            schema_url = red._str(schema_url, "meter schema url", t)
            if attributes:
                attributes = red.mapping(attributes, t)
        except Exception:  # noqa: BLE001 - fail closed: a meter that cannot be named is a no-op
            from opentelemetry.metrics import NoOpMeter

            COUNTS.add_dropped("metrics", "redaction_error")
            return NoOpMeter("agentel.redaction.failed")
        if t.rules:
            COUNTS.add_redacted(t.rules, "metrics")
        return get_meter(name, version, schema_url, attributes)

    provider.get_meter = redacted_get_meter
    return provider
