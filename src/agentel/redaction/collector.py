"""Render a policy into the OpenTelemetry Collector's ``redaction`` processor config.

The collector applies the same rules a second time (for data from programs that do not run
agentel's SDK, and as a second line). Its processor is simpler than the SDK's, so the rendering
is a *superset* where it must differ: key patterns are case-blind and also catch camelCase and
kebab-case spellings, card numbers are masked without the Luhn check, and matches are masked with
``****`` instead of agentel's markers. What it cannot express (per-event allowlists, the type
allowlist, JSON-aware redaction) is listed in a comment of the output.

The output is a config file to pass after the main one (``--config otelcol.yaml --config
redaction.yaml``): later files win, so it replaces the ``redaction`` processor's settings.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from agentel.redaction.keys import SUFFIX_WORDS
from agentel.redaction.policy import Policy, normalize_key
from agentel.redaction.rules import PatternRule

_NOT_RE2 = re.compile(r"\(\?<?[=!]|\(\?>|\(\?P=|\\[1-9]|[*+?}]\+")


def re2_problem(regex: str) -> str | None:
    """Why ``regex`` would not compile in RE2 (Go), or None. A syntax check, not a proof."""
    m = _NOT_RE2.search(regex)
    if m is None:
        return None
    what = m.group(0)
    if what.startswith("(?<") or what.startswith("(?=") or what.startswith("(?!"):
        return f"uses a lookaround {what!r}"
    if what.startswith("(?>"):
        return "uses an atomic group"
    if what.startswith("(?P=") or what.startswith("\\"):
        return f"uses a backreference {what!r}"
    return f"uses a possessive quantifier {what!r}"


def collector_regex(rule: PatternRule) -> str | None:
    """The RE2 regex the collector gets for ``rule`` (None when it cannot have one)."""
    regex = rule.collector_regex or rule.regex
    if re2_problem(regex) is not None:
        return None
    if rule.ignore_case and not regex.startswith("(?i)"):
        regex = "(?i)" + regex
    return regex


def _flex(word: str) -> str:
    """A normalized deny word as RE2 text: ``_`` may be written ``_``, ``-`` or a space."""
    return "[_ -]".join(re.escape(part) for part in word.split("_"))


def key_patterns(words: Sequence[str], no_plural: Sequence[str] = ()) -> list[str]:
    """RE2 patterns blocking every key the SDK's deny-list matching catches (and a little more):
    any case, ``_``/``-``/space or nothing between a word's parts, a part separator (``. / : [ ]``
    or a word break) before it, plurals (except ``no_plural``), trailing suffix words
    (``_hash``, ``_address``…), and words of five letters or more glued to what precedes them."""
    norm = sorted({normalize_key(w).replace(".", "_") for w in words if w}, key=lambda w: (-len(w), w))
    if not norm:
        return []
    singular = {"".join(p for p in normalize_key(w).split("_") if p) for w in no_plural}

    def form(w: str) -> str:
        plural = "" if w.replace("_", "") in singular else "(?:e?s)?"
        return _flex(w).replace("[_ -]", "[_ -]?") + plural

    tail = r"(?:[_ .:/\[\]-]*(?:" + "|".join(sorted(SUFFIX_WORDS)) + r"))*[_ .\]-]*$"
    bounded = "|".join(form(w) for w in norm)
    glued = "|".join(form(w) for w in norm if len(w.replace("_", "")) >= 5)
    camel = []
    for w in norm:
        parts = [p for p in w.split("_") if p]
        if not parts:
            continue
        first, rest = parts[0], "_".join(parts)[1:]
        camel.append(re.escape(first[0].upper()) + "(?i:" + _flex(rest).replace("[_ -]", "[_ -]?") + ")")
    out = [
        r"(?i)(?:^|[./ _:\[\]-])(?:" + bounded + ")" + tail,
        r"[a-z0-9](?:" + "|".join(camel) + r")(?i:(?:e?s)?)" + tail,
    ]
    if glued:
        out.append(r"(?i)(?:" + glued + ")" + tail)
    return out


def glob_patterns(globs: Sequence[str]) -> list[str]:
    """Key globs (``gen_ai.prompt.*``) as anchored case-blind RE2 patterns."""
    out = []
    for g in globs:
        rx = fnmatch.translate(g)  # '(?s:...)\\Z' in Python's dialect
        rx = rx.replace("\\Z", "$")
        out.append("(?i)^" + rx)
    return out


def key_value_pattern(policy: Policy) -> str | None:
    """``password = value`` inside text, masked whole (key included) by the collector."""
    if not policy.key_value_in_text:
        return None
    words = sorted(
        {normalize_key(w) for w in (*policy.deny_keys, *policy.hash_keys)}, key=lambda w: (-len(w), w)
    )
    if not words:
        return None
    alt = "|".join(re.escape(w).replace("_", "[_-]?") for w in words)
    return (
        r"(?i)(?:[A-Za-z0-9]+[_.\-])*(?:" + alt + r")\\?[\"']?\s{0,3}[:=]\s{0,3}"
        r"(?:\\?\"[^\"\n]{0,512}\"|\\?'[^'\n]{0,512}'|(?:(?:bearer|basic|token)\s+)?[^\s\"',;&}\])]+)"
    )


@dataclass
class Rendered:
    """The collector processor config for a policy, plus what could not be rendered."""

    processor: dict[str, Any]
    rule_patterns: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    not_covered: list[str] = field(default_factory=list)


def render(policy: Policy, *, capture_content: bool = False) -> Rendered:
    """The ``redaction`` processor settings equivalent (or stricter) to ``policy``."""
    blocked_keys = key_patterns([*policy.deny_keys, *policy.hash_keys], policy.no_plural_keys)
    if not capture_content:
        blocked_keys += glob_patterns(policy.content_keys)
    values: list[str] = []
    rule_patterns: dict[str, str] = {}
    skipped: dict[str, str] = {}
    for rule in policy.active_patterns:
        rx = collector_regex(rule)
        if rx is None:
            skipped[rule.name] = (
                f"{re2_problem(rule.collector_regex or rule.regex)}; give the rule a collector_regex in RE2 syntax"
            )
            continue
        rule_patterns[rule.name] = rx
        values.append(rx)
    kv = key_value_pattern(policy)
    if kv:
        rule_patterns["key_value"] = kv
        values.append(kv)
    processor: dict[str, Any] = {"allow_all_keys": True}
    if blocked_keys:
        processor["blocked_key_patterns"] = blocked_keys
    if values:
        processor["blocked_values"] = values
    processor["redact_all_types"] = True
    processor["summary"] = "silent"
    not_covered = [
        "per-event key allowlists ([events.*]) - the collector has one global allowlist",
        "the type allowlist (bytes, arrays, deep structures) and max_depth",
        "JSON-aware redaction of keys inside JSON text",
        "validators (the Luhn check): digit runs shaped like card numbers are masked regardless",
        "user callbacks",
        "markers and keyed hashes: the collector masks with ****",
    ]
    if policy.allow_keys:
        not_covered.append("keys.allow exemptions: those keys are masked by the collector")
    return Rendered(processor, rule_patterns, skipped, not_covered)


def render_yaml(
    policy: Policy, *, name: str = "redaction", capture_content: bool = False, full_config: bool = True
) -> str:
    """The rendered config as YAML text, with a header saying where it came from."""
    import yaml

    result = render(policy, capture_content=capture_content)
    doc: dict[str, Any] = (
        {"processors": {name: result.processor}} if full_config else {name: result.processor}
    )
    lines = [
        f"# Rendered by `agentel policy render-collector` from {policy.source}; re-render, do not edit.",
        "# The SDK's redacting processors apply this policy first; the collector applies it again.",
        "# Use after the main config: agentel-otelcol --config otelcol.yaml --config <this file>",
        f"# content capture: {'on (content keys scanned, not blocked)' if capture_content else 'off (content keys blocked)'}",
        "# Rules -> blocked_values:",
    ]
    lines += [f"#   {rule}: {rx}" for rule, rx in result.rule_patterns.items()]
    for rule, why in result.skipped.items():
        lines.append(f"# NOT RENDERED: rule {rule}: {why}")
    lines.append("# Applied by the SDK only:")
    lines += [f"#   - {item}" for item in result.not_covered]
    body = yaml.safe_dump(doc, sort_keys=False, width=1_000_000, allow_unicode=True)
    return "\n".join(lines) + "\n" + body
