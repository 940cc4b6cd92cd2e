"""Fixtures for the evals tests: the CLI in-process (store helpers are in evals_store.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from testsupport import invoke_cli


@pytest.fixture()
def agentel_cli() -> Callable[..., Any]:
    """``agentel ARGS`` in-process (AGENTEL_DIR is the test's own); unexpected exceptions raise."""
    return invoke_cli
