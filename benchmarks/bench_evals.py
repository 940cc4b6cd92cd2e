"""Evals, alerts and ingest: what they cost the application, and how fast the batch paths run.

Questions:
1. What does the alert feed add to each LLM call (span → bounded queue), and what does
   `agentel.alerts.record()` cost the caller? (median µs per call, in-process pipeline, no sink)
2. What do the default checks cost per call? (median µs, `agentel.evals.evaluate`)
3. How many log records per second does ingest turn into spans + checks (files sink), with and
   without checks?
4. How many stored calls per second does `agentel evals run` judge (embedded store)?

Run: python benchmarks/bench_evals.py [--calls 20000] [--records 5000] [--stored 3000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from _common import table  # noqa: E402

import agentel  # noqa: E402
from agentel import alerts, sdk  # noqa: E402
from agentel.evals import Call, evaluate  # noqa: E402


def per_call_llm(n: int, with_alerts: bool) -> float:
    """µs per `agentel.llm_call` block with usage (no sink: span processing only)."""
    sdk.shutdown()
    agentel.configure(sinks=(), metrics_interval_s=0)
    # the monitor's thread runs (judging every second) and drains the queue as calls arrive
    mon = alerts.start(interval_s=1, queue_size=n + 10) if with_alerts else None
    t0 = time.perf_counter()
    for _ in range(n):
        with agentel.llm_call(provider="openai", model="gpt-4o-mini") as call:
            call.set_usage(input_tokens=120, output_tokens=40)
    took = time.perf_counter() - t0
    if mon is not None:
        alerts.stop()
        assert mon.stats().calls == n and mon.dropped == 0, "the feed lost calls"
    sdk.shutdown()
    return took / n * 1e6


def per_record(n: int) -> float:
    mon = alerts.AlertMonitor(queue_size=n + 10)
    t0 = time.perf_counter()
    for _ in range(n):
        mon.record(duration_s=1.2, input_tokens=120, output_tokens=40, cost_usd=0.0001)
    return (time.perf_counter() - t0) / n * 1e6


def per_check(n: int) -> float:
    call = Call(
        prompt="What is the capital of Australia?",
        response="The capital of Australia is Canberra; Sydney is the largest city. " * 3,
        input_tokens=40,
        output_tokens=60,
        latency_s=1.1,
        reference_answer="Canberra",
    )
    t0 = time.perf_counter()
    for _ in range(n):
        evaluate(call)
    return (time.perf_counter() - t0) / n * 1e6


def ingest_rate(records: int, checks: bool) -> float:
    from agentel.ingest import DirectorySource, Ingestor

    base = tempfile.mkdtemp(prefix="bench-ingest-")
    try:
        logs = os.path.join(base, "logs")
        os.makedirs(logs)
        with open(os.path.join(logs, "calls.jsonl"), "w") as fh:
            for i in range(records):
                fh.write(
                    json.dumps(
                        {
                            "id": f"r{i}",
                            "model": "gpt-4o-mini",
                            "instructions": "Be brief.",
                            "prompt": f"Question {i}: what is {i} + {i}?",
                            "answer": f"{2 * i}.",
                            "usage": {"input_tokens": 30, "output_tokens": 3},
                            "timestamp": time.time() - 3600 + i * 0.01,
                            "latency_s": 0.8,
                        }
                    )
                    + "\n"
                )
        sdk.shutdown()
        agentel.configure(dir=os.path.join(base, "agentel"), sinks=("files",), metrics_interval_s=0)
        t0 = time.perf_counter()
        with Ingestor(DirectorySource(logs), run_checks=checks) as ing:
            report = ing.ingest_once()
        sdk.shutdown()  # everything written
        took = time.perf_counter() - t0
        assert report.records == records
        return records / took
    finally:
        sdk.shutdown()
        shutil.rmtree(base, ignore_errors=True)


def judge_rate(stored: int) -> tuple[float, int]:
    from agentel.analytics.window import Window
    from agentel.demo import fake
    from agentel.evals.store import judge_stored_calls
    from agentel.store import apply, open_engine
    from agentel.store.loader import load

    base = tempfile.mkdtemp(prefix="bench-judge-")
    try:
        sdk.shutdown()
        agentel.configure(dir=os.path.join(base, "agentel"), capture_content=True, metrics_interval_s=0)
        fake.generate(stored, 12, 0.0, 0.5, seed=1, evals=False)
        sdk.shutdown()
        engine = open_engine(os.path.join(base, "store"))
        try:
            apply(engine)
            load(engine, [os.path.join(base, "agentel")])
            agentel.configure(sinks=(), metrics_interval_s=0)
            t0 = time.perf_counter()
            report = judge_stored_calls(engine, Window().params())
            took = time.perf_counter() - t0
            sdk.shutdown()
        finally:
            engine.close()
        return report.calls / took, report.results
    finally:
        sdk.shutdown()
        shutil.rmtree(base, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=20_000)
    ap.add_argument("--records", type=int, default=5_000)
    ap.add_argument("--stored", type=int, default=3_000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()

    base = statistics.median(per_call_llm(args.calls, False) for _ in range(args.rounds))
    fed = statistics.median(per_call_llm(args.calls, True) for _ in range(args.rounds))
    rec = statistics.median(per_record(args.calls) for _ in range(args.rounds))
    chk = statistics.median(per_check(max(1, args.calls // 4)) for _ in range(args.rounds))
    print("Per-call cost in the application (median of", args.rounds, "rounds)")
    print(
        table(
            ("what", "µs per call", "vs llm_call alone"),
            [
                ("agentel.llm_call block (no sink)", f"{base:.1f}", "1.00x"),
                ("… with the alert feed and its thread (alerts.start)", f"{fed:.1f}", f"{fed / base:.2f}x"),
                ("agentel.alerts.record(...)", f"{rec:.2f}", f"{rec / base:.2f}x"),
                ("default checks (evaluate, 6 results)", f"{chk:.1f}", f"{chk / base:.2f}x"),
            ],
        )
    )
    rounds = max(1, args.rounds // 2)
    with_checks = statistics.median(ingest_rate(args.records, True) for _ in range(rounds))
    without = statistics.median(ingest_rate(args.records, False) for _ in range(rounds))
    judged, results = judge_rate(args.stored)
    print()
    print("Batch paths")
    print(
        table(
            ("path", "rate", "note"),
            [
                (
                    "ingest, default checks (files sink)",
                    f"{with_checks:,.0f} records/s",
                    f"{args.records} agentel-format records",
                ),
                (
                    "ingest, --no-checks",
                    f"{without:,.0f} records/s",
                    f"checks cost {without / with_checks:.2f}x",
                ),
                (
                    "agentel evals run (embedded store)",
                    f"{judged:,.0f} calls/s",
                    f"{args.stored} stored calls, {results} results",
                ),
            ],
        )
    )


if __name__ == "__main__":
    main()
