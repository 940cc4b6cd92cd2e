"""Fixtures for the evals tests: the CLI in-process, and the store a CLI run left behind."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from click.testing import CliRunner, Result

from agentel.cli import cli
from agentel.store import Engine, apply, open_engine
from agentel.store.loader import load


@pytest.fixture()
def agentel_cli() -> Callable[..., Result]:
    """``agentel ARGS`` in-process (AGENTEL_DIR is the test's own); unexpected exceptions raise."""

    def run(*args: str) -> Result:
        result = CliRunner().invoke(cli, list(args))
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    return run


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
