"""Key matching: is this attribute key (or a key inside text or JSON) one the policy denies or hashes?

A key is *normalised* before it is matched, so the spellings a deny word turns up in are one
word: case (``PASSWORD``), separators (``user-email``, ``user email``, ``user:email``,
``user[email]``), camelCase (``apiKeys``), run-together capitals (``USEREMAIL``, ``SAMPLEID``),
plurals (``passwords``, ``genotypes``) and common suffixes (``password_hash``, ``Email Address``).

Only the *last part* of a hierarchical key counts (parts are split at ``.``, ``:``, ``/``, ``[``
and ``]``): ``gen_ai.token.type`` is a token *kind*, ``x.token`` is a token. Inside that part a
deny word fires when it is the part, ends the part after a word break (``db_password``), or —
for words of five letters or more — ends it glued (``useremail``, ``dbpassword``).

Everything here is linear in the key (no regex with nested quantifiers, bounded suffix checks):
keys come from user text too (JSON keys, ``key=value`` in a log line).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Sequence
from functools import lru_cache

# camelCase humps and the end of a capital run before a capitalised word (APIKey -> API_Key)
_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_PARTS = str.maketrans({":": ".", "[": ".", "]": ".", "/": ".", "-": "_", " ": "_", "\t": "_"})
#: a trailing word that does not change what the key holds (``password_hash``, ``email_address``)
SUFFIX_WORDS = frozenset(
    {
        "hash", "hashed", "digest", "sha", "sha1", "sha256", "md5", "address", "addr", "value", "val",
        "raw", "plain", "plaintext", "str", "string", "text", "data", "b64", "base64", "enc",
        "encrypted", "list", "array", "header", "param", "field", "input", "fields", "values",
    }
)  # fmt: skip
_GLUED_MIN = 5  # a word glued to the one before it (useremail) must be at least this long
_MAX_WORDS = 4  # a deny entry spans at most this many words (secret_access_key: 3)


def normalize_key(key: str) -> str:
    """``apiKey`` → ``api_key``, ``Set-Cookie`` → ``set_cookie``, ``user[email]`` → ``user.email.``.

    The form deny words and keys are compared in: lower case, ``_`` between words, ``.`` between
    the parts of a hierarchical key.
    """
    return _HUMP.sub("_", key).lower().translate(_PARTS)


def key_words(key: str) -> list[str]:
    """The words of the last part of ``key``, normalised, trailing suffix words removed."""
    norm = normalize_key(key).strip("._")
    part = norm[norm.rfind(".") + 1 :]
    words = [w for w in part.split("_") if w]
    while len(words) > 1 and words[-1] in SUFFIX_WORDS:
        words.pop()
    return words


class WordSet:
    """Deny (or hash) words in their compact form (``secret_access_key`` → ``secretaccesskey``)."""

    def __init__(self, words: Sequence[str], no_plural: Sequence[str] = ()) -> None:
        self.exact: set[str] = set()
        self.plural_ok: set[str] = set()
        for w in words:
            parts = [p for p in normalize_key(w).replace(".", "_").split("_") if p]
            if not parts:
                continue
            compact = "".join(parts)
            self.exact.add(compact)
            if not any(compact == "".join(k for k in normalize_key(n).split("_") if k) for n in no_plural):
                self.plural_ok.add(compact)
        self.glued = {w for w in self.exact if len(w) >= _GLUED_MIN}
        self.maxlen = max((len(w) for w in self.exact), default=0) + 2

    def __bool__(self) -> bool:
        return bool(self.exact)

    def _is(self, cand: str) -> bool:
        if cand in self.exact:
            return True
        if cand.endswith("es") and cand[:-2] in self.plural_ok:
            return True
        return cand.endswith("s") and cand[:-1] in self.plural_ok

    def matches(self, words: list[str]) -> bool:
        """True when the (normalised) last-part ``words`` end with one of the words."""
        if not words or not self.exact:
            return False
        # at a word break: the last 1..4 words run together (user_email, e_mail, api_keys)
        cand = ""
        for w in reversed(words[-_MAX_WORDS:]):
            cand = w + cand
            if len(cand) > self.maxlen:
                break
            if self._is(cand):
                return True
        # glued: a long word at the end of a longer one (useremail, dbpassword, sampleid)
        glued = "".join(words[-_MAX_WORDS:])[-self.maxlen :]
        for i in range(len(glued) - _GLUED_MIN, -1, -1):
            tail = glued[i:]
            if tail in self.glued:
                return True
            if (tail.endswith("s") and tail[:-1] in self.glued and tail[:-1] in self.plural_ok) or (
                tail.endswith("es") and tail[:-2] in self.glued and tail[:-2] in self.plural_ok
            ):
                return True
        return False


def glob_any(globs: Sequence[str], key: str) -> bool:
    """True when ``key`` equals one of ``globs`` or matches one (case-insensitive)."""
    low = key.lower()
    for g in globs:
        gl = g.lower()
        if gl == low or (("*" in gl or "?" in gl or "[" in gl) and fnmatch.fnmatchcase(low, gl)):
            return True
    return False


@lru_cache(maxsize=64)
def key_matcher(
    deny: tuple[str, ...],
    hashed: tuple[str, ...],
    allow: tuple[str, ...],
    no_plural: tuple[str, ...] = (),
) -> Callable[[str], str | None]:
    """``key -> "hashed_key" | "denied_key" | None`` for these lists (cached per policy)."""
    deny_set = WordSet(deny, no_plural)
    hash_set = WordSet(hashed, no_plural)

    def rule(key: str) -> str | None:
        if allow and glob_any(allow, key):
            return None
        words = key_words(key[-256:] if len(key) > 256 else key)
        if hash_set and hash_set.matches(words):
            return "hashed_key"
        if deny_set and deny_set.matches(words):
            return "denied_key"
        return None

    return rule


def stems(words: Sequence[str]) -> tuple[str, ...]:
    """Literal pieces one of which every key matching ``words`` contains (lower case).

    The longest word of each entry; a spelling with separators inside that word (``e-mail`` for
    ``email``) needs its own entry in the list.
    """
    out: set[str] = set()
    for w in words:
        parts = [p for p in normalize_key(w).replace(".", "_").split("_") if p]
        if parts:
            out.add(max(parts, key=len))
    return tuple(sorted(s for s in out if not any(o != s and o in s for o in out)))
