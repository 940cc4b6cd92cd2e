"""ClickHouse direct sink: SDK → the collector's tables on a server, without a collector.

Enabled by ``CLICKHOUSE_URL``. Exporters only convert records into rows (the same rows the loader
writes) and hand them to one :class:`Shipper` per pipeline, which inserts them from its own thread:

- batched: each export batch is one JSONEachRow insert;
- bounded memory: at most ``max_batches`` batches wait in memory;
- retry with exponential backoff (0.5 s … 30 s) while the server is unreachable;
- spill to disk: on the first failure, the failed batch and everything after it go, in order, to
  ``AGENTEL_DIR/spill/clickhouse/``; they are replayed oldest first when the server is back (also
  by the next process that starts with the same directory), then memory shipping resumes;
- nothing is dropped unless the spill would exceed the disk budget, and then it is counted
  (``agentel.telemetry.dropped``, reason ``disk_budget``) and reported by ``stats()``;
- bounded waits: connecting and every request time out after ``AGENTEL_CLICKHOUSE_TIMEOUT_S``
  (a server that accepts and never answers), and ``force_flush``/shutdown wait at most that long
  for the server before handing everything still in memory — the batch being inserted included —
  to the spill. A batch whose insert then still succeeds has its spill copy removed; if another
  process replayed that copy first, it is inserted twice (at-least-once, docs/reliability.md).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk._logs.export import LogRecordExporter, LogRecordExportResult
from opentelemetry.sdk.metrics.export import MetricExporter, MetricExportResult, MetricsData
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from agentel._internal import lifecycle
from agentel._internal.errors import handle_internal_errors, record_internal_error
from agentel.sinks.otlp_json import encode_logs, encode_metrics, encode_spans
from agentel.store.rows import log_rows, metric_rows, span_rows

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False).encode


@dataclass
class ShipperStats:
    inserted_batches: int = 0
    inserted_rows: int = 0
    failures: int = 0
    spilled_batches: int = 0
    replayed_batches: int = 0
    dropped_batches: int = 0
    dropped_rows: int = 0
    last_error: str = ""
    spilling: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class Shipper:
    """Ordered, bounded, retrying, spilling delivery of row batches to an engine."""

    def __init__(
        self,
        engine_factory: Callable[[], Any],
        spill_dir: str,
        *,
        budget_bytes: int = 2048 * 1024 * 1024,
        max_batches: int = 256,
        retry_initial_s: float = 0.5,
        retry_max_s: float = 30.0,
        prepare: Callable[[Any], None] | None = None,
        hand_over_s: float = 5.0,
    ) -> None:
        self._factory = engine_factory
        self._prepare = prepare
        self._engine: Any = None
        self.spill_dir = spill_dir
        self.budget = budget_bytes
        self.max_batches = max_batches
        self.retry_initial = retry_initial_s
        self.retry_max = retry_max_s
        self.hand_over_s = hand_over_s
        self.stats = ShipperStats()
        self._queue: deque[tuple[str, bytes, int]] = deque()
        self._cv = threading.Condition()
        self._busy = False
        self._stop = False
        self._seq = 0
        # the batch the worker is inserting from memory, and whether flush handed it to the spill
        self._inflight: tuple[str, bytes, int] | None = None
        self._handed_over = False
        self._inflight_copy: str | None = None
        os.makedirs(spill_dir, exist_ok=True)
        self._reclaim_orphans()
        self.stats.spilling = bool(self._spill_files())
        self._thread = threading.Thread(target=self._run, name="agentel-clickhouse-shipper", daemon=True)
        self._thread.start()
        # removed by close(): a closed shipper must not restart its worker in a forked child
        self._unfork = lifecycle.at_fork(self._after_fork)

    # --- producer side (export threads) ---------------------------------------------------

    def submit(self, table: str, payload: bytes, rows: int) -> None:
        with self._cv:
            if self.stats.spilling or len(self._queue) >= self.max_batches:
                self._spill(table, payload, rows)
            else:
                self._queue.append((table, payload, rows))
            self._cv.notify_all()

    def flush(self, timeout_s: float = 30.0, deliver: bool = True) -> bool:
        """Wait until everything submitted is inserted (True), or the timeout passes (False).

        With ``deliver=False`` it is enough that everything is durable (inserted or spilled):
        what exporters' force_flush and shutdown need, so an unreachable or hung server never
        holds the program up. It waits at most ``min(timeout_s, hand_over_s)`` for the server,
        then writes what is still in memory (the batch being inserted and the queue) to the
        spill and returns — False only when the spill could not take something (counted drop).
        """
        start = time.monotonic()
        deadline = start + timeout_s
        hand_over_at = start + min(timeout_s, self.hand_over_s)
        with self._cv:
            self._cv.notify_all()
            while self._pending(deliver):
                now = time.monotonic()
                if not deliver and now >= hand_over_at:
                    return self._hand_over()
                if now >= deadline:
                    return False
                self._cv.wait(min((hand_over_at if not deliver else deadline) - now, 0.05))
        return True

    def _pending(self, deliver: bool) -> bool:
        """Something is not durable yet (or, with ``deliver``, not inserted yet). Lock held."""
        if self._queue or (self._inflight is not None and not self._handed_over):
            return True
        return deliver and (self._busy or self.stats.spilling)

    def _hand_over(self) -> bool:
        """Everything in memory to the spill, in order: the in-flight batch, then the queue."""
        dropped = self.stats.dropped_rows
        if self._inflight is not None and not self._handed_over:
            self._handed_over = True
            self._inflight_copy = self._spill(*self._inflight)
        while self._queue:
            self._spill(*self._queue.popleft())
        self._cv.notify_all()
        return self.stats.dropped_rows == dropped

    def close(self, timeout_s: float = 10.0) -> None:
        """Flush what can be flushed; whatever is left in memory goes to the spill (never lost).

        Waits at most ``min(timeout_s, hand_over_s)`` for the server, then at most as long again
        for the worker to finish the request it is in (its batch is in the spill by then).
        """
        self._unfork()
        self.flush(timeout_s, deliver=False)
        with self._cv:
            self._stop = True
            self._hand_over()
            self._cv.notify_all()
        self._thread.join(min(timeout_s, self.hand_over_s))
        if self._engine is not None and not self._thread.is_alive():
            with handle_internal_errors("sinks.clickhouse.close"):
                self._engine.close()
            self._engine = None

    # --- spill ----------------------------------------------------------------------------

    def _spill_files(self) -> list[str]:
        try:
            names = [n for n in os.listdir(self.spill_dir) if n.endswith(".jsonl")]
        except FileNotFoundError:
            return []
        return sorted(names)

    def _spill_bytes(self) -> int:
        # Files being replayed count too. A replay renames a file between our listing and its size
        # (claim, or put back): list again rather than undercount and pass the budget.
        for _ in range(5):
            total, vanished = 0, False
            for n in os.listdir(self.spill_dir):
                try:
                    total += os.path.getsize(os.path.join(self.spill_dir, n))
                except OSError:
                    vanished = True
            if not vanished:
                break
        return total

    def _reclaim_orphans(self) -> None:
        """Files a dead process was replaying (``<name>.replaying-<pid>``) are put back in line."""
        try:
            names = os.listdir(self.spill_dir)
        except OSError:
            return
        for n in names:
            base, sep, pid = n.rpartition(".replaying-")
            if not sep or not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
                continue
            with handle_internal_errors("sinks.clickhouse.reclaim"):
                os.rename(os.path.join(self.spill_dir, n), os.path.join(self.spill_dir, base))

    def _spill(self, table: str, payload: bytes, rows: int) -> str | None:
        """Append one batch to the spill, in order (caller holds the lock); its file name."""
        if self._spill_bytes() + len(payload) > self.budget:
            self.stats.dropped_batches += 1
            self.stats.dropped_rows += rows
            _count_drop(rows, "disk_budget")
            return None
        self._seq += 1
        name = f"{time.time_ns():020d}-{os.getpid()}-{self._seq:08d}--{table}.jsonl"
        tmp = os.path.join(self.spill_dir, "." + name + ".tmp")
        try:
            with open(tmp, "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.rename(tmp, os.path.join(self.spill_dir, name))  # complete or absent, never torn
        except OSError as exc:
            self.stats.dropped_batches += 1
            self.stats.dropped_rows += rows
            _count_drop(rows, "spill_failed")
            record_internal_error("sinks.clickhouse.spill", exc)
            return None
        self.stats.spilled_batches += 1
        self.stats.spilling = True
        return name

    # --- consumer side (shipper thread) ----------------------------------------------------

    def _insert(self, table: str, payload: bytes) -> None:
        if self._engine is None:
            engine = self._factory()
            if self._prepare is not None:
                self._prepare(engine)
            self._engine = engine
        try:
            self._engine.insert_jsonl(table, payload)
        except Exception:
            # a broken connection is rebuilt on the next attempt
            with handle_internal_errors("sinks.clickhouse.reconnect"):
                self._engine.close()
            self._engine = None
            raise

    def _run(self) -> None:
        backoff = self.retry_initial
        while True:
            with self._cv:
                while not self._stop and not self._queue and not self.stats.spilling:
                    self._cv.wait(0.5)
                if self._stop:
                    return  # close() put the queue in the spill: the next process replays it
                replay = self.stats.spilling
                item = None if replay else self._queue.popleft()
                self._inflight, self._handed_over, self._inflight_copy = item, False, None
                self._busy = True
            try:
                if replay:
                    ok = self._replay_one()
                else:
                    assert item is not None
                    ok = self._ship(item)
            finally:
                with self._cv:
                    self._busy = False
                    self._inflight, self._handed_over, self._inflight_copy = None, False, None
                    self._cv.notify_all()
            if ok:
                backoff = self.retry_initial
                continue
            with self._cv:
                if self._stop:
                    return
                self._cv.wait(backoff)
            backoff = min(backoff * 2, self.retry_max)

    def _ship(self, item: tuple[str, bytes, int]) -> bool:
        table, payload, rows = item
        try:
            self._insert(table, payload)
        except Exception as exc:
            self._failed(exc)
            with self._cv:
                # this batch (unless flush already handed it over) and everything queued after it
                # go to the spill, in order
                if not self._handed_over:
                    self._spill(table, payload, rows)
                    self._handed_over = True
                while self._queue:
                    self._spill(*self._queue.popleft())
            return False
        with self._cv:
            self.stats.inserted_batches += 1
            self.stats.inserted_rows += rows
            if self._inflight_copy is not None:
                # flush gave up waiting and spilled a copy, but the insert did succeed: withdraw it
                try:
                    os.remove(os.path.join(self.spill_dir, self._inflight_copy))
                    self.stats.spilled_batches -= 1
                except FileNotFoundError:  # another process is replaying it: at-least-once
                    self.stats.extra["possible_duplicate_batches"] = (
                        self.stats.extra.get("possible_duplicate_batches", 0) + 1
                    )
                self._inflight_copy = None
        return True

    def _replay_one(self) -> bool:
        with self._cv:
            files = self._spill_files()
            if not files:
                self.stats.spilling = False
                self._cv.notify_all()
                return True
        name = files[0]
        path = os.path.join(self.spill_dir, name)
        claimed = path + f".replaying-{os.getpid()}"
        try:
            os.rename(path, claimed)  # another process replaying the same spill skips this file
        except FileNotFoundError:
            return True
        table = name.rsplit("--", 1)[1][: -len(".jsonl")]
        with open(claimed, "rb") as fh:
            payload = fh.read()
        try:
            self._insert(table, payload)
        except Exception as exc:
            os.rename(claimed, path)
            self._failed(exc)
            return False
        os.remove(claimed)
        self.stats.replayed_batches += 1
        self.stats.inserted_rows += payload.count(b"\n")
        return True

    def _failed(self, exc: BaseException) -> None:
        self.stats.failures += 1
        self.stats.last_error = str(exc).split("\n", 1)[0][:300]

    def _after_fork(self) -> None:
        # the child starts with an empty memory queue and its own worker (the spill is shared)
        self._queue = deque()
        self._cv = threading.Condition()
        self._engine = None
        self._busy = False
        self._inflight, self._handed_over, self._inflight_copy = None, False, None
        self._thread = threading.Thread(target=self._run, name="agentel-clickhouse-shipper", daemon=True)
        self._thread.start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: alive, someone else's
        return True
    return True


def _count_drop(rows: int, reason: str) -> None:
    with handle_internal_errors("sinks.clickhouse.count_drop"):
        from agentel.registry import metric

        metric("agentel.telemetry.dropped").add(
            rows, {"agentel.signal": "clickhouse", "agentel.reason": reason}
        )


def _payload(rows: list[dict[str, Any]]) -> bytes:
    return ("\n".join(_dumps(r) for r in rows) + "\n").encode("utf-8") if rows else b""


class ClickHouseSpanExporter(SpanExporter):
    def __init__(self, shipper: Shipper, database: str, prefix: str = "") -> None:
        self.shipper, self.table = shipper, f"{database}.{prefix}otel_traces"

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        try:
            rows = list(span_rows(encode_spans(spans)))
            self.shipper.submit(self.table, _payload(rows), len(rows))
        except Exception as exc:
            record_internal_error("sinks.clickhouse.spans", exc)
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.shipper.flush(timeout_millis / 1000, deliver=False)


class ClickHouseLogExporter(LogRecordExporter):
    def __init__(self, shipper: Shipper, database: str, prefix: str = "") -> None:
        self.shipper, self.table = shipper, f"{database}.{prefix}otel_logs"

    def export(self, batch: Sequence[ReadableLogRecord]) -> LogRecordExportResult:
        try:
            rows = list(log_rows(encode_logs(batch)))
            self.shipper.submit(self.table, _payload(rows), len(rows))
        except Exception as exc:
            record_internal_error("sinks.clickhouse.logs", exc)
            return LogRecordExportResult.FAILURE
        return LogRecordExportResult.SUCCESS

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.shipper.flush(timeout_millis / 1000, deliver=False)


class ClickHouseMetricExporter(MetricExporter):
    def __init__(self, shipper: Shipper, database: str, prefix: str = "") -> None:
        super().__init__(preferred_temporality={}, preferred_aggregation={})
        self.shipper, self.database, self.prefix = shipper, database, prefix

    def export(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> MetricExportResult:
        try:
            by_table: dict[str, list[dict[str, Any]]] = {}
            for kind, row in metric_rows(encode_metrics(metrics_data)):
                by_table.setdefault(kind, []).append(row)
            for kind, rows in by_table.items():
                self.shipper.submit(
                    f"{self.database}.{self.prefix}otel_metrics_{kind}", _payload(rows), len(rows)
                )
        except Exception as exc:
            record_internal_error("sinks.clickhouse.metrics", exc)
            return MetricExportResult.FAILURE
        return MetricExportResult.SUCCESS

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return self.shipper.flush(timeout_millis / 1000, deliver=False)

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        # the shipper is shared by the three exporters; the metric exporter shuts down last
        self.shipper.close(min(timeout_millis / 1000, 10.0))


def build_exporters(
    settings: Any, engine_factory: Callable[[], Any] | None = None
) -> tuple[ClickHouseSpanExporter, ClickHouseLogExporter, ClickHouseMetricExporter]:
    """The three exporters sharing one shipper, from ``settings.clickhouse_url``."""
    from urllib.parse import urlsplit

    from agentel.store.schema import SchemaOptions, apply

    url = settings.clickhouse_url
    database = (urlsplit(url).path or "/").strip("/") or "agentel"

    timeout_s = float(getattr(settings, "clickhouse_timeout_s", 5.0))

    def factory() -> Any:
        from agentel.store.engine import ServerEngine

        return ServerEngine(url, timeout_s=timeout_s)

    def prepare(engine: Any) -> None:
        apply(engine, SchemaOptions(database=engine.database))

    shipper = Shipper(
        engine_factory or factory,
        os.path.join(settings.dir, "spill", "clickhouse"),
        budget_bytes=settings.disk_budget_mb * 1024 * 1024,
        prepare=prepare,
        hand_over_s=timeout_s,
    )
    return (
        ClickHouseSpanExporter(shipper, database),
        ClickHouseLogExporter(shipper, database),
        ClickHouseMetricExporter(shipper, database),
    )
