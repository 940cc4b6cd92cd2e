"""ClickHouse direct sink: the target fails mid-run and every record still arrives, in order.

The sink's target here is the embedded engine behind the same interface as a server, wrapped so
the test can make it fail; with CLICKHOUSE_URL set the store suite covers the server engine.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import agentel
from agentel.sinks.clickhouse import ClickHouseLogExporter, ClickHouseSpanExporter, Shipper
from agentel.store import StoreError, apply, open_engine


class FlakyEngine:
    """An engine whose inserts fail while ``down`` is set (a server that went away)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.database = inner.database
        self.down = False
        self.closed = 0

    def _check(self) -> None:
        if self.down:
            raise StoreError("Connection refused (server unreachable)")

    def insert_jsonl(self, table: str, payload: bytes) -> None:
        self._check()
        self.inner.insert_jsonl(table, payload)

    def execute(self, sql: str, params: Any = None) -> None:
        self._check()
        self.inner.execute(sql, params)

    def query(self, sql: str, params: Any = None) -> Any:
        self._check()
        return self.inner.query(sql, params)

    shippers: list[Shipper]

    def finish(self, *shippers: Shipper) -> None:
        """Take the server away for good and wait for the shippers' threads, then close the store.

        chdb holds one data path per process: a shipper thread touching a closed store would
        reopen it and break every later test that opens another path.
        """
        agentel.shutdown()
        self.down = True
        for sh in shippers:
            sh.close(timeout_s=5)
            sh._thread.join(10)
            assert not sh._thread.is_alive()
        self.inner.close()

    def close(self) -> None:
        self.closed += 1  # the shipper reconnects after a failure; the real engine stays open


@pytest.fixture
def make_flaky(tmp_path: Path) -> Iterator[Callable[[], tuple[Any, FlakyEngine]]]:
    """(real engine, flaky wrapper); the shippers are stopped and the store closed even on failure."""
    made: list[FlakyEngine] = []

    def make() -> tuple[Any, FlakyEngine]:
        real = open_engine(str(tmp_path / "store"))
        apply(real)
        flaky = FlakyEngine(real)
        flaky.shippers = []
        made.append(flaky)
        return real, flaky

    yield make
    for flaky in made:
        flaky.finish(*flaky.shippers)


def _shipper(engine: FlakyEngine, spill: Path, **kw: Any) -> Shipper:
    sh = Shipper(lambda: engine, str(spill), retry_initial_s=0.02, retry_max_s=0.1, prepare=apply, **kw)
    engine.shippers.append(sh)
    return sh


def _emit(start: int, n: int) -> None:
    for i in range(start, start + n):
        with agentel.span("call", i=i):
            agentel.event("agentel.feedback", **{"agentel.feedback.comment": f"c{i}"})


def test_target_fails_mid_run_and_every_record_arrives(tmp_path: Path, make_flaky: Any) -> None:
    real, flaky = make_flaky()
    shipper = _shipper(flaky, tmp_path / "spill")
    db = real.database
    agentel.configure(
        sinks=[],
        span_exporters=[ClickHouseSpanExporter(shipper, db)],
        log_exporters=[ClickHouseLogExporter(shipper, db)],
        metrics_interval_s=0,
    )
    _emit(0, 200)
    agentel.force_flush()
    assert shipper.flush(20)
    flaky.down = True  # the server goes away mid-run
    _emit(200, 300)
    agentel.force_flush()
    assert shipper.flush(20, deliver=False)  # handed over and either inserted or spilled
    assert shipper.stats.spilled_batches > 0 and shipper.stats.failures > 0
    assert any(n.endswith(".jsonl") for n in os.listdir(tmp_path / "spill"))
    flaky.down = False  # ... and comes back
    assert shipper.flush(30), shipper.stats
    agentel.shutdown()
    spans = real.query("SELECT toInt64(SpanAttributes['i']) AS i FROM otel_traces ORDER BY i").rows
    assert [r[0] for r in spans] == list(range(500))  # every span, none twice
    assert real.query("SELECT count() FROM feedback").scalar() == 500
    assert shipper.stats.dropped_rows == 0 and shipper.stats.replayed_batches > 0
    assert not [n for n in os.listdir(tmp_path / "spill") if n.endswith(".jsonl")]


def test_spill_survives_the_process_and_is_replayed_by_the_next(tmp_path: Path, make_flaky: Any) -> None:
    real, flaky = make_flaky()
    flaky.down = True
    first = _shipper(flaky, tmp_path / "spill")
    agentel.configure(
        sinks=[], span_exporters=[ClickHouseSpanExporter(first, real.database)], metrics_interval_s=0
    )
    _emit(0, 50)
    agentel.shutdown()
    first.close(timeout_s=0.5)  # server still down: everything stays in the spill
    assert real.query("SELECT count() FROM otel_traces").scalar() == 0
    flaky.down = False
    second = _shipper(flaky, tmp_path / "spill")  # a new process with the same AGENTEL_DIR
    assert second.flush(30)
    assert real.query("SELECT count() FROM otel_traces").scalar() == 50


def test_drops_only_past_the_disk_budget_and_counted(tmp_path: Path, make_flaky: Any) -> None:
    real, flaky = make_flaky()
    flaky.down = True
    shipper = _shipper(flaky, tmp_path / "spill", budget_bytes=20_000)
    batch = b'{"Body": "' + b"x" * 1000 + b'"}\n'
    shipper.submit(f"{real.database}.otel_logs", batch, 1)
    deadline = time.monotonic() + 10
    while not shipper.stats.spilling and time.monotonic() < deadline:
        time.sleep(0.01)
    for _ in range(49):
        shipper.submit(f"{real.database}.otel_logs", batch, 1)
    assert shipper.stats.spilled_batches + shipper.stats.dropped_batches == 50
    assert 0 < shipper.stats.dropped_rows < 50
    shipper.close(timeout_s=1)  # stop replay attempts (they rename files) before measuring
    spill_bytes = sum(os.path.getsize(tmp_path / "spill" / n) for n in os.listdir(tmp_path / "spill"))
    assert spill_bytes <= 20_000


def test_unreachable_server_never_blocks_the_program(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.monotonic()
    s_ = agentel.configure(
        dir=str(tmp_path), clickhouse_url=f"http://default:@127.0.0.1:{port}/agentel", metrics_interval_s=0
    )
    assert "clickhouse" in s_.sinks
    _emit(0, 20)
    agentel.shutdown(timeout_millis=3000)
    assert time.monotonic() - start < 20
    spill = tmp_path / "spill" / "clickhouse"
    assert [n for n in os.listdir(spill) if n.endswith(".jsonl")], "records kept on disk for replay"
