"""The suite imports test modules by basename (pytest's default mode): basenames must be unique."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_test_module_basenames_are_unique() -> None:
    names = Counter(
        p.name for p in TESTS.rglob("*.py") if p.name != "conftest.py" and "__pycache__" not in p.parts
    )
    dupes = sorted(n for n, c in names.items() if c > 1 and n != "__init__.py")
    assert not dupes, f"rename these so each basename is unique across tests/: {dupes}"
