"""The built-in checks. Each judges one thing about one call and says why in its explanation.

Content checks are skipped (no result) when the answer is unknown — content not captured — or
the call failed with an API error (the error is already on the span; failing ``non_empty`` too
would count it twice). Bounds default to the alert thresholds (docs/alerts.md) so a call that
fails a check is the kind of call that moves an alert.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from agentel._internal import state
from agentel.evals.checks import register_check
from agentel.evals.model import Call, CheckResult, verdict

# Refusals lead the answer; scanning the opening keeps an answer that *discusses* refusals clean.
_REFUSAL_SCAN_CHARS = 400
_REFUSALS = re.compile(
    r"|".join(
        (
            r"\bI(?:'m| am) (?:sorry|afraid)\b[^.!?\n]{0,60}\b(?:can(?:no|')t|cannot|unable|won't|will not|not able)\b",
            r"\bI (?:can(?:no|')t|cannot|won't|will not|am unable to|'m unable to|am not able to|'m not able to)"
            r" (?:help|assist|comply|provide|do that|fulfil|fulfill|answer|create|generate|share|support|engage)",
            r"\bas an ai(?: language model| assistant)?\b[^.!?\n]{0,80}\b(?:can(?:no|')t|cannot|don't|do not|unable)\b",
            r"\bI (?:must|have to) (?:decline|refuse)\b",
            r"\bI'?m not (?:allowed|permitted) to\b",
            r"\bthat(?:'s| is) not something I can (?:help|assist)\b",
        )
    ),
    re.IGNORECASE,
)
_FENCE = re.compile(r"^\s*```(?:json|JSON)?\s*\n(.*?)\n?```\s*$", re.DOTALL)
_WORD = re.compile(r"\w+", re.UNICODE)
_WITHHELD = "[REDACTED:content]"
_MARKER = re.compile(r"\[REDACTED:([a-z0-9_]+)")
# Beyond the redaction policy's patterns: personal data a policy keeps (it is not a secret) but
# an answer should rarely contain.
_EXTRA_PII = {
    "phone_number": re.compile(r"(?<![\w+])\+?\d{1,3}[ .\-]?\(?\d{2,4}\)?[ .\-]\d{3,4}[ .\-]\d{3,4}(?!\w)"),
    "us_ssn": re.compile(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)"),
}


def _answer(call: Call) -> str | None:
    """The answer to judge; None when unknown (not captured, withheld by the capture switch) or
    when the call failed."""
    if call.failed or call.response is None or call.response.startswith(_WITHHELD):
        return None
    return call.response


def non_empty(call: Call) -> CheckResult | None:
    """The answer has visible text."""
    text = _answer(call)
    if text is None:
        return None
    ok = bool(text.strip())
    return verdict("non_empty", ok, "" if ok else "the answer is empty or whitespace only")


def refusal(call: Call) -> CheckResult | None:
    """No refusal: the model did not decline to answer (phrases, or a content-filter finish)."""
    if "content_filter" in call.finish_reasons:
        return verdict("refusal", False, "the provider stopped the answer with a content filter")
    text = _answer(call)
    if text is None:
        return None
    head = text[:_REFUSAL_SCAN_CHARS].replace("\u2019", "'")
    m = _REFUSALS.search(head)
    if m:
        return verdict("refusal", False, f"refusal detected: {m.group(0)!r}")
    return verdict("refusal", True)


def length(call: Call, min_chars: int = 1, max_chars: int = 20_000) -> CheckResult | None:
    """The answer's length is within bounds (characters)."""
    text = _answer(call)
    if text is None:
        return None
    n = len(text.strip())
    if n < min_chars:
        return verdict("length", False, f"{n} characters, fewer than {min_chars}")
    if n > max_chars:
        return verdict("length", False, f"{n} characters, more than {max_chars}")
    return verdict("length", True, f"{n} characters")


def json_valid(call: Call, required_keys: Sequence[str] = ()) -> CheckResult | None:
    """The answer is valid JSON (a ```json fence is allowed), with the required keys if any.

    Runs by default only on calls that asked for JSON; name it to run it on any call.
    """
    text = _answer(call)
    if text is None:
        return None
    body = text.strip()
    m = _FENCE.match(body)
    if m:
        body = m.group(1).strip()
    try:
        data = json.loads(body)
    except ValueError as exc:
        return verdict("json_valid", False, f"not valid JSON: {exc}")
    if required_keys:
        if not isinstance(data, Mapping):
            return verdict("json_valid", False, f"JSON {type(data).__name__}, expected an object with keys")
        missing = [k for k in required_keys if k not in data]
        if missing:
            return verdict("json_valid", False, f"JSON object lacks key(s) {', '.join(missing)}")
    return verdict("json_valid", True)


def _json_applies(call: Call, explicit: bool) -> bool:
    return explicit or call.expects_json


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def contains_reference(call: Call, min_recall: float = 1.0) -> CheckResult | None:
    """The answer contains the reference answer (case and punctuation ignored).

    When it does not, the score is the share of the reference's words found in the answer, so a
    near miss scores higher than a wrong answer; it passes at ``min_recall``.
    """
    text = _answer(call)
    ref = call.reference_answer
    if text is None or not ref or not ref.strip():
        return None
    a, r = _norm(text), _norm(ref)
    if r and (f" {r} " in f" {a} "):
        return verdict("contains_reference", True, "the reference answer appears in the answer")
    words = r.split()
    have = set(a.split())
    recall = sum(w in have for w in words) / len(words) if words else 0.0
    ok = recall >= min_recall
    return verdict(
        "contains_reference",
        ok,
        f"{recall:.0%} of the reference answer's words are in the answer",
        score=round(recall, 4),
    )


@lru_cache(maxsize=4)
def _redactor(policy_key: Any) -> Any:
    from agentel.redaction import Redactor, load_policy

    return Redactor(load_policy(policy_key))


def _policy_redactor() -> Any:
    spec = state.settings_or_env().redaction_policy  # configured, else AGENTEL_REDACTION_POLICY
    return _redactor(spec or None)


def no_pii(call: Call, extra: bool = True) -> CheckResult | None:
    """No personal data or secrets in the answer: the redaction policy's patterns (emails, card
    numbers, API keys, DNA…) plus phone numbers and US SSNs; an answer stored already redacted
    fails too (its markers say what was removed)."""
    text = _answer(call)
    if text is None:
        return None
    found = set(_MARKER.findall(text))
    redacted = _policy_redactor().redact_text(text)
    if redacted != text:
        found.update(_MARKER.findall(redacted))
    if extra:
        found.update(name for name, rx in _EXTRA_PII.items() if rx.search(text))
    if found:
        return verdict("no_pii", False, "found: " + ", ".join(sorted(found)))
    return verdict("no_pii", True)


def forbidden_content(
    call: Call, terms: Sequence[str] = (), patterns: Sequence[str] = ()
) -> CheckResult | None:
    """None of the configured forbidden terms (whole words, any case) or regexes in the answer.

    Has nothing to check until terms or patterns are given (``--param forbidden_content.terms=a,b``).
    """
    text = _answer(call)
    if text is None or not (terms or patterns):
        return None
    if isinstance(terms, str):
        terms = [t for t in terms.split(",") if t.strip()]
    if isinstance(patterns, str):
        patterns = [patterns]
    hits = [t for t in terms if re.search(rf"(?<!\w){re.escape(t.strip())}(?!\w)", text, re.IGNORECASE)]
    hits += [p for p in patterns if re.search(p, text)]
    if hits:
        return verdict("forbidden_content", False, "forbidden: " + ", ".join(repr(h) for h in hits))
    return verdict("forbidden_content", True)


def latency(call: Call, max_s: float = 30.0) -> CheckResult | None:
    """The call took at most ``max_s`` seconds."""
    if call.latency_s is None:
        return None
    ok = call.latency_s <= max_s
    return verdict("latency", ok, f"{call.latency_s:.2f}s ({'within' if ok else 'over'} {max_s:g}s)")


def tokens(
    call: Call,
    max_input: int | None = 4096,
    max_output: int | None = 4096,
    max_total: int | None = 8192,
) -> CheckResult | None:
    """Token usage within bounds (input, output, total); skipped when usage is unknown."""
    if call.input_tokens is None and call.output_tokens is None:
        return None
    over = []
    for label, value, bound in (
        ("input", call.input_tokens, max_input),
        ("output", call.output_tokens, max_output),
        ("total", call.total_tokens, max_total),
    ):
        if bound is not None and value is not None and value > int(bound):
            over.append(f"{label} {value} > {int(bound)}")
    if over:
        return verdict("tokens", False, "; ".join(over))
    return verdict("tokens", True, f"input {call.input_tokens}, output {call.output_tokens}")


for _fn, _kw in (
    (non_empty, {}),
    (refusal, {}),
    (length, {"min_chars": 1, "max_chars": 20_000}),
    (json_valid, {"required_keys": ()}),
    (contains_reference, {"min_recall": 1.0}),
    (no_pii, {"extra": True}),
    (forbidden_content, {"terms": (), "patterns": ()}),
    (latency, {"max_s": 30.0}),
    (tokens, {"max_input": 4096, "max_output": 4096, "max_total": 8192}),
):
    register_check(
        _fn.__name__, _fn, builtin=True, applies=_json_applies if _fn is json_valid else None, **_kw
    )

BUILTIN_CHECKS = (
    "non_empty",
    "refusal",
    "length",
    "json_valid",
    "contains_reference",
    "no_pii",
    "forbidden_content",
    "latency",
    "tokens",
)
