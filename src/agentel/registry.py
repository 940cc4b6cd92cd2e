"""Event and metric registries: the source of truth for names, severities, keys, kinds and units.

Registries are data. Events are OTel log records carrying ``event.name``; instruments are made
only from a registered :class:`MetricSpec`, and their attributes are limited to the keys the
spec declares (a cardinality bound: a stray user id never becomes a time series). The reference
pages and ``agentel lint`` are generated from here.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import metrics as metrics_api
from opentelemetry._logs import SeverityNumber, get_logger

from agentel._internal import state
from agentel._internal.errors import record_internal_error, safe_attributes, safe_value

_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
SEVERITIES = {
    "debug": SeverityNumber.DEBUG,
    "info": SeverityNumber.INFO,
    "warn": SeverityNumber.WARN,
    "error": SeverityNumber.ERROR,
}
METRIC_KINDS = ("counter", "up_down_counter", "gauge", "histogram")


class RegistryError(ValueError):
    """A name or definition does not fit the registry's rules; the message says which and why."""


@dataclass(frozen=True)
class EventSpec:
    """A registered event: dotted lowercase name, severity, the data keys it may carry."""

    name: str
    description: str
    severity: str = "info"
    keys: tuple[str, ...] = ()
    sample_every: int = 1  # emit 1 of every N (high-volume events); 1 = all
    pack: str = "core"


@dataclass(frozen=True)
class MetricSpec:
    """A registered instrument: name, kind, unit, description, the attribute keys it may carry."""

    name: str
    kind: str
    unit: str
    description: str
    attributes: tuple[str, ...] = ()
    buckets: tuple[float, ...] | None = None
    pack: str = "core"

    @property
    def prometheus_name(self) -> str:
        """The name after Prometheus conversion (dots → underscores, unit and _total suffixes)."""
        base = self.name.replace(".", "_")
        unit = {"s": "seconds", "ms": "milliseconds", "By": "bytes", "1": "ratio"}.get(self.unit, "")
        if unit and not base.endswith(unit):
            base += "_" + unit
        if self.kind == "counter":
            base += "_total"
        return base


@dataclass
class Registry:
    """Both registries plus the counters of what they rejected or sampled away."""

    events: dict[str, EventSpec] = field(default_factory=dict)
    metrics: dict[str, MetricSpec] = field(default_factory=dict)
    unregistered: Counter[str] = field(default_factory=Counter)
    sampled_out: Counter[str] = field(default_factory=Counter)
    dropped_metric_keys: Counter[str] = field(default_factory=Counter)
    dropped_event_keys: Counter[str] = field(default_factory=Counter)  # "event:key" -> count
    _seen: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def register_event(self, spec: EventSpec) -> EventSpec:
        if not _NAME.match(spec.name):
            raise RegistryError(f"event name {spec.name!r}: use dotted lowercase, e.g. 'training.step'")
        if spec.severity not in SEVERITIES:
            raise RegistryError(
                f"event {spec.name!r}: severity {spec.severity!r} (known: {', '.join(SEVERITIES)})"
            )
        if spec.sample_every < 1:
            raise RegistryError(f"event {spec.name!r}: sample_every must be >= 1, got {spec.sample_every}")
        old = self.events.get(spec.name)
        if old is not None and old != spec:
            raise RegistryError(f"event {spec.name!r} is already registered differently (pack {old.pack!r})")
        self.events[spec.name] = spec
        return spec

    def register_metric(self, spec: MetricSpec) -> MetricSpec:
        if not _NAME.match(spec.name):
            raise RegistryError(f"metric name {spec.name!r}: use dotted lowercase, e.g. 'training.loss'")
        if spec.kind not in METRIC_KINDS:
            raise RegistryError(
                f"metric {spec.name!r}: kind {spec.kind!r} (known: {', '.join(METRIC_KINDS)})"
            )
        old = self.metrics.get(spec.name)
        if old is not None and old != spec:
            raise RegistryError(f"metric {spec.name!r} is already registered differently (pack {old.pack!r})")
        self.metrics[spec.name] = spec
        return spec

    def should_emit(self, name: str) -> tuple[EventSpec | None, bool]:
        """(spec, emit?) for one occurrence of event ``name``; counts unregistered and sampled."""
        spec = self.events.get(name)
        with self._lock:
            if spec is None:
                self.unregistered[name] += 1
                return None, True
            if spec.sample_every > 1:
                n = self._seen[name]
                self._seen[name] = n + 1
                if n % spec.sample_every:
                    self.sampled_out[name] += 1
                    return spec, False
        return spec, True


REGISTRY = Registry()


def register_event(
    name: str,
    description: str,
    *,
    severity: str = "info",
    keys: Sequence[str] = (),
    sample_every: int = 1,
    pack: str = "app",
) -> EventSpec:
    """Register an application event (idempotent for an identical definition)."""
    return REGISTRY.register_event(EventSpec(name, description, severity, tuple(keys), sample_every, pack))


def register_metric(
    name: str,
    kind: str,
    unit: str,
    description: str,
    *,
    attributes: Sequence[str] = (),
    buckets: Sequence[float] | None = None,
    pack: str = "app",
) -> MetricSpec:
    """Register an application instrument (idempotent for an identical definition)."""
    return REGISTRY.register_metric(
        MetricSpec(
            name, kind, unit, description, tuple(attributes), tuple(buckets) if buckets else None, pack
        )
    )


# --- emitting --------------------------------------------------------------------------------


class UnregisteredEventError(RegistryError):
    """Strict mode: the event name is not in the registry."""


class UndeclaredKeyError(RegistryError):
    """Strict mode: an event carries a data key its registration does not declare."""


#: keys any event may carry whatever it declares (error details agentel itself adds)
_ALWAYS_ALLOWED = frozenset({"error.type", "error.code", "error.message", "exception.type"})


def event(name: str, body: Any = None, *, severity: str | None = None, **data: Any) -> None:
    """Emit a registered event as an OTel log record (``event.name`` = ``name``, data as attributes).

    Unregistered names are counted (``agentel.events.unregistered``) and still emitted, or
    rejected with :class:`UnregisteredEventError` when ``AGENTEL_STRICT_EVENTS=1``. An event
    registered with ``keys`` carries only those (and ``error.*``): other keys are dropped and
    counted (``agentel.events.dropped_keys``, ``REGISTRY.dropped_event_keys``), or rejected with
    :class:`UndeclaredKeyError` in strict mode. A registration without keys allows any.
    """
    spec, emit = REGISTRY.should_emit(name)
    settings = state.settings()
    if spec is None and settings is not None and settings.strict_events:
        raise UnregisteredEventError(
            f"event {name!r} is not registered; register it with agentel.register_event({name!r}, ...) "
            "or turn off AGENTEL_STRICT_EVENTS"
        )
    if spec is None:
        metric("agentel.events.unregistered").add(1, {"event.name": name})
    if spec is not None and spec.keys:
        undeclared = [k for k in data if k not in spec.keys and k not in _ALWAYS_ALLOWED]
        if undeclared:
            if settings is not None and settings.strict_events:
                raise UndeclaredKeyError(
                    f"event {name!r}: key(s) {', '.join(map(repr, undeclared))} not declared in its "
                    f"registration (declared: {', '.join(spec.keys)}); add them to keys= or turn off "
                    "AGENTEL_STRICT_EVENTS"
                )
            with REGISTRY._lock:
                for k in undeclared:
                    REGISTRY.dropped_event_keys[f"{name}:{k}"] += 1
            metric("agentel.events.dropped_keys").add(len(undeclared), {"event.name": name})
            data = {k: v for k, v in data.items() if k not in undeclared}
    if not emit:
        return
    sev = severity or (spec.severity if spec else "info")
    attributes = safe_attributes({k: v for k, v in data.items() if v is not None})
    body = safe_value(body)
    if spec is not None and spec.sample_every > 1:
        attributes["agentel.sample_rate"] = spec.sample_every
    if sev == "error" and "error.code" not in attributes:
        attributes["error.code"] = "unspecified"
    get_logger("agentel.events").emit(
        event_name=name,
        severity_number=SEVERITIES.get(sev, SeverityNumber.INFO),
        severity_text=sev.upper(),
        body=body,
        attributes=attributes,
    )


class Instrument:
    """A registry-made instrument that keeps only the attribute keys its spec declares."""

    __slots__ = ("_allowed", "_inst", "spec")

    def __init__(self, spec: MetricSpec, inst: Any) -> None:
        self.spec = spec
        self._inst = inst
        self._allowed = frozenset(spec.attributes)

    def _attrs(self, attributes: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        if not attributes:
            return None
        if attributes.keys() <= self._allowed:
            return attributes
        for key in attributes.keys() - self._allowed:
            REGISTRY.dropped_metric_keys[f"{self.spec.name}:{key}"] += 1
        return {k: v for k, v in attributes.items() if k in self._allowed}

    def _number(self, amount: Any) -> bool:
        """A measurement must be a number: anything else is dropped, counted and logged once
        (``metrics.amount``), never raised into the application."""
        if isinstance(amount, (int, float)):
            return True
        record_internal_error(
            "metrics.amount",
            TypeError(f"metric {self.spec.name}: amount must be a number, got {type(amount).__name__}"),
        )
        return False

    def add(self, amount: float, attributes: Mapping[str, Any] | None = None) -> None:
        if self._number(amount):
            self._inst.add(amount, self._attrs(attributes))

    def record(self, amount: float, attributes: Mapping[str, Any] | None = None) -> None:
        if self._number(amount):
            self._inst.record(amount, self._attrs(attributes))

    def set(self, amount: float, attributes: Mapping[str, Any] | None = None) -> None:
        if self._number(amount):
            self._inst.set(amount, self._attrs(attributes))


_instruments: dict[str, Instrument] = {}
_inst_lock = threading.Lock()


def metric(name: str) -> Instrument:
    """The instrument for registered metric ``name`` (created once, follows re-configuration)."""
    inst = _instruments.get(name)
    if inst is not None:
        return inst
    spec = REGISTRY.metrics.get(name)
    if spec is None:
        raise RegistryError(
            f"metric {name!r} is not registered; register it with agentel.register_metric(...)"
        )
    with _inst_lock:
        inst = _instruments.get(name)
        if inst is None:
            meter = metrics_api.get_meter("agentel")
            make = {
                "counter": meter.create_counter,
                "up_down_counter": meter.create_up_down_counter,
                "gauge": meter.create_gauge,
                "histogram": meter.create_histogram,
            }[spec.kind]
            kwargs: dict[str, Any] = {"unit": spec.unit, "description": spec.description}
            if spec.kind == "histogram" and spec.buckets:
                kwargs["explicit_bucket_boundaries_advisory"] = list(spec.buckets)
            inst = _instruments[name] = Instrument(spec, make(name, **kwargs))
    return inst


def views(key_filter: Any = None, exemplar_reservoir_factory: Any = None) -> list[Any]:
    """SDK views that bound every registered instrument's attributes (and set histogram buckets).

    ``key_filter(key) -> bool`` narrows the declared keys further (the redaction policy's deny
    list); ``exemplar_reservoir_factory`` is passed to every view (redaction strips exemplars'
    filtered attributes).
    """
    from opentelemetry.sdk.metrics.view import ExplicitBucketHistogramAggregation, View

    out = []
    for spec in REGISTRY.metrics.values():
        agg = ExplicitBucketHistogramAggregation(list(spec.buckets)) if spec.buckets else None
        keys = {k for k in spec.attributes if key_filter is None or key_filter(k)}
        kwargs: dict[str, Any] = {"instrument_name": spec.name, "attribute_keys": keys}
        if agg is not None:
            kwargs["aggregation"] = agg
        if exemplar_reservoir_factory is not None:
            kwargs["exemplar_reservoir_factory"] = exemplar_reservoir_factory
        out.append(View(**kwargs))
    return out


# --- documentation and lint ------------------------------------------------------------------


def _load_all_packs() -> None:
    """Import every module that registers names, so docs and lint see the whole registry."""
    import importlib
    import pkgutil

    for modname in ("agentel.genai", "agentel.packs", "agentel.evals", "agentel.alerts", "agentel.redaction"):
        try:
            mod = importlib.import_module(modname)
        except ImportError:
            continue
        path = getattr(mod, "__path__", None)
        if path:
            for info in pkgutil.iter_modules(path, modname + "."):
                if "instrumentors" not in info.name:
                    importlib.import_module(info.name)


def render_events_md(include_app: bool = False) -> str:
    """The event reference page; ``include_app`` adds the application's own (``agentel docs --module``)."""
    _load_all_packs()
    lines = [
        "# Event reference",
        "",
        "Generated from the event registry by `make docs` (`agentel docs`); a test fails when it is stale.",
        "Each event is an OTel log record with `event.name`; its data keys are log attributes.",
        "",
        "| event | pack | severity | sampled | keys | description |",
        "|---|---|---|---|---|---|",
    ]
    for spec in sorted(REGISTRY.events.values(), key=lambda s: (s.pack, s.name)):
        if spec.pack == "app" and not include_app:  # the application's own names belong in its docs
            continue
        sampled = f"1/{spec.sample_every}" if spec.sample_every > 1 else "all"
        keys = ", ".join(f"`{k}`" for k in spec.keys) or "—"
        lines.append(
            f"| `{spec.name}` | {spec.pack} | {spec.severity} | {sampled} | {keys} | {spec.description} |"
        )
    return "\n".join(lines) + "\n"


def render_metrics_md(include_app: bool = False) -> str:
    """The metric reference page; ``include_app`` adds the application's own."""
    _load_all_packs()
    lines = [
        "# Metric reference",
        "",
        "Generated from the metric registry by `make docs` (`agentel docs`); a test fails when it is stale.",
        "Attributes outside the listed keys are dropped before aggregation (cardinality bound).",
        "",
        "| metric | pack | kind | unit | Prometheus name | attributes | description |",
        "|---|---|---|---|---|---|---|",
    ]
    for spec in sorted(REGISTRY.metrics.values(), key=lambda s: (s.pack, s.name)):
        if spec.pack == "app" and not include_app:
            continue
        attrs = ", ".join(f"`{a}`" for a in spec.attributes) or "—"
        lines.append(
            f"| `{spec.name}` | {spec.pack} | {spec.kind} | `{spec.unit}` | `{spec.prometheus_name}` | {attrs} | {spec.description} |"
        )
    return "\n".join(lines) + "\n"


_EVENT_CALL = re.compile(r"""\bevent\(\s*["']([A-Za-z0-9_.]+)["']""")
_METRIC_CALL = re.compile(r"""\bmetric\(\s*["']([A-Za-z0-9_.]+)["']""")


@dataclass(frozen=True)
class LintFinding:
    path: str
    line: int
    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: unregistered {self.kind} {self.name!r}"


def lint_paths(paths: Iterable[str]) -> list[LintFinding]:
    """Event and metric names used in ``*.py`` under ``paths`` that no registry knows."""
    import ast
    import os

    _load_all_packs()
    findings: list[LintFinding] = []
    files: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            for root, _dirs, names in os.walk(p):
                files.extend(os.path.join(root, n) for n in names if n.endswith(".py"))
        else:
            files.append(p)
    for path in sorted(files):
        with open(path, encoding="utf-8", errors="replace") as fh:
            source = fh.read()
        # register_event/register_metric calls in the linted code count as registrations
        local_events: set[str] = set()
        local_metrics: set[str] = set()
        try:
            tree = ast.parse(source, path)
        except SyntaxError:
            continue
        calls = []
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            fn = node.func
            fname = fn.attr if isinstance(fn, ast.Attribute) else fn.id if isinstance(fn, ast.Name) else ""
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            if fname == "register_event":
                local_events.add(first.value)
            elif fname == "register_metric":
                local_metrics.add(first.value)
            elif fname in ("event", "metric"):
                calls.append((fname, first.value, node.lineno))
        for fname, name, line in calls:
            if fname == "event" and name not in REGISTRY.events and name not in local_events:
                findings.append(LintFinding(path, line, "event", name))
            if fname == "metric" and name not in REGISTRY.metrics and name not in local_metrics:
                findings.append(LintFinding(path, line, "metric", name))
    return findings


# --- the core registrations ------------------------------------------------------------------

# The GenAI metrics and events (gen_ai.client.*, agentel.cost.*) are registered by
# agentel.genai.semconv, which keeps every GenAI name in one module.
for _m in (
    MetricSpec(
        "agentel.redaction.redacted",
        "counter",
        "{value}",
        "Values redacted or keys dropped by the redaction policy, by rule and signal.",
        ("agentel.redaction.rule", "agentel.signal"),
    ),
    MetricSpec(
        "agentel.telemetry.dropped",
        "counter",
        "{record}",
        "Records agentel could not deliver (queue full, disk budget exhausted, strict redaction).",
        ("agentel.signal", "agentel.reason"),
    ),
    MetricSpec(
        "agentel.events.unregistered",
        "counter",
        "{event}",
        "Events emitted with a name the event registry does not know.",
        ("event.name",),
    ),
    MetricSpec(
        "agentel.events.dropped_keys",
        "counter",
        "{key}",
        "Data keys dropped from events because their registration does not declare them.",
        ("event.name",),
    ),
):
    REGISTRY.register_metric(_m)

for _e in (
    EventSpec(
        "gen_ai.evaluation.result",
        "The result of evaluating an LLM call, linked to the judged span.",
        "info",
        (
            "gen_ai.evaluation.name",
            "gen_ai.evaluation.score.value",
            "gen_ai.evaluation.score.label",
            "gen_ai.evaluation.explanation",
            "agentel.evaluation.duration_s",
            # the judged call's model, when the checker knows it: the leaderboard then needs no join
            "gen_ai.response.model",
            "gen_ai.request.model",
        ),
    ),
    EventSpec(
        "agentel.feedback",
        "Human feedback on a trace or call (good/bad, comment, reference answer).",
        "info",
        ("agentel.feedback.good", "agentel.feedback.comment", "agentel.feedback.reference_answer"),
    ),
    EventSpec(
        "agentel.alert",
        "An alert rule fired or cleared.",
        "warn",
        (
            "agentel.alert.name",
            "agentel.alert.level",
            "agentel.alert.value",
            "agentel.alert.threshold",
            "agentel.alert.state",
            "agentel.alert.window_s",
            "agentel.alert.calls",
        ),
    ),
    EventSpec(
        "agentel.crash",
        "An uncaught exception (sanitized: type and frames, message redacted, no locals).",
        "error",
        ("exception.type", "exception.message", "exception.stacktrace", "error.code"),
    ),
):
    REGISTRY.register_event(_e)
