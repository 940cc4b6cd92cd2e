"""The redactor: applies a compiled :class:`Policy` to values, attribute mappings, spans and log records.

Everything here returns the *same object* when nothing had to change, so the common case (a
clean record) costs a few dictionary lookups and no copies. Strings are scanned once and the
verdict for short ones is cached (attribute values repeat: model names, operation names).
Findings (which rule fired, on which key — never the value) are collected in a :class:`Tally`
so the processors can count them and apply strict mode.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

from opentelemetry.attributes import BoundedAttributes
from opentelemetry.sdk._logs import ReadWriteLogRecord
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import Link, Status

from agentel.redaction.policy import Policy, _glob_any, normalize_key
from agentel.redaction.rules import MARKER_PREFIX, CompiledRule, Hasher, RuleFailure, blank_escapes, marker

_MISSING: Any = object()
_BIG = 10**12  # integers at least this large are scanned as text (card numbers stored as ints)
_CACHE_MAX_LEN = 256
_CACHE_MAX_ENTRIES = 8192
_JSON_MAX_LEN = 4 * 1024 * 1024
_JSON_MAX_DEPTH = 64

TYPE_MARKER = marker("type")
CONTENT_MARKER = marker("content")
DENIED_MARKER = marker("denied_key")


class Tally:
    """What fired while redacting one record: rule names and where (key names, never values)."""

    __slots__ = ("rules", "where")

    def __init__(self) -> None:
        self.rules: list[str] = []
        self.where: list[str] = []

    def add(self, rule: str, where: str) -> None:
        self.rules.append(rule)
        if len(self.where) < 8:
            self.where.append(f"{rule} at {where}")

    def __bool__(self) -> bool:
        return bool(self.rules)


def _hash_key(policy: Policy) -> tuple[bytes, bool]:
    raw = os.environ.get(policy.hash_key_env, "")
    if raw:
        return raw.encode(), True
    return os.urandom(32), False


class Redactor:
    """A compiled policy. Thread-safe; one per pipeline (and one for the crash hook)."""

    def __init__(self, policy: Policy, *, capture_content: bool = False) -> None:
        policy.validate()
        self.policy = policy
        self.capture_content = capture_content
        key, self.hash_key_configured = _hash_key(policy)
        self.hasher = Hasher(key)
        self.rules = [CompiledRule(r, self.hasher) for r in policy.active_patterns]
        # Two-level trigger gate: many rules share a trigger prefix ("ACME01-", "ACME02-"...), so
        # one `in` test on the prefix arms a whole group; untriggered rules always run.
        gates: dict[tuple[bool, str], list[int]] = {}
        for i, rule in enumerate(self.rules):
            for trig in rule.triggers or ():
                gates.setdefault((rule.fold_triggers, trig[:4]), []).append(i)
        self._gates = [(key, tuple(idx)) for (fold, key), idx in gates.items() if not fold]
        self._fold_gates = [(key, tuple(idx)) for (fold, key), idx in gates.items() if fold]
        self._always = tuple(i for i, r in enumerate(self.rules) if r.triggers is None)
        self._exact_gate = [
            r.triggers is not None and all(len(t) <= 4 for t in r.triggers) for r in self.rules
        ]
        self._min_len = min([r.width for r in self.rules] + [5 if policy.key_value_in_text else 10**9])
        self._min_len = max(self._min_len, 1)
        self._kv, self._kv_stems = _key_value_regex(policy)
        self._key_rule_fn = policy.key_rule
        self._key_cache: dict[str, str | None] = {}
        self._text_cache: dict[str, Any] = {}
        self._events = {e.name: e.allow for e in policy.events}
        self._common = policy.events_common
        self._content_events = frozenset(policy.content_events)
        self._callbacks = policy.callbacks
        self._res_cache: dict[int, tuple[Any, Any, tuple[str, ...]]] = {}
        self._lock = threading.Lock()

    # --- text -------------------------------------------------------------------------------

    def redact_text(self, text: str) -> str:
        """``text`` with every rule applied (a convenience for tools and tests)."""
        return self._text(text, "text", Tally())

    def _text(self, s: str, where: str, t: Tally) -> str:
        if len(s) <= _CACHE_MAX_LEN:
            hit = self._text_cache.get(s, _MISSING)
            if hit is None:
                return s
            if hit is not _MISSING:
                for rule in hit[1]:
                    t.add(rule, where)
                return hit[0]  # type: ignore[no-any-return]
        out, fired = self._scan(s)
        if len(s) <= _CACHE_MAX_LEN:
            cache = self._text_cache
            if len(cache) >= _CACHE_MAX_ENTRIES:
                cache.clear()
            cache[s] = (out, fired) if fired else None
        for rule in fired:
            t.add(rule, where)
        return out if fired else s

    def _scan(self, s: str) -> tuple[str, tuple[str, ...]]:
        if len(s) < self._min_len:
            return s, ()
        if self.policy.parse_json_strings and s[:1] in "{[" and len(s) <= _JSON_MAX_LEN:
            done = self._scan_json(s)
            if done is not None:
                return done
        fired: list[str] = []
        out = s
        low: str | None = None
        hits: set[int] | None = None
        for key, idx in self._gates:
            if key in s:
                if hits is None:
                    hits = set(idx)
                else:
                    hits.update(idx)
        if self._fold_gates:
            low = s.lower()
            for key, idx in self._fold_gates:
                if key in low:
                    if hits is None:
                        hits = set(idx)
                    else:
                        hits.update(idx)
        view = blank_escapes(s)
        order: tuple[int, ...] | list[int] = (
            self._always if hits is None else sorted(hits.union(self._always))
        )
        raw: bytes | None = None
        if order:
            n = len(s)
            rules = self.rules
            for i in order:
                rule = rules[i]
                if n < rule.width:
                    continue
                gate = rule.count_gate
                if gate is not None:
                    # "at least N of these characters" (13 digits for a card): one C-level pass
                    if raw is None:
                        raw = out.encode("utf-8", "surrogatepass")
                    if len(raw) - len(raw.translate(None, gate[0])) < gate[1]:
                        continue
                trig = rule.triggers
                if trig is not None and not self._exact_gate[i]:
                    if rule.fold_triggers:
                        if low is None:
                            low = out.lower()
                        hay = low
                    else:
                        hay = out
                    for lit in trig:
                        if lit in hay:
                            break
                    else:
                        continue
                if rule.regex.search(view) is None:
                    continue
                new = rule.sub(out, view)
                if new != out:
                    fired.append(rule.name)
                    out, low, n, raw = new, None, len(new), None
                    view = blank_escapes(new)
        kv = self._kv
        if kv is not None and ("=" in out or ":" in out):
            if low is None:
                low = out.lower()
            for stem in self._kv_stems:
                if stem in low:
                    new = kv.sub(self._kv_replace, out)
                    if new != out:
                        fired.extend(_kv_rules(new, out))
                        out = new
                    break
        return out, tuple(fired)

    def _kv_replace(self, m: re.Match[str]) -> str:
        if m.group("h") is not None:
            value = m.group("v")
            return m.group("k") + marker("hashed_key", self.hasher.digest("hashed_key", value))
        return m.group("k") + DENIED_MARKER

    def _scan_json(self, s: str) -> tuple[str, tuple[str, ...]] | None:
        try:
            obj = json.loads(s)
        except ValueError:
            return None
        if not isinstance(obj, (dict, list)):
            return None
        t = Tally()
        new = self._json(obj, "json", t, 0)
        if new is obj:
            return s, ()
        return json.dumps(new, ensure_ascii=False, separators=(",", ":")), tuple(t.rules)

    def _json(self, v: Any, where: str, t: Tally, depth: int) -> Any:
        if isinstance(v, str):
            return self._text(v, where, t)
        if depth > _JSON_MAX_DEPTH:
            t.add("type", where)
            return TYPE_MARKER
        if isinstance(v, dict):
            out = None
            for k, item in v.items():
                rule = self._key(k)
                new = self._json(item, k, t, depth + 1) if rule is None else self._keyed(rule, k, item, t)
                if new is not item:
                    if out is None:
                        out = dict(v)
                    if new is _MISSING:
                        del out[k]
                    else:
                        out[k] = new
            return v if out is None else out
        if isinstance(v, list):
            outl = None
            for i, item in enumerate(v):
                new = self._json(item, where, t, depth + 1)
                if new is not item:
                    if outl is None:
                        outl = list(v)
                    outl[i] = new
            return v if outl is None else outl
        if type(v) is int and not -_BIG < v < _BIG:
            txt = str(v)
            red = self._text(txt, where, t)
            return v if red is txt else red
        return v

    # --- keys -------------------------------------------------------------------------------

    def _key(self, key: str) -> str | None:
        rule = self._key_cache.get(key, _MISSING)
        if rule is _MISSING:
            rule = self._compute_key_rule(key)
            cache = self._key_cache
            if len(cache) >= _CACHE_MAX_ENTRIES:
                cache.clear()
            cache[key] = rule
        return rule  # type: ignore[no-any-return]

    def _compute_key_rule(self, key: str) -> str | None:
        if not self.capture_content and _glob_any(self.policy.content_keys, key):
            return "content"
        rule = self._key_rule_fn(key)
        if rule is not None:
            return rule
        # a key that is itself personal data ({"jane@example.com": 3}): the entry goes
        scanned, fired = self._scan(key)
        if fired:
            return "key:" + fired[0]
        return None

    def _keyed(self, rule: str, key: str, value: Any, t: Tally) -> Any:
        """The replacement for ``value`` under a key a key rule fired for (``_MISSING`` = drop)."""
        if rule.startswith("key:"):
            t.add(rule[4:], "a key name")
            return _MISSING
        t.add(rule, key)
        if rule == "hashed_key":
            if isinstance(value, (str, int, float, bool)):
                text = str(value)
            else:
                text = json.dumps(value, sort_keys=True, default=repr)
            return marker("hashed_key", self.hasher.digest("hashed_key", text))
        if rule == "content":
            return CONTENT_MARKER
        return DENIED_MARKER

    # --- values and mappings ----------------------------------------------------------------

    def redact_value(self, value: Any, key: str = "value") -> Any:
        """One value with every rule applied (for tools and tests; may raise on a failing rule)."""
        return self._value(value, key, 0, self.policy.max_depth, Tally())

    def _value(self, v: Any, where: str, depth: int, max_depth: int, t: Tally) -> Any:
        tp = type(v)
        out: Any
        if tp is str:
            out = self._text(v, where, t)
        elif tp is bool or tp is float or v is None:
            out = v
        elif tp is int:
            if -_BIG < v < _BIG:
                out = v
            else:
                txt = str(v)
                red = self._text(txt, where, t)
                out = v if red is txt else red
        elif isinstance(v, str):
            out = self._text(str(v), where, t)
        elif isinstance(v, (list, tuple)):
            if depth >= max_depth:
                t.add("type", where)
                return TYPE_MARKER
            out = self._sequence(v, where, depth, max_depth, t)
        elif isinstance(v, Mapping):
            if depth >= max_depth:
                t.add("type", where)
                return TYPE_MARKER
            out = self.mapping(v, t, depth=depth + 1, max_depth=max_depth)
        elif isinstance(v, (int, float)) and not isinstance(v, (bytes, bytearray)):
            out = v  # numpy scalars and other number subclasses
        else:  # bytes, arrays, tensors, arbitrary objects
            t.add("type", where)
            return TYPE_MARKER
        if self._callbacks and out is v and not isinstance(v, (list, tuple, Mapping)):
            out = self._run_callbacks(where, v, t)
        return out

    def _sequence(self, v: Any, where: str, depth: int, max_depth: int, t: Tally) -> Any:
        out = None
        for i, item in enumerate(v):
            new = self._value(item, where, depth + 1, max_depth, t)
            if new is not item:
                if out is None:
                    out = list(v)
                out[i] = new
        if out is None:
            return v
        return tuple(out) if isinstance(v, tuple) else out

    def _run_callbacks(self, key: str, value: Any, t: Tally) -> Any:
        out = value
        for cb in self._callbacks:
            try:
                out = cb(key, out)
            except Exception as exc:
                raise RuleFailure(getattr(cb, "__name__", "callback"), exc) from exc
        if out is not value and out != value:
            t.add("callback", key)
            return out
        return value

    def mapping(
        self,
        m: Mapping[str, Any],
        t: Tally,
        *,
        depth: int = 0,
        max_depth: int | None = None,
        allow: Callable[[str], bool] | None = None,
    ) -> Mapping[str, Any]:
        """``m`` redacted (the same object when nothing changed); ``allow`` limits the keys kept."""
        if max_depth is None:
            max_depth = self.policy.max_depth
        out: dict[str, Any] | None = None
        key_cache = self._key_cache
        text_cache = self._text_cache
        fast = allow is None and not self._callbacks
        # BoundedAttributes iterates in Python under a lock; its plain dict iterates in C
        inner = getattr(m, "_dict", None)
        items = inner.items() if type(inner) is dict else m.items()
        for k, v in items:
            rule = key_cache.get(k, _MISSING)
            if rule is _MISSING:
                rule = self._key(k if type(k) is str else str(k))
            if fast and rule is None:
                tv = type(v)
                if tv is str:
                    if text_cache.get(v, _MISSING) is None and len(v) <= _CACHE_MAX_LEN:
                        continue  # a string already known to be clean
                elif tv is int:
                    if -_BIG < v < _BIG:
                        continue
                elif tv is float or tv is bool:
                    continue
            if allow is not None and not allow(k):
                t.add("not_allowed", k)
                new = _MISSING
            elif rule is None:
                new = self._value(v, k, depth, max_depth, t)
                if new is v:
                    continue
            else:
                new = self._keyed(rule, k, v, t)
            if out is None:
                out = dict(m)
            if new is _MISSING:
                del out[k]
            else:
                out[k] = new
        return m if out is None else out

    def _allow_for(self, event_name: str | None, context: Any = None) -> Callable[[str], bool] | None:
        if not event_name:
            return None
        keys = self._events.get(event_name)
        if keys is None:
            return None
        own = keys
        common = self._common
        extra: frozenset[str] = frozenset()
        try:
            from agentel import correlation

            extra = frozenset(correlation.current_keys(context))
        except Exception:  # noqa: BLE001 - correlation keys are a courtesy, never a failure
            pass

        def allow(key: str) -> bool:
            return key in extra or _glob_any(own, key) or _glob_any(common, key)

        return allow

    # --- resources --------------------------------------------------------------------------

    def resource(self, res: Resource | None, t: Tally) -> Resource | None:
        """The resource with its attributes redacted (computed once per resource object)."""
        if res is None:
            return None
        hit = self._res_cache.get(id(res))
        if hit is None or hit[0] is not res:
            t2 = Tally()
            attrs = res.attributes
            new = self.mapping(attrs, t2) if attrs else attrs
            red = res if new is attrs else Resource(dict(new), res.schema_url)
            hit = (res, red, tuple(t2.rules))
            with self._lock:
                if len(self._res_cache) > 64:
                    self._res_cache.clear()
                self._res_cache[id(res)] = hit
        for rule in hit[2]:
            t.add(rule, "resource")
        return hit[1]  # type: ignore[no-any-return]

    def _scope(self, scope: InstrumentationScope | None, t: Tally) -> InstrumentationScope | None:
        if scope is None or not scope.attributes:
            return scope
        attrs = scope.attributes
        new = self.mapping(attrs, t)
        if new is attrs:
            return scope
        return InstrumentationScope(scope.name, scope.version, scope.schema_url, dict(new))

    # --- spans ------------------------------------------------------------------------------

    def span(self, span: ReadableSpan, t: Tally) -> ReadableSpan:
        """The span with every rule applied: the span itself when clean, else a redacted copy."""
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
                ev_name = self._text(ev.name, "event name", t)
                ev_attrs = ev.attributes
                new_ev_attrs = (
                    self.mapping(ev_attrs, t, allow=self._allow_for(ev.name)) if ev_attrs else ev_attrs
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
                if new_la is not la:
                    if lnk is None:
                        lnk = list(links)
                    lnk[i] = Link(link.context, new_la)
            if lnk is not None:
                new_links = tuple(lnk)
        status = span.status
        desc = status.description
        new_status = status
        if desc:
            new_desc = self._text(desc, "status description", t)
            if new_desc is not desc:
                new_status = Status(status.status_code, new_desc)
        res = span.resource
        new_res = self.resource(res, t)
        scope = span.instrumentation_scope
        new_scope = self._scope(scope, t)
        if (
            new_name is name
            and new_attrs is attrs
            and new_events is events
            and new_links is links
            and new_status is status
            and new_res is res
            and new_scope is scope
        ):
            return span
        return RedactedSpan(span, new_name, new_attrs, new_events, new_links, new_status, new_res, new_scope)

    # --- log records ------------------------------------------------------------------------

    def log(self, record: ReadWriteLogRecord, t: Tally) -> None:
        """Redact ``record`` in place (log records are mutable in ``on_emit``).

        New values are computed first and assigned at the end: a rule that fails midway leaves
        the record untouched, and the caller drops it.
        """
        lr = record.log_record
        event_name = lr.event_name
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
            new_attrs = self.mapping(attrs, t, allow=self._allow_for(event_name, lr.context))
        res = record.resource
        new_res = self.resource(res, t)
        scope = record.instrumentation_scope
        new_scope = self._scope(scope, t)
        if new_body is not body:
            lr.body = new_body
        if new_attrs is not attrs:
            lr.attributes = _bounded_like(attrs, new_attrs or {})
        if new_res is not res:
            record.resource = new_res
        if new_scope is not scope:
            record.instrumentation_scope = new_scope


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
    ) -> None:
        super().__init__(
            name=name,
            context=src.context,
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


# --- key=value inside text --------------------------------------------------------------------


def _key_value_regex(policy: Policy) -> tuple[re.Pattern[str] | None, tuple[str, ...]]:
    """A regex for ``<denied key> = value`` inside text, and the literal stems that gate it."""
    if not policy.key_value_in_text:
        return None, ()
    deny = [normalize_key(w) for w in policy.deny_keys]
    hashed = [normalize_key(w) for w in policy.hash_keys]
    if not deny and not hashed:
        return None, ()

    def alt(words: list[str]) -> str:
        parts = sorted({w for w in words if w}, key=lambda w: (-len(w), w))
        return "|".join(re.escape(w).replace("_", "[_-]?") for w in parts) or "(?!)"

    # a key starts after a non-alphanumeric, after an escape such as a literal "\n" (repr'd text),
    # or at a camelCase hump (myPassword=...); never inside one of our own markers
    start = r"(?:(?<![A-Za-z0-9])|(?<=\\[ntr])|(?<=[a-z0-9])(?=[A-Z]))(?<!\[REDACTED:)"
    key = start + r"(?:[A-Za-z0-9]+[_.\-])*(?i:(?P<h>" + alt(hashed) + r")|" + alt(deny) + r")"
    # \\? : escaped quotes, as in JSON text inside a string (\"password\": \"...\")
    sep = r"\\?[\"']?\s{0,3}[:=]\s{0,3}"
    value = (
        r"(?!\\?\[REDACTED)(?P<v>\\?\"[^\"\n]{0,512}\"|\\?'[^'\n]{0,512}'"
        r"|(?:(?i:bearer|basic|token)\s+)?[^\s\"',;&}\])]+)"
    )
    regex = re.compile(r"(?P<k>" + key + sep + r")" + value)
    # every word contains its longest underscore-free part: a cheap necessary condition
    stems: set[str] = set()
    for w in deny + hashed:
        stems.add(max(w.split("_"), key=len))
    pruned = sorted(s for s in stems if not any(o != s and o in s for o in stems))
    return regex, tuple(pruned)


def _kv_rules(new: str, old: str) -> list[str]:
    """Which key rules a key=value pass applied (by the markers it added)."""
    rules = []
    if new.count(marker("denied_key")) > old.count(marker("denied_key")):
        rules.append("denied_key")
    if new.count(MARKER_PREFIX + "hashed_key#") > old.count(MARKER_PREFIX + "hashed_key#"):
        rules.append("hashed_key")
    return rules or ["denied_key"]
