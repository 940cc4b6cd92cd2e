"""Span throughput: agentel's pipeline (enrichment + redaction + OTLP-JSON file sink) vs the vanilla SDK.

Question: what does a span cost with agentel, compared with the plain OTel SDK writing the same
spans to a file? Both run in one process, alternating, CPU time of the whole process (the batch
worker thread included), median of several rounds. Goal: <= 1.15x the vanilla cost per span.

Baselines:
  vanilla-console   TracerProvider + BatchSpanProcessor + ConsoleSpanExporter(out=file)
                    (the SDK's own way to write spans to a file: indented JSON per span)
  vanilla-otlpjson  TracerProvider + BatchSpanProcessor + the OTLP exporter's protobuf encoder
                    + protobuf JSON, one line per batch (what it takes to write the collector format)
  vanilla-agentelfile  TracerProvider + BatchSpanProcessor + agentel's file exporter: the same
                    file output as agentel, so the ratio agentel / this is the cost of agentel's
                    processors (enrichment, redaction, fan-out) alone

Run: python benchmarks/bench_span_pipeline.py [--spans 20000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable

sys.path.insert(0, os.path.dirname(__file__))
from _common import table  # noqa: E402
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import (  # noqa: E402
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SpanExporter,
    SpanExportResult,
)

ATTRS = {"gen_ai.request.model": "gpt-4o-mini", "iteration": 3, "score": 0.82, "ok": True, "step": "select"}


def _workload(tracer, n: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        with tracer.start_as_current_span("step", attributes=ATTRS) as s:
            s.set_attribute("i", i)


class _OtlpJsonFile(SpanExporter):
    def __init__(self, path: str) -> None:
        from google.protobuf.json_format import MessageToJson
        from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

        self._enc, self._json = encode_spans, MessageToJson
        self._fh = open(path, "a")  # noqa: SIM115

    def export(self, spans):  # type: ignore[no-untyped-def]
        self._fh.write(self._json(self._enc(spans), indent=None) + "\n")
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        self._fh.close()


def _vanilla(make_exporter: Callable[[str], SpanExporter], n: int, d: str) -> float:
    provider = TracerProvider()
    provider.add_span_processor(
        BatchSpanProcessor(make_exporter(d), max_queue_size=n + 10, schedule_delay_millis=1000)
    )
    tracer = provider.get_tracer("bench")
    t0 = time.process_time()
    _workload(tracer, n)
    provider.shutdown()
    return (time.process_time() - t0) / n * 1e6


def _console(d: str) -> SpanExporter:
    return ConsoleSpanExporter(out=open(os.path.join(d, "console.json"), "a"))  # noqa: SIM115


def _agentel(n: int, d: str) -> float:
    import agentel

    # same queue headroom as the baselines, so no configuration drops spans
    agentel.configure(
        dir=d, run_id="bench", metrics_interval_s=0, bridge_logging=False, max_queue_size=n + 10
    )
    from opentelemetry import trace

    tracer = trace.get_tracer("bench")
    t0 = time.process_time()
    with agentel.context(run="bench-run", iteration=1):
        _workload(tracer, n)
    agentel.shutdown()
    elapsed = (time.process_time() - t0) / n * 1e6
    with open(os.path.join(d, "bench", "traces.jsonl")) as fh:
        written = sum(line.count('"spanId"') for line in fh)
    assert written == n, f"agentel wrote {written} of {n} spans"
    os.remove(os.path.join(d, "bench", "traces.jsonl"))
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spans", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    import statistics

    from agentel.sinks.files import FileSpanExporter

    results: dict[str, list[float]] = {
        "vanilla-console": [],
        "vanilla-otlpjson": [],
        "vanilla-agentelfile": [],
        "agentel": [],
    }
    for _ in range(args.rounds):  # alternate so drift hits every variant alike
        with tempfile.TemporaryDirectory() as d:
            results["vanilla-console"].append(_vanilla(_console, args.spans, d))
            results["vanilla-otlpjson"].append(
                _vanilla(lambda d: _OtlpJsonFile(os.path.join(d, "o.jsonl")), args.spans, d)
            )
            results["vanilla-agentelfile"].append(
                _vanilla(lambda d: FileSpanExporter(os.path.join(d, "f")), args.spans, d)
            )
            results["agentel"].append(_agentel(args.spans, d))
    med = {k: statistics.median(v) for k, v in results.items()}
    rows = []
    for k, v in med.items():
        rows.append(
            [
                k,
                f"{v:.1f}",
                f"{1e6 / v:,.0f}",
                f"{v / med['vanilla-console']:.2f}x",
                f"{v / med['vanilla-otlpjson']:.2f}x",
            ]
        )
    print(f"spans per round: {args.spans}, rounds: {args.rounds}, CPU time of the whole process, median")
    for row, k in zip(rows, med, strict=False):
        row.append(f"{med[k] / med['vanilla-agentelfile']:.2f}x")
    print(
        table(
            [
                "pipeline",
                "µs CPU/span",
                "spans/s (1 core)",
                "vs vanilla-console",
                "vs vanilla-otlpjson",
                "vs vanilla-agentelfile",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
