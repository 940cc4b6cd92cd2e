"""A ClickHouse server that accepts connections and never answers (a hung or black-holed server).

A real TCP listener in this process accepts every connection and never sends a byte. A separate
Python process configured with CLICKHOUSE_URL pointing at it records 100 spans, calls
force_flush() and exits normally: both are bounded by AGENTEL_CLICKHOUSE_TIMEOUT_S, and all 100
spans are in the spill afterwards, from where the next shipper (server back) inserts them.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentel.sinks.clickhouse import Shipper
from agentel.store import apply, open_engine

TIMEOUT_S = 1.0


class HungServer:
    """Accepts TCP connections, reads nothing, answers nothing; closes them all on stop()."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append(conn)

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(5)
        self.sock.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def hung_server() -> Iterator[HungServer]:
    server = HungServer()
    yield server
    server.stop()


WRITER = textwrap.dedent(
    """
    import json, sys, time
    import agentel
    agentel.configure(metrics_interval_s=0)
    for i in range(100):
        with agentel.span("call", i=i):
            pass
    t0 = time.monotonic()
    ok = agentel.force_flush()
    print(json.dumps({"force_flush_s": time.monotonic() - t0, "ok": ok}), flush=True)
    for i in range(100, 110):  # more after the flush: these go through exit's shutdown
        with agentel.span("late", i=i):
            pass
    """
)


def _spilled_rows(spill: Path) -> list[dict[str, object]]:
    rows = []
    for name in sorted(os.listdir(spill)):
        if name.endswith(".jsonl") and "otel_traces" in name:
            with open(spill / name, encoding="utf-8") as fh:
                rows.extend(json.loads(line) for line in fh if line.strip())
    return rows


def test_hung_server_bounds_flush_and_exit_and_spills_every_span(
    tmp_path: Path, hung_server: HungServer
) -> None:
    env = dict(os.environ)
    env.update(
        AGENTEL_DIR=str(tmp_path / "app"),
        CLICKHOUSE_URL=f"http://default:@127.0.0.1:{hung_server.port}/agentel",
        AGENTEL_CLICKHOUSE_TIMEOUT_S=str(TIMEOUT_S),
        AGENTEL_SINKS="clickhouse",
    )
    env.pop("AGENTEL_RAISE_INTERNAL_ERRORS", None)  # the writer is an ordinary application
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", WRITER], env=env, capture_output=True, text=True, timeout=120
    )
    elapsed = time.monotonic() - start
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    # force_flush waits at most the timeout for the server, then hands everything to the spill
    assert report["force_flush_s"] < TIMEOUT_S + 2.0, report
    assert report["ok"] is True, report
    # exit: startup plus at most twice the timeout (flush, then the shipper's last wait)
    assert elapsed < 2 * TIMEOUT_S + 10.0, (elapsed, proc.stderr)
    assert hung_server.accepted, "the writer did connect to the hung server"

    spill = tmp_path / "app" / "spill" / "clickhouse"
    rows = _spilled_rows(spill)
    ids = sorted(int(r["SpanAttributes"]["i"]) for r in rows)  # type: ignore[index]
    assert ids == list(range(110)), f"{len(ids)} spans spilled"

    # the server is back (an engine that answers): the next process's shipper replays the spill
    store = open_engine(str(tmp_path / "store"))
    apply(store)

    class Borrowed:
        database = store.database

        def insert_jsonl(self, table: str, payload: bytes) -> None:
            store.insert_jsonl(table, payload)

        def execute(self, sql: str, params: object = None) -> None:
            store.execute(sql, params)  # type: ignore[arg-type]

        def query(self, sql: str, params: object = None) -> object:
            return store.query(sql, params)  # type: ignore[arg-type]

        def close(self) -> None:
            pass

    shipper = Shipper(Borrowed, str(spill), retry_initial_s=0.02, retry_max_s=0.1)
    try:
        assert shipper.flush(30), shipper.stats
        got = store.query("SELECT toInt64(SpanAttributes['i']) AS i FROM otel_traces ORDER BY i").rows
        assert [r[0] for r in got] == list(range(110))
    finally:
        shipper.close(5)
        shipper._thread.join(10)
        store.close()
    assert not [n for n in os.listdir(spill) if ".jsonl" in n]


def test_a_spill_file_claimed_by_a_process_that_died_is_replayed(tmp_path: Path) -> None:
    """A process killed while replaying a spill file leaves it renamed ``….replaying-<pid>``;
    the next shipper puts it back in line instead of leaving it unread forever."""
    import agentel
    from agentel.sinks.clickhouse import ClickHouseSpanExporter

    spill = tmp_path / "spill"

    def down() -> object:
        raise OSError("connection refused")

    first = Shipper(down, str(spill), retry_initial_s=0.02, retry_max_s=0.1)
    agentel.configure(
        sinks=[], span_exporters=[ClickHouseSpanExporter(first, "agentel")], metrics_interval_s=0
    )
    for i in range(30):
        with agentel.span("call", i=i):
            pass
    agentel.shutdown()
    first.close(1)
    first._thread.join(10)
    (name,) = [n for n in os.listdir(spill) if n.endswith(".jsonl")]
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    os.rename(spill / name, spill / f"{name}.replaying-{int(dead.stdout)}")

    store = open_engine(str(tmp_path / "store"))
    apply(store)

    class Borrowed:
        database = store.database

        def insert_jsonl(self, table: str, payload: bytes) -> None:
            store.insert_jsonl(table, payload)

        def close(self) -> None:
            pass

    second = Shipper(Borrowed, str(spill), retry_initial_s=0.02, retry_max_s=0.1)
    try:
        assert second.flush(30), second.stats
        assert store.query("SELECT count() FROM otel_traces").scalar() == 30
    finally:
        second.close(5)
        second._thread.join(10)
        store.close()
    assert os.listdir(spill) == []
