"""The one reader of the ``.sql`` files shipped in the package (``queries/`` of analytics, evals, ui).

Each question is a ``.sql`` file read once from the package's resources (zip-safe) and cached;
Python binds parameters only. An unknown name is a ``KeyError`` that lists the names there are.

    QUERIES = SqlFiles("agentel.analytics", "queries")
    rows = QUERIES.ask(engine, "leaderboard", {"start": ..., "end": ...})
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from importlib import resources
from typing import Any


class SqlFiles:
    """The ``<package>/<folder>/*.sql`` files, by name (without ``.sql``)."""

    def __init__(self, package: str, folder: str = "queries") -> None:
        self.package = package
        self.folder = folder
        self._texts: dict[str, str] = {}
        self._lock = threading.Lock()

    def __call__(self, name: str) -> str:
        """The text of ``<folder>/<name>.sql``."""
        text = self._texts.get(name)
        if text is None:
            path = resources.files(self.package).joinpath(self.folder).joinpath(f"{name}.sql")
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                raise KeyError(
                    f"no query {name!r} in {self.package}/{self.folder} (there are: {', '.join(self.names())})"
                ) from None
            with self._lock:
                self._texts[name] = text
        return text

    def names(self) -> list[str]:
        """The names of the ``.sql`` files there are, sorted."""
        folder = resources.files(self.package).joinpath(self.folder)
        return sorted(f.name[: -len(".sql")] for f in folder.iterdir() if f.name.endswith(".sql"))

    def ask(self, engine: Any, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run query ``name`` on ``engine`` with bound ``params``; rows as dicts."""
        return engine.query(self(name), dict(params or {})).dicts()  # type: ignore[no-any-return]


__all__ = ["SqlFiles"]
