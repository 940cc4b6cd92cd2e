"""The default sink: OTLP-JSON lines under ``AGENTEL_DIR/<run_id>/``.

One file per signal (``traces.jsonl``, ``logs.jsonl``, ``metrics.jsonl``). Each export batch is
one line, written with a single ``write()`` on an ``O_APPEND`` descriptor under an exclusive
``flock``: several processes (forks, or processes sharing a run id) appending to the same file
never interleave or tear a line.

A write that fails part-way (disk full, file size limit) is cut back to where it started, so the
file never keeps half a line; and a file that ends without a newline (a writer killed mid-line)
gets one before the next line, so a torn line stays one corrupt line that the loader skips and
reports, instead of swallowing the next batch (docs/reliability.md).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
from collections.abc import Sequence
from typing import Any

from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk._logs.export import LogRecordExporter, LogRecordExportResult
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    MetricExporter,
    MetricExportResult,
    MetricsData,
)
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from agentel._internal.errors import record_internal_error
from agentel.sinks.otlp_json import encode_logs, encode_metrics, encode_spans

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False).encode


class JsonlWriter:
    """Appends whole lines to one file, safely across threads and processes."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self.lines_written = 0
        self.torn_tails_repaired = 0

    def _open(self) -> int:
        if self._fd is None or self._pid != os.getpid():
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
            self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    def write_line(self, payload: dict[str, Any]) -> None:
        data = (_dumps(payload) + "\n").encode("utf-8")
        with self._lock:
            fd = self._open()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    data = b"\n" + data  # a torn tail: end it, so it does not swallow this line
                    self.torn_tails_repaired += 1
                view = memoryview(data)
                try:
                    while view:  # a short write (disk nearly full, signal) is continued
                        n = os.write(fd, view)
                        view = view[n:]
                except OSError:
                    # disk full or too large: cut back what was written of this line
                    with contextlib.suppress(OSError):
                        os.ftruncate(fd, size)
                    raise
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
            self.lines_written += 1

    def close(self) -> None:
        with self._lock:
            if self._fd is not None and self._pid == os.getpid():
                os.close(self._fd)
            self._fd = None


class FileSpanExporter(SpanExporter):
    """Spans → ``traces.jsonl`` (OTLP-JSON, one export request per line)."""

    def __init__(self, directory: str) -> None:
        self.writer = JsonlWriter(os.path.join(directory, "traces.jsonl"))

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if not spans:
            return SpanExportResult.SUCCESS
        try:
            self.writer.write_line(encode_spans(spans))
        except Exception as exc:  # disk full, permissions: counted, reported by doctor
            record_internal_error("sinks.files.spans", exc)
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        self.writer.close()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


class FileLogExporter(LogRecordExporter):
    """Log records → ``logs.jsonl``."""

    def __init__(self, directory: str) -> None:
        self.writer = JsonlWriter(os.path.join(directory, "logs.jsonl"))

    def export(self, batch: Sequence[ReadableLogRecord]) -> LogRecordExportResult:
        if not batch:
            return LogRecordExportResult.SUCCESS
        try:
            self.writer.write_line(encode_logs(batch))
        except Exception as exc:
            record_internal_error("sinks.files.logs", exc)
            return LogRecordExportResult.FAILURE
        return LogRecordExportResult.SUCCESS

    def shutdown(self) -> None:
        self.writer.close()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


class FileMetricExporter(MetricExporter):
    """Metrics → ``metrics.jsonl`` (cumulative temporality, like the collector's default)."""

    def __init__(self, directory: str) -> None:
        super().__init__(preferred_temporality={}, preferred_aggregation={})
        self.writer = JsonlWriter(os.path.join(directory, "metrics.jsonl"))

    def export(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> MetricExportResult:
        try:
            if not any(sm.metrics for rm in metrics_data.resource_metrics for sm in rm.scope_metrics):
                return MetricExportResult.SUCCESS
            self.writer.write_line(encode_metrics(metrics_data))
        except Exception as exc:
            record_internal_error("sinks.files.metrics", exc)
            return MetricExportResult.FAILURE
        return MetricExportResult.SUCCESS

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return True

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        self.writer.close()


__all__ = [
    "AggregationTemporality",
    "FileLogExporter",
    "FileMetricExporter",
    "FileSpanExporter",
    "JsonlWriter",
]
