"""The live UI's data version: it changes with the data, and a poll never queues behind a long
statement on the shared engine (the poller keeps its version and asks again)."""

from __future__ import annotations

import threading
import time
from typing import Any

from agentel.store.engine import Result
from agentel.ui.data import Repository
from agentel.ui.server import make_server


class _Engine:
    database = "agentel"
    kind = "embedded"

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.parts = [(3, 10, "2026-12-03 10:00:00")]

    def query(self, sql: str, params: Any = None) -> Result:
        with self.lock:
            return Result(["c", "r", "t"], list(self.parts))


def test_the_version_follows_the_data_and_does_not_wait_for_a_busy_engine() -> None:
    engine = _Engine()
    server = make_server(Repository(engine), "127.0.0.1", 0)  # type: ignore[arg-type]
    try:
        v1 = server.data_version()
        assert v1 and server.data_version() == v1
        engine.parts = [(4, 12, "2026-12-03 10:00:01")]
        v2 = server.data_version()
        assert v2 and v2 != v1

        busy, release = threading.Event(), threading.Event()

        def long_statement() -> None:
            with engine.lock:
                busy.set()
                release.wait(30)

        t = threading.Thread(target=long_statement)
        t.start()
        busy.wait(10)
        t0 = time.monotonic()
        assert server.data_version(f'"{v2}"') == v2  # the poller's own version: a 304
        assert time.monotonic() - t0 < 5
        release.set()
        t.join(10)
    finally:
        server.server_close()
