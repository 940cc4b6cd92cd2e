"""Helpers for the evals tests: the store a CLI run left behind, rows, JSON output."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from click.testing import Result

from agentel.store import Engine, apply, open_engine
from agentel.store.loader import load


@contextmanager
def store(load_files: bool = True) -> Iterator[Engine]:
    """The embedded store under AGENTEL_DIR (schema applied, new files loaded), closed after."""
    directory = os.environ["AGENTEL_DIR"]
    engine = open_engine(directory)
    try:
        apply(engine)
        if load_files:
            load(engine, [directory])
        yield engine
    finally:
        engine.close()


def rows(engine: Engine, sql: str, **params: Any) -> list[dict[str, Any]]:
    return engine.query(sql, params).dicts()


def as_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)
