"""Reading policy files (TOML or YAML) so that every error can name the file and the line.

``tomllib`` gives no positions, so a small scanner maps each key path to the line that sets
it; YAML nodes carry their marks. Either way the policy builder asks ``locate(path)`` for the
line of whatever it rejects.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from typing import Any

from agentel.config import ConfigError

Path = tuple[Any, ...]
Locate = Callable[[Path], "int | None"]


class PolicyError(ConfigError):
    """A redaction policy cannot be used; names the file, the line (when known) and the reason."""

    def __init__(self, source: str, line: int | None, reason: str) -> None:
        self.source = source
        self.line = line
        self.reason = reason
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {reason}")


def read_policy_file(path: str | os.PathLike[str]) -> tuple[dict[str, Any], Locate]:
    """Parse ``path`` (``.toml``, ``.yaml``/``.yml``); returns the data and a line locator."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise PolicyError(
            path, None, f"cannot read the policy file ({exc.strerror or exc}); check AGENTEL_REDACTION_POLICY"
        ) from None
    except UnicodeDecodeError as exc:
        raise PolicyError(path, None, f"not UTF-8 text ({exc.reason})") from None
    lower = path.lower()
    if lower.endswith((".yaml", ".yml")):
        return _read_yaml(path, text)
    if lower.endswith(".toml"):
        return _read_toml(path, text)
    raise PolicyError(path, None, "unknown policy file type; use a .toml, .yaml or .yml file")


def parse_policy_text(text: str, source: str, fmt: str = "toml") -> tuple[dict[str, Any], Locate]:
    """Parse policy text already in memory (the built-in default policy, tests)."""
    return _read_yaml(source, text) if fmt == "yaml" else _read_toml(source, text)


# --- TOML -------------------------------------------------------------------------------------


def _toml_loads(text: str) -> dict[str, Any]:
    try:
        import tomllib
    except ImportError:  # pragma: no cover - python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib.loads(text)


_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def _read_toml(source: str, text: str) -> tuple[dict[str, Any], Locate]:
    try:
        data = _toml_loads(text)
    except Exception as exc:  # tomllib.TOMLDecodeError
        msg = str(exc)
        m = _TOML_POS.search(msg)
        line = int(m.group(1)) if m else None
        reason = _TOML_POS.sub("", msg).strip() if m else msg
        raise PolicyError(source, line, f"invalid TOML: {reason}") from None
    index = _toml_index(text)

    def locate(path: Path) -> int | None:
        return _nearest(index, path)

    return data, locate


_KEY_PART = r'(?:"(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_\-]+)'
_HEADER = re.compile(r"^\s*\[\[?\s*(" + _KEY_PART + r"(?:\s*\.\s*" + _KEY_PART + r")*)\s*\]\]?")
_ASSIGN = re.compile(r"^\s*(" + _KEY_PART + r"(?:\s*\.\s*" + _KEY_PART + r")*)\s*=")
_PART = re.compile(_KEY_PART)
_ITEM = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'[^']*'|-?\d[\w.+-]*|true|false")


def _split_key(raw: str) -> list[str]:
    parts = []
    for m in _PART.finditer(raw):
        p = m.group(0)
        if p[:1] in ('"', "'"):
            p = p[1:-1]
        parts.append(p)
    return parts


def _toml_index(text: str) -> dict[Path, int]:
    """Key path → line number, for tables and assignments (array items: the line they sit on)."""
    index: dict[Path, int] = {}
    table: list[str] = []
    array_path: Path | None = None
    array_i = 0
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.split("#", 1)[0] if '"' not in line and "'" not in line else line
        if array_path is not None:
            # inside a multi-line array: one or more items per line
            for _ in _ITEM.finditer(stripped):
                index.setdefault((*array_path, array_i), lineno)
                array_i += 1
            if "]" in stripped and stripped.rstrip().endswith("]"):
                array_path = None
            continue
        h = _HEADER.match(stripped)
        if h and not _ASSIGN.match(stripped):
            table = _split_key(h.group(1))
            index.setdefault(tuple(table), lineno)
            continue
        a = _ASSIGN.match(stripped)
        if a:
            path = (*table, *_split_key(a.group(1)))
            index.setdefault(path, lineno)
            rest = stripped[a.end() :].strip()
            if rest.startswith("["):
                array_i = 0
                for array_i, _ in enumerate(_ITEM.finditer(rest), start=1):  # noqa: B007
                    index.setdefault((*path, array_i - 1), lineno)
                if not rest.rstrip().endswith("]"):
                    array_path = path
    return index


def _nearest(index: dict[Path, int], path: Path) -> int | None:
    """The line of ``path`` or of its closest enclosing key."""
    p = tuple(path)
    while p:
        if p in index:
            return index[p]
        p = p[:-1]
    return None


# --- YAML -------------------------------------------------------------------------------------


def _read_yaml(source: str, text: str) -> tuple[dict[str, Any], Locate]:
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise PolicyError(source, line, f"invalid YAML: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PolicyError(source, 1, "a policy must be a mapping of sections (keys, patterns, events, ...)")
    index: dict[Path, int] = {}
    if node is not None:
        _yaml_index(node, (), index)

    def locate(path: Path) -> int | None:
        return _nearest(index, path)

    return data, locate


def _yaml_index(node: Any, path: Path, index: dict[Path, int]) -> None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            index.setdefault((*path, key), key_node.start_mark.line + 1)
            _yaml_index(value_node, (*path, key), index)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            index.setdefault((*path, i), item.start_mark.line + 1)
            _yaml_index(item, (*path, i), index)


def no_locate(path: Sequence[Any]) -> int | None:
    """The locator for policies built in code: no lines."""
    return None
