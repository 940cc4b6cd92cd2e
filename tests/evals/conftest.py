"""Fixtures for the evals tests: the CLI in-process (store helpers are in evals_store.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner, Result

from agentel.cli import cli


@pytest.fixture()
def agentel_cli() -> Callable[..., Result]:
    """``agentel ARGS`` in-process (AGENTEL_DIR is the test's own); unexpected exceptions raise."""

    def run(*args: str) -> Result:
        result = CliRunner().invoke(cli, list(args))
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    return run
