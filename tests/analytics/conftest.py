"""A store seeded once per session by RUNNING the examples (consortium, evolution, generation
monitor, training loop) against a stub LLM server — never by inserting rows by hand.

Each example writes a summary of what it did (calls per model, run ids); the tests compare the
reports with those and with the raw telemetry files.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from analytics_seed import Seeded, run_examples

from agentel.store.engine import Engine


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    from agentel.store.session import open_store

    directory = tmp_path_factory.mktemp("seeded") / "agentel"
    summaries = run_examples(directory)
    engine, report = open_store(directory=str(directory))
    engine.close()
    assert report is not None and report.spans > 0 and not report.skipped
    return Seeded(directory, summaries)


@pytest.fixture()
def engine(seeded: Seeded) -> Iterator[Engine]:
    """The seeded store, opened for one test (chdb: one open store per process at a time)."""
    from agentel.store import open_engine

    eng = open_engine(str(seeded.dir))
    yield eng
    eng.close()
