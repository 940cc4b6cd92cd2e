"""The template helper: HTML built from fragments where every value is escaped unless it is Markup.

Prompts and answers can hold HTML/JS; the only way a string reaches a page unescaped is being a
:class:`Markup` built by this module from escaped parts.
"""

from __future__ import annotations

import html
import string
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode


class Markup(str):
    """A string that is already safe HTML."""

    __slots__ = ()


def escape(value: Any) -> Markup:
    """``value`` as text in HTML (quotes escaped too, so it is safe in attributes)."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return Markup("")
    return Markup(html.escape(str(value), quote=True))


def render(template: str, **values: Any) -> Markup:
    """``template`` with ``$name`` replaced by the escaped values (Markup values kept as they are)."""
    return Markup(string.Template(template).substitute({k: escape(v) for k, v in values.items()}))


def join(parts: Iterable[Any], sep: str = "") -> Markup:
    """Escaped parts joined."""
    return Markup(sep.join(escape(p) for p in parts))


def url(path: str, **query: Any) -> str:
    """A link to ``path`` with the non-empty query parameters (escape it when rendering)."""
    q = {k: v for k, v in query.items() if v not in (None, "")}
    return path + ("?" + urlencode(q) if q else "")
