"""Store fixtures: every test runs on three engines.

- ``embedded``: chdb, as the CLI opens it.
- ``server-client``: the server engine (``ServerEngine``: clickhouse-connect's client API,
  parameters, raw inserts and formats, the loader's line-by-line path) with clickhouse-connect's own
  in-process chdb backend standing in for the HTTP transport — no ClickHouse server can be installed
  on this machine, and this runs every server-engine code path against a real ClickHouse engine.
- ``server``: a real ClickHouse server, when CLICKHOUSE_URL is set (the suite's conftest keeps it as
  AGENTEL_TEST_CLICKHOUSE_URL); each run uses its own database and drops it afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_engines import chdb_client_factory

from agentel.store import apply, open_engine
from agentel.store.engine import Engine, ServerEngine

SERVER_URL = os.environ.get("AGENTEL_TEST_CLICKHOUSE_URL")
ENGINES = ["embedded", "server-client"] + (["server"] if SERVER_URL else [])


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    eng: Engine
    if request.param == "embedded":
        eng = open_engine(str(tmp_path / "store"))
    elif request.param == "server-client":
        eng = ServerEngine(
            "http://default:@localhost:8123/agentel", connect=chdb_client_factory(str(tmp_path / "ch"))
        )
    else:
        assert SERVER_URL
        base = SERVER_URL.rsplit("/", 1)[0] if SERVER_URL.count("/") > 2 else SERVER_URL
        eng = open_engine(url=f"{base}/agentel_test_{uuid.uuid4().hex[:8]}")
    apply(eng)
    yield eng
    if request.param == "server":
        eng.execute(f"DROP DATABASE IF EXISTS {eng.database}")
    eng.close()
