"""``<denied key> = value`` inside free text, found in one linear pass.

The old form of this rule was one regex whose key part (``(?:[A-Za-z0-9]+[_.-])*word``) backtracked
over every prefix of a long identifier: quadratic, 49 s for 32 KB of ``a_a_a_…``. This scanner is
linear by construction:

1. a regex with no nested quantifiers finds a deny *stem* followed, within 48 key characters, by
   an optional quote, up to 3 spaces and ``:`` or ``=`` (bounded work per position);
2. the key ending there is read backwards over at most 64 key characters and matched with the
   same normalised key matcher as attribute keys (``user[email]: …``, ``USEREMAIL=…``);
3. the value is read forwards once: a quoted string to its closing quote, a JSON/Python list or
   object to its matching bracket (strings and nesting honoured, any depth, any size; unbalanced
   means "to the end of the text"), ``Bearer <token>``, or a bare token. Scanning resumes after
   the value, so every character is visited a bounded number of times.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence

_KEY_CHARS = r"A-Za-z0-9_\-.\[\]/"
_KEY_BACK = re.compile(rf"[{_KEY_CHARS}: ]{{0,64}}")
_BARE = re.compile(r"[^\s\"',;&}\])]+")
_SCHEME = re.compile(r"(?i:bearer|basic|token)[ \t]+")
_SPACES = re.compile(r"\s{0,3}")
_OPEN = {"[": "]", "{": "}"}
_MARK = "[REDACTED"
_DECODER = json.JSONDecoder()


_TAIL = re.compile(rf"[{_KEY_CHARS} ]{{0,48}}?(?P<q>\\?[\"'])?[ \t]{{0,3}}[:=]")


def head_regex(stems: Sequence[str]) -> re.Pattern[str] | None:
    """Stem, then up to 48 key characters, an optional (escaped) quote, spaces and ``:``/``=``.

    Used only when lower-casing changes the text's length (rare Unicode); otherwise stems are
    found with ``str.find`` and :data:`_TAIL` is matched after each.
    """
    if not stems:
        return None
    alt = "|".join(re.escape(s) for s in sorted(set(stems), key=lambda s: (-len(s), s)))
    return re.compile(rf"(?:{alt})" + _TAIL.pattern, re.IGNORECASE)


def _heads(view: str, stems: Sequence[str]) -> Iterator[tuple[int, re.Match[str]]]:
    """``(stem start, tail match)`` for every stem followed by a separator, in text order."""
    low = view.lower()
    if len(low) != len(view):
        head = head_regex(stems)
        if head is not None:
            for m in head.finditer(view):
                yield m.start(), m
        return
    starts: list[tuple[int, int]] = []
    for stem in stems:
        at = low.find(stem)
        while at >= 0:
            starts.append((at, len(stem)))
            at = low.find(stem, at + 1)
    starts.sort()
    match = _TAIL.match
    for at, length in starts:
        tail = match(view, at + length)
        if tail is not None:
            yield at, tail


def _string_end(view: str, start: int, quote: str, escaped: bool) -> int:
    """Index just past the string whose opening quote ends at ``start`` (end of text if unclosed)."""
    if escaped:  # \"…\" — JSON inside a string: the closer is the next backslash-quote
        at = view.find("\\" + quote, start)
        return len(view) if at < 0 else at + 2
    i = start
    while True:
        at = view.find(quote, i)
        if at < 0:
            return len(view)
        # an odd run of backslashes before the quote escapes it
        j = at
        while j > start and view[j - 1] == "\\":
            j -= 1
        if (at - j) % 2 == 0:
            return at + 1
        i = at + 1


# Everything up to the next bracket, whole strings skipped. The alternatives start with disjoint
# characters and the group is never followed by anything that can fail, so the engine never
# backtracks into it: one pass in C.
_SKIP_PLAIN = re.compile(
    r"""(?:[^\[\]{}"'\\]+|"[^"\\]*(?:\\.[^"\\]*)*"|'[^'\\]*(?:\\.[^'\\]*)*'|\\.)*""", re.S
)
# JSON inside a string: strings are \"…\", a bare quote is just a character
_SKIP_ESCAPED = re.compile(r"""(?:[^\[\]{}\\]+|\\"[^\\]*(?:\\(?!")[^\\]*)*\\"|\\(?!").)*""", re.S)


def _bracket_end(view: str, start: int, escaped: bool) -> int:
    """Index just past the bracketed value opening at ``start`` (end of text if unbalanced)."""
    if not escaped:
        try:  # JSON: the C parser finds the end fastest
            return _DECODER.raw_decode(view, start)[1]
        except (ValueError, RecursionError):
            pass  # Python reprs, truncated or deep JSON: bracket counting below
    skip = (_SKIP_ESCAPED if escaped else _SKIP_PLAIN).match
    stack = [_OPEN[view[start]]]
    i = start + 1
    n = len(view)
    while stack:
        i = skip(view, i).end()  # type: ignore[union-attr]
        if i >= n:
            return n
        c = view[i]
        if c in _OPEN:
            stack.append(_OPEN[c])
        elif c == stack[-1]:
            stack.pop()
        else:  # a stray closer, an unclosed string: not the structure it seemed; fail closed
            return n
        i += 1
    return i


def value_span(view: str, sep_end: int, escaped_key: bool) -> tuple[int, int] | None:
    """Where the value after a separator ending at ``sep_end`` is: ``(start, end)`` or None."""
    start = _SPACES.match(view, sep_end).end()  # type: ignore[union-attr]
    n = len(view)
    if start >= n:
        return None
    c = view[start]
    if view.startswith(_MARK, start) or view.startswith("\\" + _MARK, start):
        return None
    if c == "\\" and start + 1 < n and view[start + 1] in "\"'":
        return start, _string_end(view, start + 2, view[start + 1], True)
    if c in "\"'":
        return start, _string_end(view, start + 1, c, False)
    if c in "[{":
        return start, _bracket_end(view, start, escaped_key)
    m = _SCHEME.match(view, start)
    at = m.end() if m else start
    bare = _BARE.match(view, at)
    if bare is None:
        return None
    return start, bare.end()


def find_pairs(
    view: str, stems: Sequence[str], key_rule: Callable[[str], str | None]
) -> list[tuple[int, int, str]]:
    """``(value start, value end, rule)`` for every denied/hashed key followed by a value."""
    out: list[tuple[int, int, str]] = []
    pos = 0
    for at, m in _heads(view, stems):
        if at < pos:
            continue
        sep_end = m.end()
        quote = m.group("q")
        key_end = m.start("q") if quote else sep_end - 1
        while key_end > 0 and view[key_end - 1] in " \t":
            key_end -= 1
        lo = max(0, key_end - 64)
        back = _KEY_BACK.match(view[lo:key_end][::-1])
        length = back.end() if back else 0
        key = view[key_end - length : key_end]
        if length == 64 and lo > 0 and view[lo - 1] not in " \t\n":
            # cut inside a longer key: drop the partial first word
            cut = min((key.find(c) for c in " _.-:/[" if c in key), default=-1)
            key = key[cut + 1 :] if cut >= 0 else ""
        rule = key_rule(key) if key and not key.endswith(_MARK) else None
        # the tail holds no separator: any other stem before it ends at this same one
        pos = sep_end
        if rule is None or view.startswith("=", sep_end):  # `key == x` compares, assigns nothing
            continue
        span = value_span(view, sep_end, bool(quote and quote.startswith("\\")))
        if span is None:
            continue
        out.append((span[0], span[1], rule))
        pos = span[1]
    return out
