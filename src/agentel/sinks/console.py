"""Console sink: a readable rendering on stderr (rich), or raw OTLP-JSON lines.

Log records below the configured severity are not shown; spans are shown as one line each
(name, duration, status, the GenAI essentials) so a developer can watch a run go by.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Sequence
from typing import IO, Any

from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk._logs.export import LogRecordExporter, LogRecordExportResult
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import StatusCode

from agentel._internal.errors import record_internal_error
from agentel.sinks.flat import from_otlp_payload
from agentel.sinks.otlp_json import encode_logs, encode_spans

SEVERITY_FLOOR = {"debug": 5, "info": 9, "warn": 13, "error": 17}
_STYLE = {
    "DEBUG": "dim",
    "INFO": "cyan",
    "WARN": "yellow",
    "WARNING": "yellow",
    "ERROR": "bold red",
    "FATAL": "bold red",
}
_SPAN_KEYS = (
    "gen_ai.usage.input_tokens",
    "gen_ai.usage.output_tokens",
    "agentel.cost.total_usd",
    "error.type",
)


class _Console:
    def __init__(self, mode: str, stream: IO[str] | None) -> None:
        self.mode = mode
        self._stream = stream
        self._lock = threading.Lock()
        self._rich: Any = None

    @property
    def stream(self) -> IO[str]:
        return self._stream if self._stream is not None else sys.stderr

    def write_json(self, payload: dict[str, Any]) -> None:
        with self._lock:
            self.stream.write(json.dumps(payload, separators=(",", ":")) + "\n")
            self.stream.flush()

    def print(self, text: Any) -> None:
        if self._rich is None:
            from rich.console import Console

            self._rich = Console(file=self.stream, soft_wrap=True, highlight=False)
        with self._lock:
            self._rich.print(text)


class ConsoleSpanExporter(SpanExporter):
    """Spans on stderr: pretty (one line each) or jsonl."""

    def __init__(self, mode: str = "pretty", stream: IO[str] | None = None) -> None:
        self._out = _Console(mode, stream)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        try:
            if self._out.mode == "jsonl":
                self._out.write_json(encode_spans(spans))
                return SpanExportResult.SUCCESS
            from rich.text import Text

            for span in spans:
                ms = ((span.end_time or 0) - (span.start_time or 0)) / 1e6
                line = Text()
                line.append("span ", style="dim")
                line.append(span.name, style="bold")
                line.append(f"  {ms:.1f} ms")
                if span.status.status_code is StatusCode.ERROR:
                    line.append(f"  ERROR {span.status.description or ''}", style="bold red")
                attrs = span.attributes or {}
                extras = [f"{k.rsplit('.', 1)[-1]}={attrs[k]!s}" for k in _SPAN_KEYS if k in attrs]
                if extras:
                    line.append("  " + " ".join(extras), style="dim")
                self._out.print(line)
        except Exception as exc:
            record_internal_error("sinks.console.spans", exc)
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


class ConsoleLogExporter(LogRecordExporter):
    """Log records on stderr at or above ``level``."""

    def __init__(self, mode: str = "pretty", level: str = "info", stream: IO[str] | None = None) -> None:
        self._out = _Console(mode, stream)
        self._floor = SEVERITY_FLOOR[level]

    def export(self, batch: Sequence[ReadableLogRecord]) -> LogRecordExportResult:
        try:
            shown = [
                r
                for r in batch
                if r.log_record.severity_number is None or r.log_record.severity_number.value >= self._floor
            ]
            if not shown:
                return LogRecordExportResult.SUCCESS
            if self._out.mode == "jsonl":  # the flat shape `agentel logs` prints, one line a record
                for flat_line in from_otlp_payload(encode_logs(shown)):
                    self._out.write_json(flat_line)
                return LogRecordExportResult.SUCCESS
            from rich.text import Text

            for rec in shown:
                lr = rec.log_record
                sev = (lr.severity_text or "INFO").upper()
                line = Text()
                line.append(f"{sev!s:<5} ", style=_STYLE.get(sev, ""))
                if lr.event_name:
                    line.append(f"{lr.event_name} ", style="bold")
                if lr.body is not None:
                    line.append(str(lr.body))
                attrs = {k: v for k, v in (lr.attributes or {}).items() if not k.startswith("code.")}
                if attrs:
                    line.append("  " + " ".join(f"{k}={v}" for k, v in attrs.items()), style="dim")
                self._out.print(line)
        except Exception as exc:
            record_internal_error("sinks.console.logs", exc)
            return LogRecordExportResult.FAILURE
        return LogRecordExportResult.SUCCESS

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True
