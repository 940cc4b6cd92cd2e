"""The redacting processors: the only door from the span and log pipelines to the sinks.

``RedactingSpanProcessor`` wraps the export processor(s) and hands them redacted copies (an ended
span is immutable); ``RedactingLogRecordProcessor`` edits the record in place, then passes it on.
Both fail closed: when a rule, a validator or a user callback raises, the record is dropped and
counted — the original is never passed on. In strict mode a record that any rule fired on is
dropped too, and the violation is reported (logged once per rule) or raised.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections import Counter
from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk._logs import LogRecordProcessor, ReadWriteLogRecord
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.trace import StatusCode

from agentel._internal import errors
from agentel.redaction.redactor import Redactor, Tally
from agentel.redaction.rules import RuleFailure

STRICT_ACTIONS = ("report", "raise")
_log = logging.getLogger("agentel.internal.redaction")


class RedactionError(RuntimeError):
    """The redactor failed on a record; the record was dropped (never exported unredacted)."""


class StrictRedactionError(RedactionError):
    """Strict mode: a record broke a redaction rule and was dropped."""


# --- counting ---------------------------------------------------------------------------------


class Counts:
    """In-memory totals (for ``doctor`` and tests), mirrored into the registry's counters."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.redacted: Counter[tuple[str, str]] = Counter()
        self.dropped: Counter[tuple[str, str]] = Counter()
        self._reported: set[str] = set()

    def add_redacted(self, rules: list[str], signal: str) -> None:
        per_rule = Counter(rules)
        with self._lock:
            for rule, n in per_rule.items():
                self.redacted[(rule, signal)] += n
        try:
            from agentel.registry import metric

            inst = metric("agentel.redaction.redacted")
            for rule, n in per_rule.items():
                inst.add(n, {"agentel.redaction.rule": rule, "agentel.signal": signal})
        except Exception as exc:  # noqa: BLE001 - counting must never cost the record
            errors.record_internal_error("redaction.count", exc)

    def add_dropped(self, signal: str, reason: str) -> None:
        with self._lock:
            self.dropped[(signal, reason)] += 1
        try:
            from agentel.registry import metric

            metric("agentel.telemetry.dropped").add(1, {"agentel.signal": signal, "agentel.reason": reason})
        except Exception as exc:  # noqa: BLE001
            errors.record_internal_error("redaction.count", exc)

    def first_report(self, key: str) -> bool:
        with self._lock:
            if key in self._reported:
                return False
            self._reported.add(key)
            return True

    def snapshot(self) -> dict[str, dict[str, int]]:
        """``{"redacted": {"rule/signal": n}, "dropped": {"signal/reason": n}}``."""
        with self._lock:
            return {
                "redacted": {f"{r}/{s}": n for (r, s), n in sorted(self.redacted.items())},
                "dropped": {f"{s}/{r}": n for (s, r), n in sorted(self.dropped.items())},
            }

    def reset(self) -> None:
        with self._lock:
            self.redacted.clear()
            self.dropped.clear()
            self._reported.clear()


COUNTS = Counts()


def counts() -> dict[str, dict[str, int]]:
    """What redaction did in this process: values redacted by rule/signal, records dropped."""
    return COUNTS.snapshot()


# --- the shared decision ----------------------------------------------------------------------


class _Gate:
    """Counting, strict mode and fail-closed handling shared by both processors."""

    def __init__(self, redactor: Redactor, signal: str, strict: bool, action: str) -> None:
        if action not in STRICT_ACTIONS:
            raise ValueError(f"strict action {action!r} (known: {', '.join(STRICT_ACTIONS)})")
        self.redactor = redactor
        self.signal = signal
        self.strict = strict
        self.action = action

    def failed(self, exc: Exception, what: str) -> None:
        """The redactor raised: the record is already dropped; count, report, maybe re-raise."""
        rule = exc.rule if isinstance(exc, RuleFailure) else "redactor"
        cause = exc.__cause__ if isinstance(exc, RuleFailure) and exc.__cause__ is not None else exc
        COUNTS.add_dropped(self.signal, "redaction_error")
        COUNTS.add_redacted(["error"], self.signal)
        # the message names the rule and the exception type only: the original text may quote
        # the value that was being redacted
        safe = RedactionError(
            f"{what} dropped: redaction rule {rule!r} raised {type(cause).__name__}; "
            "the record was not exported (fail closed)"
        )
        errors.record_internal_error(f"redaction.{self.signal}", safe)
        if errors.RAISE:
            raise safe from exc

    @staticmethod
    def _propagating(record: Any) -> BaseException | None:
        """The application exception propagating through ``record`` (a span that ended with an
        ERROR status while that exception is in flight), else None."""
        current = sys.exc_info()[1]
        if current is None or isinstance(current, RedactionError):
            return None
        status = getattr(record, "status", None)
        if status is None or status.status_code is not StatusCode.ERROR:
            return None
        return current

    def violation(self, t: Tally, what: str, record: Any = None) -> None:
        """Strict mode: the record broke a rule; it is dropped, then reported or raised.

        ``raise`` never replaces the application's own exception: when a span ends because that
        exception is propagating out of it (``@agentel.trace``, ``agentel.span``, a tracer's
        ``start_as_current_span``), the exception goes on unchanged and the refusal is reported
        beside it (logged, counted, and added to it as a note).
        """
        COUNTS.add_dropped(self.signal, "redaction_strict")
        rules = sorted(set(t.rules))
        msg = (
            f"agentel strict redaction (AGENTEL_REDACTION_STRICT=1): {what} dropped because "
            f"rule(s) {', '.join(rules)} fired ({'; '.join(t.where[:4])}); fix the source or "
            "relax the policy"
        )
        if self.action == "raise":
            beside = self._propagating(record)
            if beside is None:
                raise StrictRedactionError(msg)
            # The application's own exception is on its way out through this span: it reaches
            # the caller unchanged; the refusal is logged, counted (above) and attached as a note.
            _log.error("%s (reported beside the application's own %s)", msg, type(beside).__name__)
            add_note = getattr(beside, "add_note", None)
            if add_note is not None:
                try:
                    add_note(f"agentel: telemetry refused: {msg}")
                except Exception:  # noqa: BLE001 - a note is a courtesy
                    pass
            return
        if COUNTS.first_report(f"{self.signal}:{','.join(rules)}"):
            _log.error("%s (further drops for these rules are counted, not logged)", msg)


# --- spans ------------------------------------------------------------------------------------


class RedactingSpanProcessor(SpanProcessor):
    """Wraps the export processor(s): they receive only redacted copies of ended spans."""

    def __init__(
        self, inner: SpanProcessor, redactor: Redactor, *, strict: bool = False, strict_action: str = "report"
    ) -> None:
        self.inner = inner
        self.redactor = redactor
        self._gate = _Gate(redactor, "traces", strict, strict_action)

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        # Deliberately not forwarded: the export side must never see an unredacted span.
        pass

    def on_end(self, span: ReadableSpan) -> None:
        t = Tally()
        try:
            out = self.redactor.span(span, t)
        except Exception as exc:
            self._gate.failed(exc, "a span")
            return
        if t.rules:
            COUNTS.add_redacted(t.rules, "traces")
            if self._gate.strict:
                self._gate.violation(t, f"span {out.name!r}", span)
                return
        self.inner.on_end(out)

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)


# --- logs -------------------------------------------------------------------------------------


class RedactingLogRecordProcessor(LogRecordProcessor):
    """Redacts each log record in place, then hands it to the export processor(s)."""

    def __init__(
        self,
        inner: LogRecordProcessor,
        redactor: Redactor,
        *,
        strict: bool = False,
        strict_action: str = "report",
    ) -> None:
        self.inner = inner
        self.redactor = redactor
        self._gate = _Gate(redactor, "logs", strict, strict_action)

    def on_emit(self, log_record: ReadWriteLogRecord) -> None:
        t = Tally()
        try:
            self.redactor.log(log_record, t)
        except Exception as exc:
            self._gate.failed(exc, "a log record")
            return
        if t.rules:
            COUNTS.add_redacted(t.rules, "logs")
            if self._gate.strict:
                name = log_record.log_record.event_name
                self._gate.violation(t, f"log record{f' {name!r}' if name else ''}")
                return
        self.inner.on_emit(log_record)

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)


# --- the seam the SDK calls -------------------------------------------------------------------

_current: tuple[Any, Redactor] | None = None
_current_lock = threading.Lock()


def redactor_for(settings: Any) -> Redactor:
    """The redactor for ``settings`` (one per configured pipeline, shared by spans and logs)."""
    global _current
    from agentel.redaction.policy import load_policy

    with _current_lock:
        if _current is not None and _current[0] is settings:
            return _current[1]
        red = Redactor(
            load_policy(getattr(settings, "redaction_policy", None)),
            capture_content=bool(getattr(settings, "capture_content", False)),
        )
        _current = (settings, red)
        return red


def current_redactor() -> Redactor | None:
    """The redactor of the pipeline configured last (None before ``configure()``)."""
    cur = _current
    return cur[1] if cur is not None else None


def redact_resource(resource: Resource, settings: Any) -> Resource:
    """The pipeline's resource with the policy applied (once, at configure, for every signal).

    In strict mode a resource attribute that breaks a rule is a configuration error: every record
    would carry it, so every record would be dropped.
    """
    red = redactor_for(settings)
    t = Tally()
    out = red.resource(resource, t)
    if t.rules:
        if getattr(settings, "redaction_strict", False):
            from agentel.config import ConfigError

            raise ConfigError(
                "OTEL_RESOURCE_ATTRIBUTES / resource_attributes: "
                f"{'; '.join(t.where)} (AGENTEL_REDACTION_STRICT=1 drops every record carrying it); "
                "remove the attribute or relax the policy"
            )
        COUNTS.add_redacted(t.rules, "resource")
    return out if out is not None else resource


def wrap_span_processor(inner: SpanProcessor, settings: Any) -> SpanProcessor:
    """The SDK's seam: put the redacting span processor in front of ``inner``."""
    return RedactingSpanProcessor(
        inner,
        redactor_for(settings),
        strict=bool(getattr(settings, "redaction_strict", False)),
        strict_action=getattr(settings, "redaction_strict_action", "report"),
    )


def wrap_log_processor(inner: LogRecordProcessor, settings: Any) -> LogRecordProcessor:
    """The SDK's seam: put the redacting log processor in front of ``inner``."""
    return RedactingLogRecordProcessor(
        inner,
        redactor_for(settings),
        strict=bool(getattr(settings, "redaction_strict", False)),
        strict_action=getattr(settings, "redaction_strict_action", "report"),
    )
