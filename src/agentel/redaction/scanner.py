"""The scanner: a compiled :class:`Policy` applied to text, values, JSON and attribute mappings.

This is the half of the redactor that knows about *values*; the record adapters in
``redactor.py`` walk spans, log records, metrics and resources and hand every string they carry
to it. Everything returns the *same object* when nothing had to change, so the common case (a
clean record) costs a few dictionary lookups and no copies. Verdicts for short strings and for
keys are cached (attribute values and keys repeat).

Every rule is linear in its input: value rules are regexes without nested unbounded quantifiers
(``tests/redaction/test_redos.py`` runs each on adversarial 1 MB inputs), ``key=value`` inside
text is a single-pass scanner (``kvscan.py``), keys are matched by a bounded suffix check
(``keys.py``). On top of that a record has a time budget: a field whose scan would run past it is
replaced by ``[REDACTED:budget]`` (fail closed) and counted.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

from agentel.redaction.keys import glob_any, key_matcher, stems
from agentel.redaction.kvscan import find_pairs
from agentel.redaction.policy import Policy
from agentel.redaction.rules import CompiledRule, Hasher, RuleFailure, blank_escapes, marker

_MISSING: Any = object()
_BIG = 10**12  # integers at least this large are scanned as text (card numbers stored as ints)
_CACHE_MAX_LEN = 256
_CACHE_MAX_ENTRIES = 8192
_JSON_MAX_LEN = 4 * 1024 * 1024
_JSON_MAX_DEPTH = 64
_CHECK_LEN = 2048  # strings at least this long check the record's time budget before each rule

TYPE_MARKER = marker("type")
CONTENT_MARKER = marker("content")
DENIED_MARKER = marker("denied_key")
BUDGET_MARKER = marker("budget")


class OverBudget(Exception):
    """The record's redaction time budget ran out while scanning a field."""


class Tally:
    """What fired while redacting one record: rule names and where (key names, never values).

    ``deadline`` (a ``time.perf_counter()`` value, 0 = none) is the record's time budget: a long
    field not scanned by then is replaced by ``[REDACTED:budget]``.
    """

    __slots__ = ("deadline", "rules", "where")

    def __init__(self, deadline: float = 0.0) -> None:
        self.rules: list[str] = []
        self.where: list[str] = []
        self.deadline = deadline

    def add(self, rule: str, where: str) -> None:
        self.rules.append(rule)
        if len(self.where) < 8:
            self.where.append(f"{rule} at {where}")

    def start(self, budget_s: float) -> None:
        """Start the record's budget (once: the first adapter to see the record starts it)."""
        if not self.deadline and budget_s > 0:
            self.deadline = time.perf_counter() + budget_s

    def __bool__(self) -> bool:
        return bool(self.rules)


def _hash_key(policy: Policy) -> tuple[bytes, bool]:
    raw = os.environ.get(policy.hash_key_env, "")
    if raw:
        return raw.encode(), True
    return os.urandom(32), False


class Scanner:
    """A compiled policy for values. Thread-safe (caches are plain dicts, replaced when full)."""

    def __init__(self, policy: Policy, *, capture_content: bool = False) -> None:
        policy.validate()
        self.policy = policy
        self.capture_content = capture_content
        self.budget_s = max(0.0, policy.record_budget_ms) / 1000.0
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
        self._min_len = min([r.width for r in self.rules] + [4 if policy.key_value_in_text else 10**9])
        self._min_len = max(self._min_len, 1)
        self._key_rule_fn = key_matcher(
            policy.deny_keys, policy.hash_keys, policy.allow_keys, policy.no_plural_keys
        )
        kv_words = (*policy.deny_keys, *policy.hash_keys) if policy.key_value_in_text else ()
        self._kv_stems = stems(kv_words)
        self._key_cache: dict[str, str | None] = {}
        self._text_cache: dict[str, Any] = {}
        self._events = {e.name: e.allow for e in policy.events}
        self._common = policy.events_common
        self._content_events = frozenset(policy.content_events)
        self._callbacks = policy.callbacks

    # --- text -------------------------------------------------------------------------------

    def redact_text(self, text: str) -> str:
        """``text`` with every rule applied (a convenience for tools and tests)."""
        return self._text(text, "text", Tally())

    def _text(self, s: str, where: str, t: Tally) -> str:
        short = len(s) <= _CACHE_MAX_LEN
        if short:
            hit = self._text_cache.get(s, _MISSING)
            if hit is None:
                return s
            if hit is not _MISSING:
                for rule in hit[1]:
                    t.add(rule, where)
                return hit[0]  # type: ignore[no-any-return]
        deadline = t.deadline if len(s) >= _CHECK_LEN else 0.0
        try:
            if deadline and time.perf_counter() > deadline:
                raise OverBudget
            out, fired = self._scan(s, deadline)
        except OverBudget:
            t.add("budget", where)
            return BUDGET_MARKER
        if short:
            cache = self._text_cache
            if len(cache) >= _CACHE_MAX_ENTRIES:
                cache.clear()
            cache[s] = (out, fired) if fired else None
        for rule in fired:
            t.add(rule, where)
        return out if fired else s

    def _scan(self, s: str, deadline: float = 0.0) -> tuple[str, tuple[str, ...]]:
        if len(s) < self._min_len:
            return s, ()
        if self.policy.parse_json_strings and len(s) <= _JSON_MAX_LEN:
            head = s[:1]
            if head in "{[" or (head.isspace() and s.lstrip()[:1] in "{["):
                done = self._scan_json(s, deadline)
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
                if deadline and time.perf_counter() > deadline:
                    raise OverBudget
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
        if self._kv_stems and ("=" in out or ":" in out):
            if deadline and time.perf_counter() > deadline:
                raise OverBudget
            if low is None:
                low = out.lower()
            if any(stem in low for stem in self._kv_stems):
                new, kv_rules = self._kv_pass(out, view)
                if kv_rules:
                    fired.extend(kv_rules)
                    out = new
        return out, tuple(fired)

    def _kv_pass(self, text: str, view: str) -> tuple[str, tuple[str, ...]]:
        pairs = find_pairs(view, self._kv_stems, self._key_rule_fn)
        if not pairs:
            return text, ()
        parts: list[str] = []
        last = 0
        rules: list[str] = []
        for start, end, rule in pairs:
            parts.append(text[last:start])
            if rule == "hashed_key":
                parts.append(marker("hashed_key", self.hasher.digest("hashed_key", text[start:end])))
            else:
                parts.append(DENIED_MARKER)
            rules.append(rule if rule in ("hashed_key", "denied_key") else "denied_key")
            last = end
        parts.append(text[last:])
        return "".join(parts), tuple(dict.fromkeys(rules))

    def _scan_json(self, s: str, deadline: float) -> tuple[str, tuple[str, ...]] | None:
        try:
            obj = json.loads(s)
        except (ValueError, RecursionError):
            return None
        if not isinstance(obj, (dict, list)):
            return None
        t = Tally(deadline)
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
            if t.deadline and time.perf_counter() > t.deadline:
                raise OverBudget
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
            if t.deadline and time.perf_counter() > t.deadline:
                raise OverBudget
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
        if not self.capture_content and glob_any(self.policy.content_keys, key):
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

    def allow_for(self, event_name: str | None, context: Any = None) -> Callable[[str], bool] | None:
        """The key filter of an allowlisted event (None: every key may stay)."""
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
            return key in extra or glob_any(own, key) or glob_any(common, key)

        return allow

    _allow_for = allow_for
