"""The redactor: the record adapters around the :class:`Scanner`.

The scanner (``scanner.py``) knows values: text, JSON, keys, attribute mappings. The adapters here
know records: they walk every string a span, a log record, a metric measurement, a resource or an
instrumentation scope carries — names, attributes, event names, link attributes, status
descriptions, W3C ``tracestate``, scope names and versions, schema URLs, log severity text — and
hand each to the scanner. Each adapter returns the record itself when nothing changed, else a
redacted copy (spans, scopes, resources, measurements) or edits it in place (log records).
Findings are collected in a :class:`Tally` so the processors can count them and apply strict
mode; the first adapter to see a record starts its time budget.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from opentelemetry.attributes import BoundedAttributes
from opentelemetry.sdk._logs import ReadWriteLogRecord
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import Link, SpanContext, Status, TraceState

from agentel.redaction.policy import Policy
from agentel.redaction.scanner import (
    _MISSING,
    BUDGET_MARKER,
    CONTENT_MARKER,
    DENIED_MARKER,
    TYPE_MARKER,
    OverBudget,
    Scanner,
    Tally,
)

__all__ = [
    "BUDGET_MARKER",
    "CONTENT_MARKER",
    "DENIED_MARKER",
    "TYPE_MARKER",
    "OverBudget",
    "RedactedSpan",
    "Redactor",
    "Tally",
]


class Redactor(Scanner):
    """A compiled policy with adapters for every record kind. Thread-safe; one per pipeline."""

    def __init__(self, policy: Policy, *, capture_content: bool = False) -> None:
        super().__init__(policy, capture_content=capture_content)
        self._res_cache: dict[int, tuple[Any, Any, tuple[str, ...]]] = {}
        # scopes are few and long-lived (one per tracer/logger): their verdict is kept per object
        self._scope_cache: dict[int, tuple[Any, Any, tuple[str, ...]]] = {}
        self._lock = threading.Lock()

    def _str(self, s: Any, where: str, t: Tally) -> Any:
        """A string field of a record (names, versions, URLs): scanned; other types unchanged."""
        if type(s) is str and s:
            return self._text(s, where, t)
        return s

    # --- resources --------------------------------------------------------------------------

    def resource(self, res: Resource | None, t: Tally) -> Resource | None:
        """The resource with its attributes and schema URL redacted (once per resource object)."""
        if res is None:
            return None
        hit = self._res_cache.get(id(res))
        if hit is None or hit[0] is not res:
            t2 = Tally()
            attrs = res.attributes
            new = self.mapping(attrs, t2) if attrs else attrs
            url = res.schema_url
            new_url = self._str(url, "resource schema url", t2)
            red = res if new is attrs and new_url is url else Resource(dict(new), new_url)
            hit = (res, red, tuple(t2.rules))
            with self._lock:
                if len(self._res_cache) > 64:
                    self._res_cache.clear()
                self._res_cache[id(res)] = hit
        for rule in hit[2]:
            t.add(rule, "resource")
        return hit[1]  # type: ignore[no-any-return]

    def scope(self, scope: InstrumentationScope | None, t: Tally) -> InstrumentationScope | None:
        """The instrumentation scope with its name, version, schema URL and attributes redacted."""
        if scope is None:
            return None
        hit = self._scope_cache.get(id(scope))
        if hit is not None and hit[0] is scope:
            for rule in hit[2]:
                t.add(rule, "scope")
            return hit[1]  # type: ignore[no-any-return]
        t2 = Tally(t.deadline)
        red = self._scope_uncached(scope, t2)
        if len(self._scope_cache) > 256:
            self._scope_cache.clear()
        self._scope_cache[id(scope)] = (scope, red, tuple(t2.rules))
        for rule in t2.rules:
            t.add(rule, "scope")
        return red

    def _scope_uncached(self, scope: InstrumentationScope, t: Tally) -> InstrumentationScope:
        name, version, url, attrs = scope.name, scope.version, scope.schema_url, scope.attributes
        new_name = self._str(name, "scope name", t)
        new_version = self._str(version, "scope version", t)
        new_url = self._str(url, "scope schema url", t)
        new_attrs = self.mapping(attrs, t) if attrs else attrs
        if new_name is name and new_version is version and new_url is url and new_attrs is attrs:
            return scope
        return InstrumentationScope(
            new_name, new_version, new_url, dict(new_attrs) if new_attrs is not None else None
        )

    _scope = scope

    def trace_state(self, state: TraceState | None, t: Tally) -> TraceState | None:
        """W3C ``tracestate`` with the policy applied to its entries (an entry whose key is
        personal data goes; a value that changes keeps the entry with the marker)."""
        if not state:
            return state
        pairs = dict(state.items())
        new = self.mapping(pairs, t, max_depth=0)
        if new is pairs:
            return state
        return TraceState([(k, v) for k, v in new.items() if isinstance(v, str)])

    def _context(self, ctx: SpanContext | None, t: Tally) -> SpanContext | None:
        if ctx is None or not ctx.trace_state:
            return ctx
        state = ctx.trace_state
        new = self.trace_state(state, t)
        if new is state:
            return ctx
        return SpanContext(ctx.trace_id, ctx.span_id, ctx.is_remote, ctx.trace_flags, new)

    # --- spans ------------------------------------------------------------------------------

    def span(self, span: ReadableSpan, t: Tally) -> ReadableSpan:
        """The span with every rule applied: the span itself when clean, else a redacted copy."""
        t.start(self.budget_s)
        name = span.name
        new_name = self._text(name, "span name", t) if type(name) is str else name
        attrs = getattr(span, "_attributes", _MISSING)
        if attrs is _MISSING:
            attrs = span.attributes
        new_attrs = self.mapping(attrs, t) if attrs else attrs
        events = span.events
        new_events = events
        if events:
            lst = None
            for i, ev in enumerate(events):
                ev_name = self._str(ev.name, "event name", t)
                ev_attrs = ev.attributes
                new_ev_attrs = (
                    self.mapping(ev_attrs, t, allow=self.allow_for(ev.name)) if ev_attrs else ev_attrs
                )
                if ev_name is not ev.name or new_ev_attrs is not ev_attrs:
                    if lst is None:
                        lst = list(events)
                    lst[i] = Event(ev_name, new_ev_attrs, ev.timestamp)
            if lst is not None:
                new_events = tuple(lst)
        links = span.links
        new_links = links
        if links:
            lnk = None
            for i, link in enumerate(links):
                la = link.attributes
                new_la = self.mapping(la, t) if la else la
                lctx = self._context(link.context, t)
                if new_la is not la or lctx is not link.context:
                    if lnk is None:
                        lnk = list(links)
                    lnk[i] = Link(lctx, new_la)  # type: ignore[arg-type]
            if lnk is not None:
                new_links = tuple(lnk)
        status = span.status
        desc = status.description
        new_status = status
        if desc:
            new_desc = self._text(desc, "status description", t)
            if new_desc is not desc:
                new_status = Status(status.status_code, new_desc)
        ctx = span.context
        new_ctx = self._context(ctx, t)
        res = span.resource
        new_res = self.resource(res, t)
        scope = span.instrumentation_scope
        new_scope = self.scope(scope, t)
        if (
            new_name is name
            and new_attrs is attrs
            and new_events is events
            and new_links is links
            and new_status is status
            and new_res is res
            and new_scope is scope
            and new_ctx is ctx
        ):
            return span
        return RedactedSpan(
            span, new_name, new_attrs, new_events, new_links, new_status, new_res, new_scope, new_ctx
        )

    # --- log records ------------------------------------------------------------------------

    def log(self, record: ReadWriteLogRecord, t: Tally) -> None:
        """Redact ``record`` in place (log records are mutable in ``on_emit``).

        New values are computed first and assigned at the end: a rule that fails midway leaves
        the record untouched, and the caller drops it.
        """
        t.start(self.budget_s)
        lr = record.log_record
        event_name = lr.event_name
        new_event_name = self._str(event_name, "event name", t)
        severity_text = lr.severity_text
        new_severity_text = self._str(severity_text, "severity text", t)
        body = lr.body
        new_body = body
        if body is not None:
            if event_name in self._content_events and not self.capture_content:
                t.add("content", "body")
                new_body = CONTENT_MARKER
            else:
                new_body = self._value(body, "body", 0, self.policy.max_body_depth + 1, t)
        attrs = lr.attributes
        new_attrs = attrs
        if attrs:
            # a content event's attributes are structured messages (the GenAI conventions' event
            # form): they may nest as deep as a body
            depth = self.policy.max_body_depth + 1 if event_name in self._content_events else None
            new_attrs = self.mapping(attrs, t, max_depth=depth, allow=self.allow_for(event_name, lr.context))
        res = record.resource
        new_res = self.resource(res, t)
        scope = record.instrumentation_scope
        new_scope = self.scope(scope, t)
        if new_body is not body:
            lr.body = new_body
        if new_attrs is not attrs:
            lr.attributes = _bounded_like(attrs, new_attrs or {})
        if new_event_name is not event_name:
            lr.event_name = new_event_name
        if new_severity_text is not severity_text:
            lr.severity_text = new_severity_text
        if new_res is not res:
            record.resource = new_res
        if new_scope is not scope:
            record.instrumentation_scope = new_scope

    # --- metric measurements ----------------------------------------------------------------

    def metric_attributes(self, attrs: Mapping[str, Any] | None, t: Tally) -> Mapping[str, Any] | None:
        """A measurement's attributes: keys the policy denies (or marks as content) are dropped,
        values are scanned like any other value (the same object when nothing changed)."""
        if not attrs:
            return attrs
        t.start(self.budget_s)
        out: dict[str, Any] | None = None
        for k, v in attrs.items():
            rule = self._key(k) if type(k) is str else self._key(str(k))
            if rule is not None:
                t.add(
                    rule[4:] if rule.startswith("key:") else rule, "a metric key" if rule[:4] == "key:" else k
                )
                new = _MISSING
            else:
                new = self._value(v, k, 0, self.policy.max_depth, t)
                if new is v:
                    continue
            if out is None:
                out = dict(attrs)
            if new is _MISSING:
                del out[k]
            else:
                out[k] = new
        return attrs if out is None else out


def _bounded_like(old: Any, new: Mapping[str, Any]) -> Any:
    """``new`` as BoundedAttributes with the limits and dropped count of ``old``."""
    if isinstance(old, BoundedAttributes):
        out = BoundedAttributes(
            maxlen=old.maxlen, attributes=new, immutable=False, max_value_len=old.max_value_len
        )
        out.dropped += old.dropped
        return out
    return dict(new)


class RedactedSpan(ReadableSpan):
    """A redacted copy of an ended span; keeps the original's dropped counts."""

    def __init__(
        self,
        src: ReadableSpan,
        name: str,
        attributes: Any,
        events: Any,
        links: Any,
        status: Status,
        resource: Any,
        scope: InstrumentationScope | None,
        context: SpanContext | None = None,
    ) -> None:
        super().__init__(
            name=name,
            context=context if context is not None else src.context,
            parent=src.parent,
            resource=resource,
            attributes=attributes,
            events=events,
            links=links,
            kind=src.kind,
            status=status,
            start_time=src.start_time,
            end_time=src.end_time,
            instrumentation_scope=scope,
        )
        self._dropped = (src.dropped_attributes, src.dropped_events, src.dropped_links)

    @property
    def dropped_attributes(self) -> int:
        return self._dropped[0]

    @property
    def dropped_events(self) -> int:
        return self._dropped[1]

    @property
    def dropped_links(self) -> int:
        return self._dropped[2]
