"""Loader throughput: OTLP-JSON span files → the embedded store, vs chdb's own JSONEachRow insert.

Question: how many spans per second does `agentel load` put into otel_traces (and the typed
llm_calls table its materialized view feeds), compared with the ceiling — chdb inserting the
already-converted rows from a JSONEachRow file with its own reader?

Run: python benchmarks/bench_loader.py [--spans 200000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from _common import table  # noqa: E402

from agentel.store import apply, open_engine  # noqa: E402
from agentel.store.loader import load  # noqa: E402
from agentel.store.rows import span_rows  # noqa: E402


def _kv(k: str, v: object) -> dict:
    if isinstance(v, str):
        return {"key": k, "value": {"stringValue": v}}
    if isinstance(v, float):
        return {"key": k, "value": {"doubleValue": v}}
    return {"key": k, "value": {"intValue": str(v)}}


def make_file(path: str, spans: int, per_line: int = 512) -> None:
    now = time.time_ns() - 3600 * 10**9
    models = ["gpt-4o-mini", "claude-3-5-haiku", "gpt-4o", "llama-3-70b"]
    with open(path, "w") as fh:
        for start in range(0, spans, per_line):
            batch = []
            for i in range(start, min(spans, start + per_line)):
                t = now + i * 1000
                batch.append(
                    {
                        "traceId": f"{i:032x}",
                        "spanId": f"{i:016x}",
                        "parentSpanId": f"{i + 1:016x}",
                        "name": "chat " + models[i % 4],
                        "kind": 3,
                        "startTimeUnixNano": str(t),
                        "endTimeUnixNano": str(t + 750_000_000),
                        "attributes": [
                            _kv("gen_ai.operation.name", "chat"),
                            _kv("gen_ai.provider.name", "openai"),
                            _kv("gen_ai.request.model", models[i % 4]),
                            _kv("gen_ai.response.model", models[i % 4]),
                            _kv("gen_ai.usage.input_tokens", 100 + i % 900),
                            _kv("gen_ai.usage.output_tokens", 20 + i % 300),
                            _kv("agentel.cost.total_usd", 0.0001 * (i % 50)),
                            _kv("run", f"run-{i % 10}"),
                            _kv("iteration", i % 7),
                            _kv("server.address", "127.0.0.1"),
                        ],
                        "status": {},
                    }
                )
            req = {
                "resourceSpans": [
                    {
                        "resource": {  # what agentel's SDK puts on every process
                            "attributes": [
                                _kv("service.name", "bench"),
                                _kv("agentel.run_id", "r1"),
                                _kv("process.pid", 4242),
                                _kv("telemetry.distro.name", "agentel"),
                                _kv("telemetry.distro.version", "0.1.0"),
                            ]
                        },
                        "scopeSpans": [{"scope": {"name": "agentel.genai"}, "spans": batch}],
                    }
                ]
            }
            fh.write(json.dumps(req, separators=(",", ":")) + "\n")


def make_logs_file(path: str, records: int, per_line: int = 512) -> None:
    """Evaluation events as the SDK writes them (log records with an event name, 5 attributes)."""
    now = time.time_ns() - 3600 * 10**9
    with open(path, "w") as fh:
        for start in range(0, records, per_line):
            batch = [
                {
                    "timeUnixNano": str(now + i * 1000),
                    "severityNumber": 9,
                    "severityText": "INFO",
                    "eventName": "gen_ai.evaluation.result",
                    "traceId": f"{i:032x}",
                    "spanId": f"{i:016x}",
                    "body": {},
                    "attributes": [
                        _kv("gen_ai.evaluation.name", "non_empty"),
                        _kv("gen_ai.evaluation.score.value", float(i % 2)),
                        _kv("gen_ai.evaluation.score.label", "pass" if i % 2 else "fail"),
                        _kv("gen_ai.evaluation.explanation", "checked"),
                        _kv("run", f"run-{i % 10}"),
                    ],
                }
                for i in range(start, min(records, start + per_line))
            ]
            req = {
                "resourceLogs": [
                    {
                        "resource": {"attributes": [_kv("service.name", "bench")]},
                        "scopeLogs": [{"scope": {"name": "agentel"}, "logRecords": batch}],
                    }
                ]
            }
            fh.write(json.dumps(req, separators=(",", ":")) + "\n")


def bench_logs(src: str, n: int) -> float:
    with tempfile.TemporaryDirectory() as d:
        eng = open_engine(d)
        apply(eng)
        t0 = time.perf_counter()
        rep = load(eng, [src])
        dt = time.perf_counter() - t0
        assert rep.logs == n, rep.summary()
        assert eng.query("SELECT count() FROM eval_results").scalar() == n
        eng.close()
    return n / dt


def bench_loader(src: str, n: int) -> float:
    with tempfile.TemporaryDirectory() as d:
        eng = open_engine(d)
        apply(eng)
        t0 = time.perf_counter()
        rep = load(eng, [src])
        dt = time.perf_counter() - t0
        assert rep.spans == n, rep.summary()
        assert eng.query("SELECT count() FROM llm_calls").scalar() == n
        eng.close()
    return n / dt


def bench_ceiling(rows_path: str, n: int) -> float:
    with tempfile.TemporaryDirectory() as d:
        eng = open_engine(d)
        apply(eng)
        t0 = time.perf_counter()
        eng.execute(
            f"INSERT INTO otel_traces SELECT * FROM file('{rows_path}', JSONEachRow) "
            "SETTINGS date_time_input_format='best_effort'"
        )
        dt = time.perf_counter() - t0
        assert eng.query("SELECT count() FROM otel_traces").scalar() == n
        eng.close()
    return n / dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spans", type=int, default=200_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "src")
        os.makedirs(src)
        make_file(os.path.join(src, "traces.jsonl"), args.spans)
        rows_path = os.path.join(d, "rows.jsonl")
        with open(os.path.join(src, "traces.jsonl")) as fh, open(rows_path, "w") as out:
            for line in fh:
                for row in span_rows(json.loads(line)):
                    out.write(json.dumps(row, separators=(",", ":")) + "\n")
        logs_src = os.path.join(d, "logs")
        os.makedirs(logs_src)
        n_logs = args.spans // 4
        make_logs_file(os.path.join(logs_src, "logs.jsonl"), n_logs)
        ours, ceil, logs = [], [], []
        load_before = os.getloadavg()[0]
        for _ in range(args.rounds):
            ours.append(bench_loader(src, args.spans))
            ceil.append(bench_ceiling(rows_path, args.spans))
            logs.append(bench_logs(logs_src, n_logs))
    o, c, lg = statistics.median(ours), statistics.median(ceil), statistics.median(logs)
    print(
        f"{args.spans} spans (10 attributes each), {n_logs} log records, {args.rounds} rounds, median, "
        f"wall time, embedded chdb; load average {load_before:.1f} → {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores"
    )
    print(
        table(
            ["path", "rows/s", "vs ceiling"],
            [
                [
                    "agentel load, traces (ClickHouse's JSON reader → otel_traces + views)",
                    f"{o:,.0f}",
                    f"{o / c:.2f}x",
                ],
                ["ceiling: chdb INSERT … FROM file(converted rows, JSONEachRow)", f"{c:,.0f}", "1.00x"],
                ["agentel load, logs (line by line in Python → otel_logs + views)", f"{lg:,.0f}", ""],
            ],
        )  # fmt: skip
    )


if __name__ == "__main__":
    main()
