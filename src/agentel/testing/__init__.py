"""Test helpers: capture everything a block records, with deterministic ids and clock.

    with agentel.testing.capture() as cap:
        do_work()
    assert cap.span_names() == ["work"]

Records pass through the same enrichment and redaction as every other sink. The exporters are the
SDK's in-memory ones (``opentelemetry.sdk``), with list views; metrics use the SDK's
``InMemoryMetricReader``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from unittest import mock

from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter as _SDKInMemorySpanExporter,
)
from opentelemetry.sdk.trace.id_generator import IdGenerator

__all__ = [
    "Capture",
    "FrozenClock",
    "InMemoryLogExporter",
    "InMemorySpanExporter",
    "SeededIdGenerator",
    "capture",
]


class InMemorySpanExporter(_SDKInMemorySpanExporter):
    """The SDK's in-memory span exporter, with the spans as a list (``.spans``).

    It keeps accepting spans after ``shutdown()``: one exporter may serve several pipelines
    (configure, shutdown, configure again) and still hold everything they exported.
    """

    def shutdown(self) -> None:
        pass

    @property
    def spans(self) -> list[ReadableSpan]:
        return list(self.get_finished_spans())


class InMemoryLogExporter(InMemoryLogRecordExporter):
    """The SDK's in-memory log record exporter, with the records as a list (``.records``).

    Like :class:`InMemorySpanExporter`, it outlives ``shutdown()``.
    """

    def shutdown(self) -> None:
        pass

    @property
    def records(self) -> list[ReadableLogRecord]:
        return list(self.get_finished_logs())


class SeededIdGenerator(IdGenerator):
    """Trace ids 1, 2, 3… and span ids 1, 2, 3…: stable across runs, readable in failures."""

    def __init__(self) -> None:
        self._trace = 0
        self._span = 0
        self._lock = threading.Lock()

    def generate_trace_id(self) -> int:
        with self._lock:
            self._trace += 1
            return self._trace

    def generate_span_id(self) -> int:
        with self._lock:
            self._span += 1
            return self._span


class FrozenClock:
    """A clock for the SDK that advances only when told (``tick``); ns since the epoch."""

    def __init__(self, start_ns: int = 1_700_000_000_000_000_000, step_ns: int = 1_000_000) -> None:
        self.now = start_ns
        self.step = step_ns
        self._lock = threading.Lock()

    def __call__(self) -> int:
        with self._lock:
            self.now += self.step
            return self.now

    def tick(self, ns: int) -> None:
        with self._lock:
            self.now += ns


@dataclass
class Capture:
    """What a :func:`capture` block recorded."""

    spans_exporter: InMemorySpanExporter
    logs_exporter: InMemoryLogExporter
    metric_reader: InMemoryMetricReader
    settings: Any = None
    _final: Any = None

    @property
    def spans(self) -> list[ReadableSpan]:
        return list(self.spans_exporter.spans)

    @property
    def logs(self) -> list[ReadableLogRecord]:
        return list(self.logs_exporter.records)

    def span_names(self) -> list[str]:
        return [s.name for s in self.spans]

    def span(self, name: str) -> ReadableSpan:
        """The one span called ``name`` (fails clearly when there are none or several)."""
        found = [s for s in self.spans if s.name == name]
        assert len(found) == 1, f"expected one span {name!r}, got {len(found)}: {self.span_names()}"
        return found[0]

    def events(self, name: str | None = None) -> list[ReadableLogRecord]:
        return [
            r
            for r in self.logs
            if r.log_record.event_name and (name is None or r.log_record.event_name == name)
        ]

    def metrics(self) -> dict[str, list[Any]]:
        """Metric name → data points (collected now)."""
        data = self._final if self._final is not None else self.metric_reader.get_metrics_data()
        out: dict[str, list[Any]] = {}
        if data is None:
            return out
        for rm in data.resource_metrics:
            for sm in rm.scope_metrics:
                for m in sm.metrics:
                    out.setdefault(m.name, []).extend(m.data.data_points)
        return out

    def span_dicts(self) -> list[dict[str, Any]]:
        """Spans as plain dicts (name, attributes, status, parent) for whole-dict comparisons."""
        return [
            {
                "name": s.name,
                "kind": s.kind.name,
                "attributes": dict(s.attributes or {}),
                "status": s.status.status_code.name,
                "parent": s.parent.span_id if s.parent else None,
                "span_id": s.context.span_id,
                "trace_id": s.context.trace_id,
                "events": [e.name for e in s.events],
            }
            for s in self.spans
        ]


@contextlib.contextmanager
def capture(
    *, deterministic: bool = True, clock: FrozenClock | None = None, **settings: Any
) -> Iterator[Capture]:
    """Configure agentel with in-memory sinks (synchronous export) for the duration of the block.

    ``settings`` are passed to ``configure()``; file sinks are off unless asked for.
    """
    from agentel import sdk

    spans, logs = InMemorySpanExporter(), InMemoryLogExporter()
    reader = InMemoryMetricReader()
    settings.setdefault("sinks", ())
    settings.setdefault("metrics_interval_s", 0)
    sdk.shutdown()
    patches = contextlib.ExitStack()
    if clock is not None:
        patches.enter_context(mock.patch("opentelemetry.sdk.trace.time_ns", clock))
    with patches:
        s = sdk.configure(
            span_exporters=[spans],
            log_exporters=[logs],
            metric_readers=[reader],
            sync_export=True,
            id_generator=SeededIdGenerator() if deterministic else None,
            **settings,
        )
        cap = Capture(spans, logs, reader, s)
        try:
            yield cap
        finally:
            sdk.force_flush()
            cap._final = reader.get_metrics_data()
            sdk.shutdown()
