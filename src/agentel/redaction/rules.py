"""Value rules: a named regex with an action, an optional validator and cheap literal triggers.

A rule is data (:class:`PatternRule`); :class:`CompiledRule` is what the redactor runs. Speed comes
from not running most regexes at all: each rule carries literal *triggers* (``"sk-"``, ``"@"``…)
checked with ``in`` (a C-level scan) before its regex, and a minimum match length. Triggers are
derived from the regex when not given, so user rules get the same fast path.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

try:  # Python 3.11+: the parser behind ``re``; 3.10: the (then public) sre_parse
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - python 3.10
    import sre_parse as _sre_parse  # type: ignore[no-redef]

ACTIONS = ("mask", "hash")
MARKER_PREFIX = "[REDACTED:"


def marker(rule: str, digest: str | None = None) -> str:
    """The text that replaces a redacted value: ``[REDACTED:<rule>]`` or ``[REDACTED:<rule>#<hash>]``."""
    return f"{MARKER_PREFIX}{rule}#{digest}]" if digest else f"{MARKER_PREFIX}{rule}]"


def luhn(text: str) -> bool:
    """True when the digits in ``text`` pass the Luhn checksum (credit-card numbers do)."""
    digits = [ord(c) - 48 for c in text if "0" <= c <= "9"]
    if len(digits) < 12:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


_GROUP = re.compile(r"\d+")
_ESCAPE = re.compile(r"\\[ntr]")


def blank_escapes(text: str) -> str:
    """``text`` with literal escape sequences (backslash-n, -t, -r) as two spaces: same length."""
    return _ESCAPE.sub("  ", text) if "\\" in text else text


def luhn_spans(text: str) -> list[tuple[int, int]]:
    """Card numbers inside a digit run that failed Luhn as a whole (``"5 4111 1111 1111 1111"``).

    Windows are aligned on the run's digit groups (split at spaces and dashes): a number glued to
    other digits is never split, so a long numeric id is not mistaken for a card.
    """
    groups = [(m.start(), m.end()) for m in _GROUP.finditer(text)]
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(groups):
        best = None
        for j in range(len(groups) - 1, i - 1, -1):
            start, end = groups[i][0], groups[j][1]
            candidate = text[start:end]
            digits = sum(e - s for s, e in groups[i : j + 1])
            if 13 <= digits <= 19 and candidate[0] in "23456" and luhn(candidate):
                best = (start, end, j)
                break
        if best is None:
            i += 1
            continue
        found.append((best[0], best[1]))
        i = best[2] + 1
    return found


_BASES = frozenset("ACGTNacgtn")


def dna(text: str) -> bool:
    """True when ``text`` (a run of base letters, maybe split by spaces, newlines, line numbers)
    holds at least 20 bases and looks like a sequence rather than words.

    An unbroken upper-case run is a sequence as it stands; any other form (lower or mixed case,
    wrapped, spaced) needs at least three of A, C, G and T, which English words made only of those
    letters ("a cat can tag") practically never reach over 20 letters.
    """
    bases = [c for c in text if c in _BASES]
    if len(bases) < 20:
        return False
    if len(bases) == len(text) and text.isupper():
        return True
    return len({c.upper() for c in bases} & {"A", "C", "G", "T"}) >= 3


#: Validators a policy file can name (``validator = "luhn"``); code may register more.
VALIDATORS: dict[str, Callable[[str], bool]] = {"luhn": luhn, "dna": dna}
#: For a validator: where valid matches hide inside a match it rejected as a whole.
SALVAGE: dict[Callable[[str], bool], Callable[[str], list[tuple[int, int]]]] = {luhn: luhn_spans}


def register_validator(name: str, fn: Callable[[str], bool]) -> None:
    """Make ``fn`` usable as ``validator = "<name>"`` in policy files."""
    VALIDATORS[name] = fn


@dataclass(frozen=True)
class PatternRule:
    """A value rule: text matching ``regex`` is replaced by a marker naming the rule (or a keyed hash).

    ``validator`` (a name from :data:`VALIDATORS` or a callable) confirms a match before it is
    redacted (the Luhn check for card numbers). ``triggers`` are literals one of which must occur
    for the regex to be tried (derived from the regex when None). ``collector_regex`` is the RE2
    form rendered into the collector config when ``regex`` uses what RE2 lacks (lookarounds).
    ``samples`` are texts the rule must redact: tests and ``agentel policy check`` use them.
    """

    name: str
    regex: str
    action: str = "mask"
    validator: str | Callable[[str], bool] | None = None
    triggers: tuple[str, ...] | None = None
    collector_regex: str | None = None
    ignore_case: bool = False
    enabled: bool = True
    description: str = ""
    samples: tuple[str, ...] = ()
    #: a cheap prefilter: the text must contain at least ``requires_count`` characters out of
    #: ``requires_chars`` (ASCII) for the regex to be tried (13 digits for a card number)
    requires_chars: str = ""
    requires_count: int = 0

    def replace(self, **changes: Any) -> PatternRule:
        """A copy with some fields changed."""
        from dataclasses import replace

        return replace(self, **changes)


_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def check_rule(rule: PatternRule) -> str | None:
    """Why ``rule`` is unusable (a sentence), or None when it is fine."""
    if not _NAME.match(rule.name):
        return f"rule name {rule.name!r}: use lowercase letters, digits and '_' (it appears in markers)"
    if rule.action not in ACTIONS:
        return f"rule {rule.name!r}: action {rule.action!r} (known: {', '.join(ACTIONS)})"
    if isinstance(rule.validator, str) and rule.validator not in VALIDATORS:
        return f"rule {rule.name!r}: unknown validator {rule.validator!r} (known: {', '.join(sorted(VALIDATORS))})"
    try:
        compiled = re.compile(rule.regex, re.IGNORECASE if rule.ignore_case else 0)
    except re.error as exc:
        return f"rule {rule.name!r}: invalid regex {rule.regex!r}: {exc}"
    if compiled.search("") is not None:
        return (
            f"rule {rule.name!r}: regex {rule.regex!r} matches the empty string (it would redact everything)"
        )
    if rule.requires_chars and not rule.requires_chars.isascii():
        return f"rule {rule.name!r}: requires_chars must be ASCII characters"
    if rule.triggers is not None and any(not t for t in rule.triggers):
        return f"rule {rule.name!r}: empty trigger (triggers are literals, one of which must occur)"
    return None


# --- trigger and width derivation -------------------------------------------------------------


_MAX_ALTERNATIVES = 16


def _lead(items: Any) -> tuple[list[str], bool]:
    """Alternatives for the literal text a pattern sequence starts with, and whether that is all of it."""
    prefixes = [""]
    for op, arg in items:
        name = str(op)
        if name == "AT":  # anchors, \b: zero width
            continue
        if name == "LITERAL":
            options = [chr(arg)]
            complete = True
        elif name == "IN" and arg and all(str(o) == "LITERAL" for o, _ in arg) and len(arg) <= 8:
            options = [chr(a) for _, a in arg]
            complete = True
        elif name == "BRANCH":
            subs = [_lead(b) for b in arg[1]]
            options = [alt for alts, _ in subs for alt in alts]
            complete = all(c for _, c in subs) and all(alts != [""] for alts, _ in subs)
        elif name == "SUBPATTERN":
            options, complete = _lead(arg[-1])
        else:
            return prefixes, False
        extended = [p + o for p in prefixes for o in options]
        if len(extended) > _MAX_ALTERNATIVES:
            return prefixes, False
        prefixes = extended
        if not complete:
            return prefixes, False
    return prefixes, True


def _has_ignorecase(parsed: Any) -> bool:
    if parsed.state.flags & re.IGNORECASE:
        return True
    stack = [list(parsed)]
    while stack:
        for op, arg in stack.pop():
            name = str(op)
            if name == "SUBPATTERN":
                if arg[1] & re.IGNORECASE:
                    return True
                stack.append(list(arg[-1]))
            elif name == "BRANCH":
                stack.extend(list(b) for b in arg[1])
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                stack.append(list(arg[2]))
    return False


def derive_triggers(regex: str, flags: int = 0) -> tuple[tuple[str, ...] | None, bool]:
    """Literals one of which every match must contain, and whether to look for them case-blind.

    Returns ``(None, False)`` when the regex has no usable literal (the rule then always runs).
    Only top-level mandatory literal runs count (alternatives of a group are expanded, up to 16).
    """
    try:
        parsed = _sre_parse.parse(regex, flags)
    except Exception:  # noqa: BLE001 - any parser trouble means "no trigger"
        return None, False
    fold = _has_ignorecase(parsed)
    items = list(parsed)
    best: list[str] = []
    for i in range(len(items)):
        alts, _ = _lead(items[i:])
        if not alts or min(len(a) for a in alts) < 2:
            continue
        score = (min(len(a) for a in alts), -len(alts))
        if not best or score > (min(len(a) for a in best), -len(best)):
            best = alts
    if not best:
        return None, False
    uniq = tuple(dict.fromkeys(a.lower() if fold else a for a in best))
    return uniq, fold


def min_width(regex: str, flags: int = 0) -> int:
    """The shortest text the regex can match (strings shorter than this skip the rule)."""
    try:
        return int(_sre_parse.parse(regex, flags).getwidth()[0])
    except Exception:  # noqa: BLE001
        return 0


# --- compiled rules ---------------------------------------------------------------------------


class RuleFailure(Exception):
    """A rule's validator or a user callback raised; the record it was working on is dropped."""

    def __init__(self, rule: str, exc: BaseException) -> None:
        # the original message may quote the value being redacted: never carry it in our text
        super().__init__(f"redaction rule {rule!r} failed with {type(exc).__name__}")
        self.rule = rule


@dataclass
class Hasher:
    """Keyed hashes for markers: equal values stay joinable, unreadable without the key."""

    key: bytes
    length: int = 12

    def digest(self, rule: str, value: str) -> str:
        msg = rule.encode() + b"\0" + value.encode("utf-8", "surrogatepass")
        return hmac.new(self.key, msg, hashlib.sha256).hexdigest()[: self.length]


@dataclass
class CompiledRule:
    """A :class:`PatternRule` ready to run."""

    rule: PatternRule
    hasher: Hasher
    regex: re.Pattern[str] = field(init=False)
    triggers: tuple[str, ...] | None = field(init=False)
    fold_triggers: bool = field(init=False)
    width: int = field(init=False)
    validator: Callable[[str], bool] | None = field(init=False)
    mask: str = field(init=False)
    count_gate: tuple[bytes, int] | None = field(init=False)

    def __post_init__(self) -> None:
        r = self.rule
        flags = re.IGNORECASE if r.ignore_case else 0
        self.regex = re.compile(r.regex, flags)
        if r.triggers is not None:
            self.triggers = tuple(t.lower() for t in r.triggers) if r.ignore_case else r.triggers
            self.fold_triggers = r.ignore_case
        else:
            self.triggers, self.fold_triggers = derive_triggers(r.regex, flags)
        self.width = min_width(r.regex, flags)
        v = r.validator
        self.validator = VALIDATORS[v] if isinstance(v, str) else v
        self.mask = marker(r.name)
        self.count_gate = (
            (r.requires_chars.encode(), r.requires_count) if r.requires_chars and r.requires_count else None
        )

    @property
    def name(self) -> str:
        return self.rule.name

    def sub(self, text: str, view: str | None = None) -> str:
        """``text`` with every confirmed match replaced by this rule's marker.

        ``view`` is the same text with escape sequences (a literal backslash-n) blanked to spaces,
        same length: matches are found in the view (so ``\\b`` sees the boundary an escape
        stands for) and replaced in the text.
        """
        if view is not None and view is not text:
            out, last = [], 0
            for m in self.regex.finditer(view):
                start, end = m.span()
                out.append(text[last:start])
                out.append(self._replacement(text[start:end]))
                last = end
            out.append(text[last:])
            return "".join(out)
        if self.validator is None and self.rule.action == "mask":
            return self.regex.sub(self.mask, text)
        return self.regex.sub(self._replace, text)

    def _replace(self, m: re.Match[str]) -> str:
        return self._replacement(m.group(0))

    def _replacement(self, found: str) -> str:
        if self.validator is not None:
            try:
                ok = self.validator(found)
                if not ok:
                    salvage = SALVAGE.get(self.validator)
                    spans = salvage(found) if salvage is not None else []
            except Exception as exc:
                raise RuleFailure(self.rule.name, exc) from exc
            if not ok:
                if not spans:
                    return found
                out, last = [], 0
                for start, end in spans:
                    out.append(found[last:start])
                    out.append(self._marker_for(found[start:end]))
                    last = end
                out.append(found[last:])
                return "".join(out)
        return self._marker_for(found)

    def _marker_for(self, found: str) -> str:
        if self.rule.action == "hash":
            return marker(self.rule.name, self.hasher.digest(self.rule.name, found))
        return self.mask


def rule_from_mapping(name: str, data: Mapping[str, Any], base: PatternRule | None) -> PatternRule:
    """A rule from a policy file table, on top of ``base`` (the inherited rule of that name)."""
    fields: dict[str, Any] = {}
    for key, value in data.items():
        if key in ("triggers", "samples"):
            fields[key] = tuple(value)
        else:
            fields[key] = value
    if base is not None:
        return base.replace(**fields)
    return PatternRule(name=name, **fields)
