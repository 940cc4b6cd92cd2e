"""`agentel serve`: how fast does a write become a row, and how much OTLP/HTTP does it take in?

Questions:
  1. latency   An application appends OTLP-JSON lines (the files sink's format) at 2,000 spans/s,
               one line of 100 spans every 50 ms; every tenth line carries a probe span. A reader
               polls the server's ClickHouse interface (as a live UI would) and notes when each
               probe becomes queryable. Reported: file write → queryable, median and p95.
  2. ingest    Pre-encoded OTLP/HTTP export requests of 500 spans (the plain OTel SDK's protobuf,
               and the same request as OTLP/JSON) posted back to back over keep-alive connections
               by 2 senders, to agentel serve and to the built collector distribution (shipped
               config minus ClickHouse: redaction, batching, rotating OTLP-JSON files) in the same
               run. Each server is pinned to one core (taskset). "acked" is the rate of answered
               requests; "stored" stops the clock when the data is where it is going: queryable
               rows for agentel serve (fsync'ed file + loaded), files for the collector (its own
               telemetry). CPU is the server process's user+system time per span.

Run: python benchmarks/bench_serve.py [--seconds 30] [--spans 40000] [--rounds 3]
The collector rows need `make collector`; without it they are skipped with a note.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))  # testsupport, used by the collector harness
sys.path.insert(0, str(HERE.parent / "tests" / "serve"))
sys.path.insert(0, str(HERE.parent / "tests" / "collector"))
from _common import table  # noqa: E402
from serve_proc import ServeProcess, wait_for  # noqa: E402

PER_LINE = 100
PER_REQUEST = 500


def _span(trace: str, i: int, name: str, now: int) -> dict[str, Any]:
    return {
        "traceId": trace,
        "spanId": f"{i:016x}",
        "name": name,
        "kind": 3,
        "startTimeUnixNano": str(now - 2_000_000),
        "endTimeUnixNano": str(now),
        "attributes": [
            {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o-mini"}},
            {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "120"}},
            {"key": "index", "value": {"intValue": str(i)}},
        ],
    }


def _line(spans: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "bench-app"}}]},
                "scopeSpans": [{"scope": {"name": "bench"}, "spans": spans}],
            }
        ]
    }


def latency(root: Path, seconds: float, rate: float = 2000.0) -> dict[str, float]:
    """Question 1: file write → queryable while ``rate`` spans/s are written."""
    from agentel.sinks.files import JsonlWriter

    srv = ServeProcess(root / "latency")
    writer = JsonlWriter(str(root / "latency" / "bench-run" / "traces.jsonl"))
    written: dict[int, float] = {}
    seen: dict[int, float] = {}
    stop = threading.Event()
    spans_written = 0

    def write() -> None:
        nonlocal spans_written
        seq, probe = 0, 0
        next_at = time.monotonic()
        while not stop.is_set():
            now = time.time_ns()
            trace = f"{seq + 1:032x}"
            spans = [_span(trace, seq * PER_LINE + j + 1, "llm-step", now) for j in range(PER_LINE)]
            if seq % 10 == 0:
                probe += 1
                spans[-1]["name"] = f"probe-{probe}"
            writer.write_line(_line(spans))
            if seq % 10 == 0:
                written[probe] = time.monotonic()
            spans_written += PER_LINE
            seq += 1
            next_at += PER_LINE / rate
            stop.wait(max(0.0, next_at - time.monotonic()))

    def observe() -> None:
        while not stop.is_set():
            top = srv.scalar(
                "SELECT max(toUInt32OrZero(substring(SpanName, 7))) FROM otel_traces WHERE startsWith(SpanName, 'probe-')"
            )
            t = time.monotonic()
            for k in range(1, int(top or 0) + 1):
                seen.setdefault(k, t)
            time.sleep(0.1)

    threads = [threading.Thread(target=write), threading.Thread(target=observe)]
    try:
        for t in threads:
            t.start()
        time.sleep(seconds)
        stop.set()
        for t in threads:
            t.join(60)
        cpu = _cpu(srv.proc.pid)
    finally:
        writer.close()
        srv.stop()
    lat = sorted(seen[k] - written[k] for k in written if k in seen)
    if not lat:
        raise SystemExit("no probe became queryable")
    return {
        "probes": len(lat),
        "median_ms": statistics.median(lat) * 1000,
        "p95_ms": lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))] * 1000,
        "max_ms": lat[-1] * 1000,
        "rate": spans_written / seconds,
        "cpu": cpu,
    }


# --- ingest ------------------------------------------------------------------------------------


def _bodies() -> tuple[bytes, bytes]:
    from bench_collector import encoded_request
    from google.protobuf.json_format import MessageToDict
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    from agentel.serve.otlp import _ids_to_hex

    proto = encoded_request(PER_REQUEST)
    as_json = MessageToDict(ExportTraceServiceRequest.FromString(proto), use_integers_for_enums=True)
    _ids_to_hex(as_json)
    return proto, json.dumps(as_json, separators=(",", ":")).encode()


def _pin(pid: int) -> None:
    if shutil.which("taskset"):
        subprocess.run(["taskset", "-a", "-p", "-c", "0", str(pid)], capture_output=True, check=False)


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _post_all(url: str, body: bytes, ctype: str, requests: int, senders: int = 2) -> float:
    """Post ``requests`` copies of ``body``; seconds until the last answer."""
    host, port = url.split("//")[1].split(":")
    todo = list(range(requests))
    lock = threading.Lock()
    errors: list[str] = []

    def send() -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        while True:
            with lock:
                if not todo:
                    break
                todo.pop()
            conn.request("POST", "/v1/traces", body, {"Content-Type": ctype})
            resp = conn.getresponse()
            resp.read()
            if resp.status != 200:
                errors.append(str(resp.status))
        conn.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=send) for _ in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"{url}: {len(errors)} requests failed ({errors[:3]})")
    return time.perf_counter() - t0


def ingest_serve(srv: ServeProcess, body: bytes, ctype: str, n: int) -> dict[str, float]:
    before = int(srv.scalar("SELECT count() FROM otel_traces"))
    cpu0, t0 = _cpu(srv.proc.pid), time.perf_counter()
    acked = _post_all(srv.otlp, body, ctype, n // PER_REQUEST)
    wait_for(lambda: int(srv.scalar("SELECT count() FROM otel_traces")) >= before + n, 300, "spans queryable")
    stored = time.perf_counter() - t0
    return {"acked": acked, "stored": stored, "cpu": _cpu(srv.proc.pid) - cpu0}


def ingest_collector(collector: Any, body: bytes, ctype: str, n: int) -> dict[str, float]:
    from bench_collector import sent_spans

    before = sent_spans(collector)
    cpu0, t0 = _cpu(collector.pid), time.perf_counter()
    acked = _post_all(collector.otlp_http, body, ctype, n // PER_REQUEST)
    wait_for(lambda: sent_spans(collector) >= before + n, 300, "spans written")
    stored = time.perf_counter() - t0
    return {"acked": acked, "stored": stored, "cpu": _cpu(collector.pid) - cpu0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="latency run length")
    parser.add_argument("--rate", type=float, default=2000.0, help="spans/s the application writes")
    parser.add_argument("--spans", type=int, default=40_000, help="spans per ingest round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-latency", action="store_true")
    args = parser.parse_args()
    n = args.spans - args.spans % PER_REQUEST
    print(f"{os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        root = Path(tmp)
        if not args.skip_latency:
            lat = latency(root, args.seconds, args.rate)
            print(
                f"\nfile write → queryable, app writing {lat['rate']:,.0f} spans/s for {args.seconds:.0f} s"
            )
            print(
                table(
                    ["probes", "median ms", "p95 ms", "max ms", "server CPU (of 1 core)", "load average"],
                    [
                        [
                            int(lat["probes"]),
                            f"{lat['median_ms']:.0f}",
                            f"{lat['p95_ms']:.0f}",
                            f"{lat['max_ms']:.0f}",
                            f"{lat['cpu'] / args.seconds * 100:.0f}%",
                            f"{os.getloadavg()[0]:.1f}",
                        ]
                    ],
                )
            )
        proto, as_json = _bodies()
        kinds = [("protobuf", proto, "application/x-protobuf"), ("JSON", as_json, "application/json")]
        results: dict[tuple[str, str], list[dict[str, float]]] = {}
        srv = ServeProcess(root / "ingest")
        _pin(srv.proc.pid)
        collector = None
        try:
            from collector_process import CollectorProcess, collector_binary, load_config, without_clickhouse

            binary = collector_binary()
            if binary.exists():
                (root / "otelcol").mkdir()
                collector = CollectorProcess(
                    binary, without_clickhouse(load_config()), root / "otelcol"
                ).start()
                _pin(collector.pid)
            else:
                print(f"\n(collector binary missing at {binary}: run `make collector` for its rows)")
            for _ in range(args.rounds):
                for kind, body, ctype in kinds:
                    results.setdefault(("agentel serve", kind), []).append(ingest_serve(srv, body, ctype, n))
                    if collector is not None:
                        results.setdefault(("collector", kind), []).append(
                            ingest_collector(collector, body, ctype, n)
                        )
        finally:
            srv.stop()
            if collector is not None:
                collector.stop()
    rows = []
    for (server, kind), runs in results.items():
        acked = statistics.median(n / r["acked"] for r in runs)
        stored = statistics.median(n / r["stored"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        rows.append([server, kind, f"{acked:,.0f}", f"{stored:,.0f}", f"{cpu / n * 1e6:.1f}"])
    print(
        f"\nOTLP/HTTP ingest: {n:,} spans per round in requests of {PER_REQUEST}, 2 senders, "
        f"server pinned to 1 core, median of {args.rounds}"
    )
    print(table(["server", "body", "acked spans/s", "stored spans/s", "server CPU µs/span"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
