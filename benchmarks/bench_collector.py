"""End-to-end throughput: SDK → OTLP → agentel's collector → OTLP-JSON files, and its CPU cost.

Question: how many spans per second does the whole path carry on this machine, and what does the
collector spend on them? One process makes spans as fast as it can through agentel (enrichment,
redaction, batch processor, OTLP exporter); the built collector (shipped config minus ClickHouse:
memory limiter, attribute scrub, redaction, transform → rotating files) writes them. The clock
stops when the collector's own telemetry says the file exporter has written every span.

Rows:
  direct-files      agentel's file sink, no collector (the local default; the baseline)
  otlp-http         SDK → OTLP/HTTP protobuf → collector → files
  otlp-grpc         SDK → OTLP/gRPC → collector → files
  replay-http       pre-encoded OTLP/HTTP requests of 1,000 spans posted back to back: what the
                    collector itself carries when the Python SDK is not the bottleneck

CPU: the collector's user+system time from /proc (both cores count), and the SDK process's.
The two share the machine's 2 cores, so the SDK side's cost caps the rate.

Run: python benchmarks/bench_collector.py [--spans 20000] [--rounds 3]
Needs the collector binary (`make collector`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "collector"))
from _common import table  # noqa: E402
from collector_process import (  # noqa: E402
    CollectorProcess,
    collector_binary,
    load_config,
    wait_for,
    without_clickhouse,
)

import agentel  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
ATTRS = {
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.provider.name": "openai",
    "iteration": 3,
    "score": 0.82,
}


def proc_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def sent_spans(collector: CollectorProcess) -> float:
    """The collector's own count of spans the file exporter wrote (its Prometheus telemetry)."""
    url = f"http://127.0.0.1:{collector.ports['telemetry']}/metrics"
    with urllib.request.urlopen(url, timeout=5) as r:
        text = r.read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith("otelcol_exporter_sent_spans") and 'exporter="file/traces"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def make_spans(n: int) -> None:
    for i in range(n):
        with agentel.span("llm-step", index=i, **ATTRS):
            pass


def round_direct(n: int, workdir: Path) -> dict[str, float]:
    agentel.configure(dir=str(workdir), sinks=("files",), metrics_interval_s=0, max_queue_size=n)
    cpu0, t0 = time.process_time(), time.perf_counter()
    make_spans(n)
    agentel.shutdown()  # flushes: every span is in the file when it returns
    wall = time.perf_counter() - t0
    return {"wall": wall, "sdk_cpu": time.process_time() - cpu0, "collector_cpu": 0.0}


def round_collector(n: int, workdir: Path, collector: CollectorProcess, protocol: str) -> dict[str, float]:
    endpoint = collector.otlp_http if protocol == "http/protobuf" else collector.otlp_grpc
    agentel.configure(
        dir=str(workdir),
        sinks=("otlp",),
        otlp_endpoint=endpoint,
        otlp_protocol=protocol,
        metrics_interval_s=0,
        max_queue_size=n,
    )
    before = sent_spans(collector)
    ccpu0 = proc_cpu_seconds(collector.pid)
    cpu0, t0 = time.process_time(), time.perf_counter()
    make_spans(n)
    agentel.force_flush()
    wait_for(
        lambda: sent_spans(collector) >= before + n, timeout=120, what=f"{n} spans written", interval=0.01
    )
    wall = time.perf_counter() - t0
    sdk_cpu = time.process_time() - cpu0
    collector_cpu = proc_cpu_seconds(collector.pid) - ccpu0
    agentel.shutdown()
    return {"wall": wall, "sdk_cpu": sdk_cpu, "collector_cpu": collector_cpu}


def encoded_request(spans_per_request: int) -> bytes:
    """One OTLP/HTTP protobuf body with ``spans_per_request`` spans, made by the plain SDK."""
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("bench")
    for i in range(spans_per_request):
        with tracer.start_as_current_span("llm-step", attributes={"index": i, **ATTRS}):
            pass
    body = encode_spans(memory.get_finished_spans()).SerializeToString()
    provider.shutdown()
    return bytes(body)


def round_replay(n: int, collector: CollectorProcess, body: bytes, per_request: int) -> dict[str, float]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", collector.ports["http"], timeout=30)
    headers = {"Content-Type": "application/x-protobuf"}
    before = sent_spans(collector)
    ccpu0 = proc_cpu_seconds(collector.pid)
    cpu0, t0 = time.process_time(), time.perf_counter()
    for _ in range(n // per_request):
        conn.request("POST", "/v1/traces", body, headers)
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 200, resp.status
    wait_for(
        lambda: sent_spans(collector) >= before + n, timeout=120, what=f"{n} spans written", interval=0.01
    )
    wall = time.perf_counter() - t0
    conn.close()
    return {
        "wall": wall,
        "sdk_cpu": time.process_time() - cpu0,
        "collector_cpu": proc_cpu_seconds(collector.pid) - ccpu0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spans", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    binary = collector_binary()
    if not binary.exists():
        print(f"collector binary missing at {binary}: run `make collector`", file=sys.stderr)
        return 1
    n = args.spans
    results: dict[str, list[dict[str, float]]] = {
        "direct-files": [],
        "otlp-http": [],
        "otlp-grpc": [],
        "replay-http": [],
    }
    per_request = 1000
    n -= n % per_request
    peak = 0.0
    with tempfile.TemporaryDirectory(prefix="bench-collector-") as tmp:
        root = Path(tmp)
        (root / "otelcol").mkdir()
        collector = CollectorProcess(binary, without_clickhouse(load_config()), root / "otelcol").start()
        try:
            make_spans(200)  # warm-up outside any pipeline (no-op tracer) for imports and caches
            body = encoded_request(per_request)
            for r in range(args.rounds):
                results["direct-files"].append(round_direct(n, root / f"direct-{r}"))
                results["otlp-http"].append(
                    round_collector(n, root / f"http-{r}", collector, "http/protobuf")
                )
                results["otlp-grpc"].append(round_collector(n, root / f"grpc-{r}", collector, "grpc"))
                results["replay-http"].append(round_replay(n, collector, body, per_request))
            peak = peak_rss_mib(collector.pid)
        finally:
            collector.stop()
    base = statistics.median(n / x["wall"] for x in results["direct-files"])
    rows: list[list[Any]] = []
    for name, runs in results.items():
        rate = statistics.median(n / x["wall"] for x in runs)
        wall = statistics.median(x["wall"] for x in runs)
        ccpu = statistics.median(x["collector_cpu"] for x in runs)
        scpu = statistics.median(x["sdk_cpu"] for x in runs)
        rows.append(
            [
                name,
                f"{rate:,.0f}",
                f"{rate / base:.2f}x",
                f"{scpu / n * 1e6:.1f}",
                f"{ccpu / n * 1e6:.1f}" if ccpu else "-",
                f"{ccpu / wall * 100:.0f}%" if ccpu else "-",
            ]
        )
    print(f"{n} spans per round, median of {args.rounds} rounds, {os.cpu_count()} CPUs")
    print(
        table(
            [
                "path",
                "spans/s",
                "vs direct-files",
                "sender CPU µs/span",
                "collector CPU µs/span",
                "collector CPU (of 1 core)",
            ],
            rows,
        )
    )
    print(f"collector peak RSS: {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
