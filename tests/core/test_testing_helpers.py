"""agentel.testing is built on the SDK's in-memory exporters and reader."""

from __future__ import annotations

from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter as SDKSpans

import agentel
from agentel import testing


def test_the_exporters_are_the_sdks() -> None:
    assert issubclass(testing.InMemorySpanExporter, SDKSpans)
    assert issubclass(testing.InMemoryLogExporter, InMemoryLogRecordExporter)
    with testing.capture() as cap:
        pass
    assert isinstance(cap.metric_reader, InMemoryMetricReader)


def test_one_exporter_keeps_what_several_pipelines_exported() -> None:
    spans, logs = testing.InMemorySpanExporter(), testing.InMemoryLogExporter()
    for name in ("first", "second"):
        agentel.configure(sinks=(), span_exporters=[spans], log_exporters=[logs], sync_export=True)
        with agentel.span(name):
            pass
        agentel.shutdown()
    assert [s.name for s in spans.spans] == ["first", "second"]
    assert spans.get_finished_spans() == tuple(spans.spans)
    assert logs.records == list(logs.get_finished_logs())
