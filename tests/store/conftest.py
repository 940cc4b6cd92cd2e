"""Store fixtures: every test runs on the embedded engine, and on a server when one is configured.

Set CLICKHOUSE_URL (the suite's conftest keeps it as AGENTEL_TEST_CLICKHOUSE_URL) to also run the
same tests against a ClickHouse server; each run uses its own database and drops it afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentel.store import apply, open_engine
from agentel.store.engine import Engine

SERVER_URL = os.environ.get("AGENTEL_TEST_CLICKHOUSE_URL")
ENGINES = ["embedded"] + (["server"] if SERVER_URL else [])


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "embedded":
        eng = open_engine(str(tmp_path / "store"))
    else:
        assert SERVER_URL
        base = SERVER_URL.rsplit("/", 1)[0] if SERVER_URL.count("/") > 2 else SERVER_URL
        eng = open_engine(url=f"{base}/agentel_test_{uuid.uuid4().hex[:8]}")
    apply(eng)
    yield eng
    if request.param == "server":
        eng.execute(f"DROP DATABASE IF EXISTS {eng.database}")
    eng.close()
