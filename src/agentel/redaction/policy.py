"""The redaction policy: one object, from a file or from code, that drives every redactor.

The same :class:`Policy` configures the SDK processors, the metric views, the crash hook and the
collector's ``redaction`` processor (``agentel policy render-collector``). The built-in defaults
are themselves a policy file (``default_policy.toml``); a user file starts from them
(``extends = "default"``) and adds to them, or starts from nothing (``extends = "none"``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from agentel.redaction.keys import glob_any, key_matcher, normalize_key
from agentel.redaction.rules import PatternRule, check_rule, rule_from_mapping
from agentel.redaction.source import Locate, PolicyError, no_locate, parse_policy_text, read_policy_file

#: A user callback: ``(key, value) -> value``; return the value unchanged to keep it. It sees
#: every scalar value after the rules ran; an exception drops the record (fail closed).
Callback = Callable[[str, Any], Any]

CRASH_MESSAGE_MODES = ("redact", "scan")


@dataclass(frozen=True)
class EventRule:
    """The attribute keys an event may carry (globs allowed); other keys are dropped and counted."""

    name: str
    allow: tuple[str, ...]


@dataclass(frozen=True)
class Policy:
    """What is redacted, and how. Build with :meth:`default`, :meth:`load` or :meth:`extend`."""

    #: keys whose values are replaced by a marker (case-insensitive; matches a key, the last part
    #: of a dotted or snake_case key, and keys inside nested mappings): ``db_password``,
    #: ``http.request.header.authorization``, ``{"user": {"email": ...}}``
    deny_keys: tuple[str, ...] = ()
    #: keys whose values are replaced by a keyed hash (joinable, unreadable), same matching
    hash_keys: tuple[str, ...] = ()
    #: keys exempt from the two lists above (exact or glob, case-insensitive); values still scanned
    allow_keys: tuple[str, ...] = ()
    #: deny/hash words whose plural is *not* matched (``token``: ``input_tokens`` is a count)
    no_plural_keys: tuple[str, ...] = ()
    #: value rules, applied in order to every string value (and long integers)
    patterns: tuple[PatternRule, ...] = ()
    #: redact the value in ``password=...`` / ``"api_key": "..."`` inside text, for denied keys
    key_value_in_text: bool = True
    #: per-event attribute allowlists (log records with ``event.name``, span events by name)
    events: tuple[EventRule, ...] = ()
    #: keys every allowlisted event keeps (globs): error codes, exception details, code location
    events_common: tuple[str, ...] = ()
    #: container depth allowed in values: 1 = scalars, lists of scalars, flat dicts of scalars
    max_depth: int = 1
    #: container depth allowed in log bodies (structured bodies are usually a little deeper)
    max_body_depth: int = 4
    #: structured content inside JSON strings is redacted key by key (then re-serialized)
    parse_json_strings: bool = True
    #: keys that carry prompts/completions: replaced when content capture is off (globs)
    content_keys: tuple[str, ...] = ()
    #: events whose body is message content: replaced when content capture is off
    content_events: tuple[str, ...] = ()
    #: crash records: "redact" replaces the exception message by a marker, "scan" runs the rules on it
    crash_message: str = "redact"
    #: environment variable holding the key for keyed hashes (random per process when unset)
    hash_key_env: str = "AGENTEL_REDACTION_HASH_KEY"
    #: user callbacks, run on every scalar after the rules (see :data:`Callback`)
    callbacks: tuple[Callback, ...] = ()
    #: time budget per record (ms): a field not scanned by then becomes ``[REDACTED:budget]``
    record_budget_ms: float = 200.0
    #: where the policy came from (a path, "<default>", "<code>")
    source: str = field(default="<code>", compare=False)

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def default(cls) -> Policy:
        """The built-in policy (``default_policy.toml`` shipped with agentel)."""
        return _default_policy()

    @classmethod
    def empty(cls) -> Policy:
        """A policy with no rules at all (start here to build one entirely in code)."""
        return cls(source="<empty>")

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Policy:
        """Read a TOML/YAML policy file; errors name the file, the line and the reason."""
        data, locate = read_policy_file(path)
        return cls.from_mapping(data, source=os.fspath(path), locate=locate)

    @classmethod
    def from_mapping(
        cls,
        data: Mapping[str, Any],
        *,
        source: str = "<code>",
        locate: Locate = no_locate,
        base: Policy | None = None,
    ) -> Policy:
        """A policy from parsed file content (the schema is documented in docs/privacy.md)."""
        return _Builder(source, locate).build(data, base)

    def extend(
        self,
        *,
        deny_keys: Iterable[str] = (),
        hash_keys: Iterable[str] = (),
        allow_keys: Iterable[str] = (),
        patterns: Iterable[PatternRule] = (),
        events: Mapping[str, Sequence[str]] | None = None,
        callbacks: Iterable[Callback] = (),
        **changes: Any,
    ) -> Policy:
        """A copy with more keys, rules (a rule with an existing name replaces it), events, callbacks.

        Other fields (``max_depth``, ``key_value_in_text``…) can be given as keyword arguments.
        """
        rules = list(self.patterns)
        for new in patterns:
            rules = [r for r in rules if r.name != new.name] + [new]
        ev = {e.name: e for e in self.events}
        for name, keys in (events or {}).items():
            ev[name] = EventRule(name, tuple(keys))
        policy = dataclasses.replace(
            self,
            deny_keys=_merge(self.deny_keys, deny_keys),
            hash_keys=_merge(self.hash_keys, hash_keys),
            allow_keys=_merge(self.allow_keys, allow_keys),
            patterns=tuple(rules),
            events=tuple(ev.values()),
            callbacks=self.callbacks + tuple(callbacks),
            **changes,
        )
        policy.validate()
        return policy

    def enable(self, *names: str, enabled: bool = True) -> Policy:
        """A copy with the named rules switched on (e.g. the built-in ``ipv4``) or off."""
        known = {r.name for r in self.patterns}
        missing = [n for n in names if n not in known]
        if missing:
            raise PolicyError(
                self.source, None, f"no rule named {', '.join(missing)} (known: {', '.join(sorted(known))})"
            )
        rules = tuple(r.replace(enabled=enabled) if r.name in names else r for r in self.patterns)
        return dataclasses.replace(self, patterns=rules)

    def validate(self) -> None:
        """Raise :class:`PolicyError` when a rule or setting is unusable."""
        seen: set[str] = set()
        for rule in self.patterns:
            problem = check_rule(rule)
            if problem:
                raise PolicyError(self.source, None, problem)
            if rule.name in seen:
                raise PolicyError(self.source, None, f"two rules are named {rule.name!r}")
            seen.add(rule.name)
        if not (self.record_budget_ms >= 0):  # also rejects NaN
            raise PolicyError(self.source, None, "limits.record_budget_ms must be a number >= 0")
        if self.max_depth < 0 or self.max_body_depth < 0:
            raise PolicyError(self.source, None, "max_depth and max_body_depth must be 0 or more")
        if self.crash_message not in CRASH_MESSAGE_MODES:
            raise PolicyError(
                self.source,
                None,
                f"crash message {self.crash_message!r} (known: {', '.join(CRASH_MESSAGE_MODES)})",
            )

    # --- queries --------------------------------------------------------------------------

    @property
    def active_patterns(self) -> tuple[PatternRule, ...]:
        return tuple(r for r in self.patterns if r.enabled)

    def rule(self, name: str) -> PatternRule:
        """The value rule called ``name``."""
        for r in self.patterns:
            if r.name == name:
                return r
        raise KeyError(name)

    def event_allowlist(self, event_name: str) -> tuple[str, ...] | None:
        for e in self.events:
            if e.name == event_name:
                return e.allow
        return None

    def key_rule(self, key: str) -> str | None:
        """Which key rule fires for ``key`` (``denied_key``, ``hashed_key``) or None."""
        return key_matcher(self.deny_keys, self.hash_keys, self.allow_keys, self.no_plural_keys)(key)

    def metric_key_allowed(self, key: str) -> bool:
        """Metric views keep a key only when no key rule or content rule would touch it."""
        return self.key_rule(key) is None and not _glob_any(self.content_keys, key)


def _merge(old: Sequence[str], new: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*old, *new]))


# --- key matching (keys.py) ------------------------------------------------------------------

_glob_any = glob_any


# --- building from files ----------------------------------------------------------------------

_TOP = {
    "version",
    "extends",
    "keys",
    "text",
    "types",
    "content",
    "events",
    "events_common",
    "crash",
    "patterns",
    "limits",
}
_RULE_FIELDS = {f.name for f in dataclasses.fields(PatternRule)} - {"name"}


class _Builder:
    def __init__(self, source: str, locate: Locate) -> None:
        self.source = source
        self.locate = locate

    def fail(self, path: tuple[Any, ...], reason: str) -> PolicyError:
        return PolicyError(self.source, self.locate(path), reason)

    def table(self, data: Mapping[str, Any], path: tuple[Any, ...], known: set[str]) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            raise self.fail(
                path, f"[{'.'.join(map(str, path))}] must be a table/mapping, got {type(data).__name__}"
            )
        for key in data:
            if key not in known:
                where = f"[{'.'.join(map(str, path))}]" if path else "the top level"
                raise self.fail(
                    (*path, key), f"unknown key {key!r} in {where} (known: {', '.join(sorted(known))})"
                )
        return data

    def strings(self, value: Any, path: tuple[Any, ...]) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(
                path, f"{'.'.join(map(str, path))} must be a list of strings, got {type(value).__name__}"
            )
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item:
                raise self.fail(
                    (*path, i), f"{'.'.join(map(str, path))}[{i}] must be a non-empty string, got {item!r}"
                )
        return tuple(value)

    def boolean(self, value: Any, path: tuple[Any, ...]) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, f"{'.'.join(map(str, path))} must be true or false, got {value!r}")
        return value

    def integer(self, value: Any, path: tuple[Any, ...]) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.fail(path, f"{'.'.join(map(str, path))} must be a whole number >= 0, got {value!r}")
        return value

    def build(self, data: Mapping[str, Any], base: Policy | None) -> Policy:
        self.table(data, (), _TOP)
        version = data.get("version", 1)
        if version != 1:
            raise self.fail(
                ("version",), f"unsupported policy version {version!r} (this agentel reads version 1)"
            )
        extends = data.get("extends")
        if extends == "default":
            base = Policy.default()
        elif extends == "none":
            base = Policy.empty()
        elif extends is not None:
            raise self.fail(("extends",), f"extends = {extends!r} (known: 'default', 'none')")
        elif base is None:
            base = Policy.default()
        changes: dict[str, Any] = {"source": self.source}

        keys = self.table(data.get("keys", {}), ("keys",), {"deny", "hash", "allow", "remove", "no_plural"})
        removed = set(map(normalize_key, self.strings(keys.get("remove", []), ("keys", "remove"))))
        deny = [k for k in base.deny_keys if normalize_key(k) not in removed]
        hashed = [k for k in base.hash_keys if normalize_key(k) not in removed]
        changes["deny_keys"] = _merge(deny, self.strings(keys.get("deny", []), ("keys", "deny")))
        changes["hash_keys"] = _merge(hashed, self.strings(keys.get("hash", []), ("keys", "hash")))
        changes["allow_keys"] = _merge(
            base.allow_keys, self.strings(keys.get("allow", []), ("keys", "allow"))
        )

        changes["no_plural_keys"] = _merge(
            base.no_plural_keys, self.strings(keys.get("no_plural", []), ("keys", "no_plural"))
        )
        limits = self.table(data.get("limits", {}), ("limits",), {"record_budget_ms"})
        if "record_budget_ms" in limits:
            budget = limits["record_budget_ms"]
            if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not budget >= 0:
                raise self.fail(
                    ("limits", "record_budget_ms"),
                    f"limits.record_budget_ms must be a number of milliseconds >= 0, got {budget!r}",
                )
            changes["record_budget_ms"] = float(budget)

        text = self.table(data.get("text", {}), ("text",), {"key_value"})
        if "key_value" in text:
            changes["key_value_in_text"] = self.boolean(text["key_value"], ("text", "key_value"))

        types = self.table(
            data.get("types", {}), ("types",), {"max_depth", "max_body_depth", "parse_json_strings"}
        )
        for name in ("max_depth", "max_body_depth"):
            if name in types:
                changes[name] = self.integer(types[name], ("types", name))
        if "parse_json_strings" in types:
            changes["parse_json_strings"] = self.boolean(
                types["parse_json_strings"], ("types", "parse_json_strings")
            )

        content = self.table(data.get("content", {}), ("content",), {"keys", "events"})
        changes["content_keys"] = _merge(
            base.content_keys, self.strings(content.get("keys", []), ("content", "keys"))
        )
        changes["content_events"] = _merge(
            base.content_events, self.strings(content.get("events", []), ("content", "events"))
        )

        common = self.table(data.get("events_common", {}), ("events_common",), {"allow"})
        changes["events_common"] = _merge(
            base.events_common, self.strings(common.get("allow", []), ("events_common", "allow"))
        )
        events = {e.name: e for e in base.events}
        ev_data = data.get("events", {})
        if not isinstance(ev_data, Mapping):
            raise self.fail(("events",), "[events] must be a table of event names")
        for name, spec in ev_data.items():
            self.table(spec, ("events", name), {"allow"})
            if "allow" not in spec:
                raise self.fail(
                    ("events", name), f"[events.{name!r}] needs allow = [...] (the keys it may carry)"
                )
            events[name] = EventRule(name, self.strings(spec["allow"], ("events", name, "allow")))
        changes["events"] = tuple(events.values())

        crash = self.table(data.get("crash", {}), ("crash",), {"message"})
        if "message" in crash:
            if crash["message"] not in CRASH_MESSAGE_MODES:
                raise self.fail(
                    ("crash", "message"),
                    f"crash.message = {crash['message']!r} (known: {', '.join(CRASH_MESSAGE_MODES)})",
                )
            changes["crash_message"] = crash["message"]

        changes["patterns"] = self.patterns(data.get("patterns", {}), base)
        policy = dataclasses.replace(base, **changes)
        try:
            policy.validate()
        except PolicyError as exc:
            raise self.fail(("patterns",), exc.reason) from None
        return policy

    def patterns(self, data: Any, base: Policy) -> tuple[PatternRule, ...]:
        if not isinstance(data, Mapping):
            raise self.fail(
                ("patterns",), "[patterns] must be a table of rules: [patterns.<name>] regex = '...'"
            )
        rules = {r.name: r for r in base.patterns}
        for name, spec in data.items():
            path = ("patterns", name)
            self.table(spec, path, _RULE_FIELDS)
            for key in ("regex", "collector_regex", "description", "action"):
                if key in spec and not isinstance(spec[key], str):
                    raise self.fail(
                        (*path, key), f"patterns.{name}.{key} must be a string, got {spec[key]!r}"
                    )
            for key in ("enabled", "ignore_case"):
                if key in spec:
                    self.boolean(spec[key], (*path, key))
            if "requires_count" in spec:
                self.integer(spec["requires_count"], (*path, "requires_count"))
            if "requires_chars" in spec and not isinstance(spec["requires_chars"], str):
                raise self.fail((*path, "requires_chars"), f"patterns.{name}.requires_chars must be a string")
            for key in ("triggers", "samples"):
                if key in spec:
                    self.strings(spec[key], (*path, key))
            if "validator" in spec and not isinstance(spec["validator"], str):
                raise self.fail((*path, "validator"), "validator must be the name of a registered validator")
            inherited = rules.get(name)
            if inherited is None and "regex" not in spec:
                raise self.fail(path, f"[patterns.{name}] is a new rule and needs regex = '...'")
            rule = rule_from_mapping(name, spec, inherited)
            problem = check_rule(rule)
            if problem:
                key = "regex" if "regex" in problem else ("action" if "action" in problem else "validator")
                raise self.fail((*path, key) if key in spec else path, problem)
            for i, sample in enumerate(rule.samples):
                if rule.enabled and not _redacts(rule, sample):
                    raise self.fail(
                        (*path, "samples", i), f"rule {name!r} does not redact its own sample #{i + 1}"
                    )
            rules[name] = rule
        return tuple(rules.values())


def _redacts(rule: PatternRule, sample: str) -> bool:
    from agentel.redaction.rules import CompiledRule, Hasher

    compiled = CompiledRule(rule, Hasher(b"sample-check"))
    return compiled.sub(sample) != sample


@lru_cache(maxsize=1)
def _default_policy() -> Policy:
    from importlib import resources

    text = resources.files("agentel.redaction").joinpath("default_policy.toml").read_text(encoding="utf-8")
    data, locate = parse_policy_text(text, "<default policy>")
    return _Builder("<default>", locate).build(data, Policy.empty())


def load_policy(spec: Policy | str | os.PathLike[str] | None) -> Policy:
    """The policy a setting names: None → default, a path → that file, a Policy → itself."""
    if spec is None or spec == "":
        return Policy.default()
    if isinstance(spec, Policy):
        spec.validate()
        return spec
    return Policy.load(spec)
