"""The analytics tests read the session's example data (tests/conftest.py ``example_data``: the
examples run once against a stub LLM server and loaded — never rows inserted by hand).

Each example writes a summary of what it did (calls per model, run ids); the tests compare the
reports with those and with the raw telemetry files.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agentel.store.engine import Engine
from testsupport import ExampleData


@pytest.fixture(scope="session")
def seeded(example_data: ExampleData) -> ExampleData:
    return example_data


@pytest.fixture()
def engine(seeded: ExampleData) -> Iterator[Engine]:
    """The seeded store, opened for one test (chdb: one open store per process at a time)."""
    from agentel.store import open_engine

    eng = open_engine(str(seeded.dir))
    yield eng
    eng.close()
