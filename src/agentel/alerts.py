"""Alerts: rules over a rolling window of LLM-call metrics, judged periodically and on demand.

    agentel.configure(alerts=True)                       # or AGENTEL_ALERTS=1: monitor runs until shutdown()
    agentel.alerts.add_handler(page_me)
    ...
    agentel.check_alerts()                               # judge now; the firing alerts

Every LLM call span (``gen_ai.*``) feeds the window through the in-process span feed the SDK
installs in its pipeline (:mod:`agentel._internal.feed`; the monitor subscribes, it adds no
processor); anything else can call :func:`record`. ``shutdown()`` stops the process monitor. Recording never blocks: samples go to a bounded queue that a consumer thread
drains, and a full queue drops the sample and counts it. Every ``metrics_interval`` seconds
(``AGENTEL_METRICS_INTERVAL_S``, 0 = no thread) the rules are judged; a rule that starts or
stops firing is delivered to every handler (one that raises does not stop the others) and
emitted as an ``agentel.alert`` event. Rules, defaults and settings: docs/alerts.md.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from opentelemetry.trace import StatusCode

from agentel._internal import errors, feed, lifecycle, state
from agentel.config import ALERT_RULES, ConfigError, check_alert_thresholds
from agentel.registry import REGISTRY, MetricSpec, event, metric

_log = logging.getLogger("agentel.internal")

REGISTRY.register_metric(
    MetricSpec(
        "agentel.alerts.notifications",
        "counter",
        "{alert}",
        "Alert rules that started (firing) or stopped (resolved) firing.",
        ("agentel.alert.name", "agentel.alert.state"),
        pack="alerts",
    )
)

FIRING = "firing"
RESOLVED = "resolved"
DEFAULT_WINDOW_S = 300.0
DEFAULT_MIN_CALLS = 5
DEFAULT_QUEUE_SIZE = 10_000
DRAIN_S = 0.25  # how often the thread moves queued samples into the window
_CALL_OPERATIONS = frozenset(("chat", "text_completion", "generate_content"))


# --- rules -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One alert rule: a window statistic compared with a threshold."""

    name: str
    stat: str  # a WindowStats attribute
    op: str  # "<" fires below the threshold, ">" above
    threshold: float
    level: str  # "warning" | "critical"
    label: str  # how the message names the statistic
    unit: str = ""
    min_calls: int = DEFAULT_MIN_CALLS  # fewer calls in the window: not judged

    def judge(self, stats: WindowStats) -> tuple[float | None, bool]:
        """(value, firing) on ``stats``; value None when the window cannot say."""
        value = getattr(stats, self.stat)
        if value is None or stats.calls < self.min_calls:
            return None, False
        value = float(value)
        return value, (value < self.threshold if self.op == "<" else value > self.threshold)

    def describe(self) -> str:
        return f"{self.label} {self.op} {_fmt(self.threshold, self.unit)}"


def _fmt(value: float, unit: str = "") -> str:
    if unit == "USD":
        return f"${value:.4g}"
    text = f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    return f"{text}{' ' + unit if unit else ''}"


#: name -> (stat, op, default threshold, level, label, unit); the names are config.ALERT_RULES
RULES: dict[str, tuple[str, str, float, str, str, str]] = {
    "success_rate": ("success_rate", "<", 0.8, "critical", "success rate", ""),
    "error_rate": ("error_rate", ">", 0.2, "critical", "error rate", ""),
    "generation_time": ("mean_duration_s", ">", 30.0, "warning", "mean generation time", "s"),
    "prompt_tokens": ("mean_input_tokens", ">", 4096, "warning", "mean prompt tokens", ""),
    "completion_tokens": ("mean_output_tokens", ">", 4096, "warning", "mean completion tokens", ""),
    "total_tokens": ("mean_total_tokens", ">", 8192, "warning", "mean total tokens", ""),
    "conversation_length": (
        "mean_conversation_length",
        ">",
        50,
        "warning",
        "mean conversation length",
        "messages",
    ),
    "cost": ("cost_usd", ">", 5.0, "warning", "cost", "USD"),
}
assert tuple(RULES) == ALERT_RULES


def rules(thresholds: Mapping[str, Any] | None = None, label: str = "thresholds") -> list[Rule]:
    """The rules in force: defaults, with ``thresholds`` overriding (``off`` turns one off).

    ``min_calls`` sets how many calls a window needs before rates and means are judged (the cost
    rule needs one call).
    """
    values = check_alert_thresholds(dict(thresholds or {}), label)
    min_calls = values.pop("min_calls", None)
    out = []
    for name, (stat, op, default, level, text, unit) in RULES.items():
        threshold = values.get(name, default)
        if threshold is None:  # turned off
            continue
        mc = int(min_calls) if min_calls is not None else DEFAULT_MIN_CALLS
        out.append(Rule(name, stat, op, float(threshold), level, text, unit, 1 if name == "cost" else mc))
    return out


# --- the window ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One LLM call as the alert window counts it."""

    timestamp: float  # seconds since the epoch
    error: bool = False
    success: bool | None = None  # None: not error and (no usage or output tokens > 0)
    duration_s: float | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    conversation_length: int | None = None
    cost_usd: float | None = None
    call: bool = True  # False: an observation about a call (a pack's conversation length), not a call

    @property
    def succeeded(self) -> bool:
        if self.success is not None:
            return self.success
        return not self.error and (self.output_tokens is None or self.output_tokens > 0)


@dataclass(frozen=True)
class WindowStats:
    """What the rules judge: counts, means and cost over one window."""

    window_s: float
    calls: int = 0
    errors: int = 0
    successes: int = 0
    mean_duration_s: float | None = None
    mean_input_tokens: float | None = None
    mean_output_tokens: float | None = None
    mean_total_tokens: float | None = None
    mean_conversation_length: float | None = None
    cost_usd: float = 0.0

    @property
    def success_rate(self) -> float | None:
        return self.successes / self.calls if self.calls else None

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.calls if self.calls else None

    @classmethod
    def from_row(cls, row: Mapping[str, Any], window_s: float) -> WindowStats:
        """From the store's ``alert_window`` question (NaN/NULL means are unknown)."""

        def num(key: str) -> float | None:
            v = row.get(key)
            return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)

        return cls(
            window_s,
            int(row.get("calls") or 0),
            int(row.get("errors") or 0),
            int(row.get("successes") or 0),
            num("mean_duration_s"),
            num("mean_input_tokens"),
            num("mean_output_tokens"),
            num("mean_total_tokens"),
            num("mean_conversation_length"),
            float(row.get("cost_usd") or 0.0),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "window_s": self.window_s,
            "calls": self.calls,
            "errors": self.errors,
            "successes": self.successes,
            "success_rate": self.success_rate,
            "error_rate": self.error_rate,
            "mean_duration_s": self.mean_duration_s,
            "mean_input_tokens": self.mean_input_tokens,
            "mean_output_tokens": self.mean_output_tokens,
            "mean_total_tokens": self.mean_total_tokens,
            "mean_conversation_length": self.mean_conversation_length,
            "cost_usd": self.cost_usd,
        }


_FIELDS = ("duration_s", "input_tokens", "output_tokens", "total_tokens", "conversation_length")


class RollingWindow:
    """Samples of the last ``window_s`` seconds with running sums (O(1) per sample)."""

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self._samples: deque[Sample] = deque()
        self._reset()

    def _reset(self) -> None:
        self.calls = self.errors = self.successes = 0
        self.cost = 0.0
        self.sums = dict.fromkeys(_FIELDS, 0.0)
        self.counts = dict.fromkeys(_FIELDS, 0)

    def _apply(self, s: Sample, sign: int) -> None:
        if not s.call:
            if s.conversation_length is not None:
                self.sums["conversation_length"] += sign * s.conversation_length
                self.counts["conversation_length"] += sign
            return
        self.calls += sign
        self.errors += sign * s.error
        self.successes += sign * s.succeeded
        if s.cost_usd:
            self.cost += sign * s.cost_usd
        sums, counts = self.sums, self.counts
        inp, out = s.input_tokens, s.output_tokens
        for key, value in (
            ("duration_s", s.duration_s),
            ("input_tokens", inp),
            ("output_tokens", out),
            ("total_tokens", None if inp is None and out is None else (inp or 0) + (out or 0)),
            ("conversation_length", s.conversation_length),
        ):
            if value is not None:
                sums[key] += sign * value
                counts[key] += sign

    def add(self, s: Sample, now: float) -> bool:
        """Add a sample; False (not added) when it is already older than the window."""
        if s.timestamp < now - self.window_s:
            return False
        self._samples.append(s)
        self._apply(s, 1)
        return True

    def expire(self, now: float) -> None:
        cutoff = now - self.window_s
        samples = self._samples
        while samples and samples[0].timestamp < cutoff:
            self._apply(samples.popleft(), -1)
        if not samples:
            self._reset()  # no float drift carried into the next busy period

    def stats(self, now: float) -> WindowStats:
        self.expire(now)

        def mean(key: str) -> float | None:
            n = self.counts[key]
            return self.sums[key] / n if n else None

        return WindowStats(
            self.window_s,
            self.calls,
            self.errors,
            self.successes,
            mean("duration_s"),
            mean("input_tokens"),
            mean("output_tokens"),
            mean("total_tokens"),
            mean("conversation_length"),
            max(self.cost, 0.0),
        )


# --- alerts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    """What handlers receive: which rule, a readable message, its level, when, and the numbers."""

    name: str
    message: str
    level: str  # "warning" | "critical" while firing, "info" when resolved
    timestamp: float  # seconds since the epoch
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def state(self) -> str:
        return str(self.data.get("state", FIRING))


Handler = Callable[[Alert], Any]


def judge(stats: WindowStats, rule_list: Iterable[Rule], now: float) -> list[tuple[Rule, Alert | None]]:
    """Each rule with the alert it raises on ``stats`` (None when it does not fire). Stateless."""
    out: list[tuple[Rule, Alert | None]] = []
    for rule in rule_list:
        value, firing = rule.judge(stats)
        out.append((rule, _alert(rule, value, stats, now, FIRING) if firing else None))
    return out


def _alert(rule: Rule, value: float | None, stats: WindowStats, now: float, state: str) -> Alert:
    window = f"{stats.window_s / 60:g} min" if stats.window_s >= 60 else f"{stats.window_s:g} s"
    if state == FIRING:
        message = (
            f"{rule.label} {_fmt(value or 0.0, rule.unit)} {rule.op} {_fmt(rule.threshold, rule.unit)} "
            f"over the last {window} ({stats.calls} calls)"
        )
    elif value is None:
        message = f"{rule.label} no longer judged: {stats.calls} call(s) in the last {window}"
    else:
        message = (
            f"{rule.label} back to {_fmt(value, rule.unit)} (threshold {rule.op} "
            f"{_fmt(rule.threshold, rule.unit)}) over the last {window} ({stats.calls} calls)"
        )
    return Alert(
        rule.name,
        message,
        rule.level if state == FIRING else "info",
        now,
        {
            "state": state,
            "value": value,
            "threshold": rule.threshold,
            "op": rule.op,
            "window_s": stats.window_s,
            "calls": stats.calls,
            "stats": stats.as_dict(),
        },
    )


def emit_alert(alert: Alert) -> None:
    """The ``agentel.alert`` event for ``alert`` (warn/error while firing, info when resolved)."""
    severity = "info" if alert.state == RESOLVED else ("error" if alert.level == "critical" else "warn")
    data = alert.data
    event(
        "agentel.alert",
        alert.message,
        severity=severity,
        **{
            "agentel.alert.name": alert.name,
            "agentel.alert.level": alert.level,
            "agentel.alert.value": data.get("value"),
            "agentel.alert.threshold": data.get("threshold"),
            "agentel.alert.state": alert.state,
            "agentel.alert.window_s": data.get("window_s"),
            "agentel.alert.calls": data.get("calls"),
            "error.code": f"alert.{alert.name}" if severity == "error" else None,
        },
    )


# --- the monitor -----------------------------------------------------------------------------


class AlertMonitor:
    """A rolling window fed through a bounded queue, rules judged on it, handlers told of changes.

    ``clock`` returns seconds since the epoch (tests pass a controllable one). With
    ``interval_s`` > 0, :meth:`start` runs a daemon thread that drains the queue every 250 ms and
    judges the rules every ``interval_s``; :meth:`check` judges at once (and drains first).
    """

    def __init__(
        self,
        rule_list: Iterable[Rule] | None = None,
        *,
        window_s: float = DEFAULT_WINDOW_S,
        handlers: Iterable[Handler] = (),
        clock: Callable[[], float] = time.time,
        interval_s: float = 0.0,
        queue_size: int = DEFAULT_QUEUE_SIZE,
        emit_events: bool = True,
        feed_spans: bool = False,
    ) -> None:
        if window_s <= 0:
            raise ConfigError(f"alert window: must be a positive number of seconds, got {window_s!r}")
        if interval_s < 0 or 0 < interval_s < 1:
            raise ConfigError(
                f"alert interval: must be 0 (no thread) or at least 1 second, got {interval_s!r}"
            )
        self.rules = list(rule_list) if rule_list is not None else rules()
        self.window = RollingWindow(window_s)
        self.handlers: list[Handler] = list(handlers)
        self.clock = clock
        self.interval_s = interval_s
        self.emit_events = emit_events
        self.feed_spans = feed_spans  # follow the configured pipeline's LLM call spans
        self.queue_size = queue_size
        # A deque bounded by a length check: append/popleft are atomic under the GIL and take
        # no lock, so a producer never waits (the bound may be overshot by a racing append or two).
        self._queue: deque[Any] = deque()
        self._lock = threading.Lock()  # the window and the rule states
        # handlers see transitions one check at a time, in order (re-entrant: a handler may check)
        self._deliver_lock = threading.RLock()
        self._firing: dict[str, Alert] = {}
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._drop_lock = threading.Lock()
        self.dropped = 0  # samples lost to a full queue
        self.late = 0  # samples older than the window when they arrived
        self.handler_errors = 0
        self._failed_handlers: set[int] = set()
        self._unsubscribe: Callable[[], None] | None = None
        self._unfork: Callable[[], None] | None = None

    # -- recording (the application's threads) ---------------------------------------------

    def record_sample(self, sample: Sample) -> bool:
        """Queue a sample for the window; never blocks. False (and counted) when the queue is full."""
        return self._put(sample)

    def record(
        self,
        *,
        error: bool = False,
        success: bool | None = None,
        duration_s: float | None = None,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        conversation_length: int | None = None,
        cost_usd: float | None = None,
        timestamp: float | None = None,
    ) -> bool:
        """Record one LLM call (or generation) for the alert rules; never blocks."""
        return self._put(
            Sample(
                self.clock() if timestamp is None else timestamp,
                error,
                success,
                duration_s,
                input_tokens,
                output_tokens,
                conversation_length,
                cost_usd,
            )
        )

    def _put(self, item: Any) -> bool:
        if len(self._queue) < self.queue_size:
            self._queue.append(item)
            return True
        with self._drop_lock:
            self.dropped += 1
        try:
            metric("agentel.telemetry.dropped").add(
                1, {"agentel.signal": "alerts", "agentel.reason": "queue_full"}
            )
        except Exception:  # counting must not make recording raise
            pass
        return False

    # -- consuming (the monitor's thread, or check()) ---------------------------------------

    def _take(self, item: Any, now: float) -> None:
        sample = item if isinstance(item, Sample) else _span_sample(item)
        if sample is not None and not self.window.add(sample, now):
            self.late += 1

    def _drain(self, now: float) -> None:
        pop = self._queue.popleft
        while True:
            try:
                item = pop()
            except IndexError:
                return
            self._take(item, now)

    def stats(self) -> WindowStats:
        """The window as it is now (queued samples included)."""
        with self._lock:
            now = self.clock()
            self._drain(now)
            return self.window.stats(now)

    def check(self) -> list[Alert]:
        """Judge the rules now; deliver changes to handlers; return the alerts firing now."""
        with self._deliver_lock:
            with self._lock:
                now = self.clock()
                self._drain(now)
                stats = self.window.stats(now)
                changes: list[Alert] = []
                for rule, alert in judge(stats, self.rules, now):
                    was = self._firing.get(rule.name)
                    if alert is not None:
                        if was is None:
                            changes.append(alert)
                        self._firing[rule.name] = alert
                    elif was is not None:
                        del self._firing[rule.name]
                        value, _ = rule.judge(stats)
                        changes.append(_alert(rule, value, stats, now, RESOLVED))
                firing = list(self._firing.values())
            for alert in changes:
                self._deliver(alert)
        return firing

    def firing(self) -> list[Alert]:
        """The alerts firing as of the last check."""
        with self._lock:
            return list(self._firing.values())

    def _deliver(self, alert: Alert) -> None:
        try:
            metric("agentel.alerts.notifications").add(
                1, {"agentel.alert.name": alert.name, "agentel.alert.state": alert.state}
            )
            if self.emit_events:
                emit_alert(alert)
        except Exception as exc:
            errors.record_internal_error("alerts.emit", exc)
            if errors.RAISE:
                raise
        for handler in list(self.handlers):
            try:
                handler(alert)
            except Exception as exc:  # the application's handler: its failure is its own
                self.handler_errors += 1
                if id(handler) not in self._failed_handlers:
                    self._failed_handlers.add(id(handler))
                    _log.warning(
                        "alert handler %r raised on %s (further errors counted, not logged)",
                        handler,
                        alert.name,
                        exc_info=exc,
                    )

    def add_handler(self, handler: Handler) -> None:
        """Deliver alerts to ``handler(alert)`` too."""
        if not callable(handler):
            raise TypeError(f"alert handler must be callable, got {handler!r}")
        self.handlers.append(handler)

    # -- the thread --------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> AlertMonitor:
        """Start the consumer/judging thread (no-op when ``interval_s`` is 0 or it runs)."""
        if self.interval_s <= 0 or self.running:
            return self
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="agentel-alerts", daemon=True)
        self._thread.start()
        if self._unfork is None:
            self._unfork = lifecycle.at_fork(self._after_fork)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread (the last queued samples are drained into the window)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()
        unfork, self._unfork = self._unfork, None
        if unfork is not None:
            unfork()
        with self._lock:
            self._drain(self.clock())

    def _loop(self) -> None:
        record_internal_error = errors.record_internal_error
        # Drain in bulk a few times a second rather than waking per sample: a consumer blocked
        # in get() would be woken by every put and fight the application's threads for the GIL.
        drain_every = min(DRAIN_S, self.interval_s)
        next_check = time.monotonic() + self.interval_s
        while not self._stop.wait(drain_every):
            try:
                with self._lock:
                    self._drain(self.clock())
            except Exception as exc:  # never let the thread die silently
                record_internal_error("alerts.consume", exc)
            if time.monotonic() >= next_check:
                next_check = time.monotonic() + self.interval_s
                try:
                    self.check()
                except Exception as exc:
                    record_internal_error("alerts.check", exc)

    # -- the span feed -----------------------------------------------------------------------

    def attach(self) -> bool:
        """Feed every LLM call span into this monitor: it subscribes to the in-process span feed
        the SDK installs in every pipeline it builds (behind enrichment), before or after
        ``configure()`` and across re-configures, until :meth:`stop`. Always True."""
        self.feed_spans = True
        if self._unsubscribe is None:
            self._unsubscribe = feed.subscribe(AlertSpanProcessor(self).on_end)
        return True

    def _after_fork(self) -> None:
        was_running = self._thread is not None
        self._queue = deque()
        self._lock = threading.Lock()
        self._deliver_lock = threading.RLock()
        self._drop_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None
        if was_running:
            self.start()


class AlertSpanProcessor(SpanProcessor):
    """Hands each ended LLM-call span to a monitor's queue (a reference, no work on the hot path)."""

    def __init__(self, monitor: AlertMonitor) -> None:
        self.monitor: AlertMonitor | None = monitor

    def on_end(self, span: ReadableSpan) -> None:
        mon = self.monitor
        if mon is None:
            return
        try:
            attrs = span.attributes
            if not attrs:
                return
            if "gen_ai.request.model" not in attrs and "gen_ai.response.model" not in attrs:
                if attrs.get(_CONVERSATION_LENGTH) is not None:  # a pack's generation span
                    mon._put(span)
                return
            if attrs.get("gen_ai.operation.name", "chat") not in _CALL_OPERATIONS:
                return
            mon._put(span)
        except Exception as exc:  # hot path: no context manager; never into the application
            errors.record_internal_error("alerts.span_feed", exc)
            if errors.RAISE:
                raise

    def shutdown(self) -> None:
        self.monitor = None

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


#: what the generation pack records on its ``generation`` span (``mon.generation(conversation_length=3)``)
_CONVERSATION_LENGTH = "generation.conversation_length"


def _span_sample(span: ReadableSpan) -> Sample | None:
    """An LLM call span as a sample (in the consumer, off the application's threads); a pack's
    generation span as an observation of its conversation length (not a call: the LLM call inside
    it is counted from its own span)."""
    attrs = span.attributes or {}
    end = span.end_time or 0
    if "gen_ai.request.model" not in attrs and "gen_ai.response.model" not in attrs:
        length = attrs.get(_CONVERSATION_LENGTH)
        if isinstance(length, (int, float)) and not isinstance(length, bool):
            return Sample(end / 1e9, conversation_length=int(length), call=False)
        return None
    start = span.start_time or end
    error = span.status.status_code is StatusCode.ERROR or bool(attrs.get("error.type"))
    conv = None
    raw = attrs.get("gen_ai.input.messages")
    if isinstance(raw, str) and raw.startswith("["):
        try:
            conv = sum(1 for m in json.loads(raw) if isinstance(m, dict) and m.get("role") != "system")
        except ValueError:
            conv = None

    def as_int(key: str) -> int | None:
        v = attrs.get(key)
        return int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None

    cost = attrs.get("agentel.cost.total_usd")
    return Sample(
        end / 1e9,
        error,
        None,
        (end - start) / 1e9,
        as_int("gen_ai.usage.input_tokens"),
        as_int("gen_ai.usage.output_tokens"),
        conv,
        float(cost) if isinstance(cost, (int, float)) else None,
    )


# --- the process-wide monitor ----------------------------------------------------------------

_default: AlertMonitor | None = None
_default_lock = threading.Lock()


def _settings() -> Any:
    return state.settings_or_env()


def start(
    handlers: Iterable[Handler] = (),
    *,
    thresholds: Mapping[str, Any] | None = None,
    window_s: float | None = None,
    interval_s: float | None = None,
    clock: Callable[[], float] | None = None,
    queue_size: int = DEFAULT_QUEUE_SIZE,
    feed_spans: bool = True,
    keep_handlers: bool = False,
) -> AlertMonitor:
    """Start the process's alert monitor (replacing a running one); returns it.

    ``configure()`` calls this when alerts are enabled (``AGENTEL_ALERTS=1``, with
    ``keep_handlers``: handlers added before it stay) and ``shutdown()`` stops it. Defaults come
    from the settings in force: ``alert_window_s``, ``alert_thresholds`` (merged under
    ``thresholds``) and ``metrics_interval_s`` (the judging period; 0 = no thread, judge with
    :func:`check_alerts`). With ``feed_spans``, every LLM call span of the configured pipeline
    feeds the window (the subscription holds across configure/shutdown).
    """
    global _default
    settings = _settings()
    if keep_handlers and _default is not None:
        handlers = [*_default.handlers, *handlers]
    merged = {**dict(settings.alert_thresholds), **dict(thresholds or {})}
    mon = AlertMonitor(
        rules(merged, "AGENTEL_ALERT_THRESHOLDS" if not thresholds else "thresholds"),
        window_s=window_s if window_s is not None else settings.alert_window_s,
        handlers=handlers,
        clock=clock or time.time,
        interval_s=interval_s if interval_s is not None else settings.metrics_interval_s,
        queue_size=queue_size,
    )
    with _default_lock:
        old, _default = _default, mon
    if old is not None:
        old.stop()
    if feed_spans:
        mon.attach()
    return mon.start()


def stop() -> None:
    """Stop the process's alert monitor (if any)."""
    global _default
    with _default_lock:
        old, _default = _default, None
    if old is not None:
        old.stop()


def monitor() -> AlertMonitor:
    """The process's alert monitor; on first use created from the settings, fed by the configured
    pipeline's LLM call spans from then on, without a thread (judge with :func:`check_alerts`)."""
    global _default
    with _default_lock:
        if _default is None:
            settings = _settings()
            _default = AlertMonitor(
                rules(settings.alert_thresholds, "AGENTEL_ALERT_THRESHOLDS"),
                window_s=settings.alert_window_s,
                feed_spans=True,
            )
            _default.attach()
        return _default


def record(**fields: Any) -> bool:
    """Record one call for the alert rules (see :meth:`AlertMonitor.record`); never blocks."""
    return monitor().record(**fields)


def add_handler(handler: Handler) -> None:
    """Deliver the process monitor's alerts to ``handler(alert)`` too."""
    monitor().add_handler(handler)


def check_alerts() -> list[Alert]:
    """Judge the alert rules now (the process's monitor); returns the alerts firing now."""
    return monitor().check()


__all__ = [
    "FIRING",
    "RESOLVED",
    "RULES",
    "Alert",
    "AlertMonitor",
    "AlertSpanProcessor",
    "Rule",
    "Sample",
    "WindowStats",
    "add_handler",
    "check_alerts",
    "emit_alert",
    "judge",
    "monitor",
    "record",
    "rules",
    "start",
    "stop",
]
