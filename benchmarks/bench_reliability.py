"""Reliability under faults: what each mode costs and what each fault loses.

Questions (docs/reliability.md quotes the tables):
1. ``AGENTEL_FLUSH=sync`` against the default ``batch``: time on the application thread per
   span + event, and how many of N recorded spans and log records a ``kill -9`` right after the
   last call loses.
2. A ClickHouse server that accepts connections and never answers: how long ``force_flush()``
   and the whole process take, by ``AGENTEL_CLICKHOUSE_TIMEOUT_S``, and how many of 100 spans end
   up in the spill.

Every run is a fresh subprocess (the numbers include interpreter start-up where said).

Run: python benchmarks/bench_reliability.py [--records 2000] [--timeouts default,1]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from _common import table  # noqa: E402

WRITER = """
import json, sys, time
import agentel
agentel.configure(run_id="b", metrics_interval_s=0)
n = int(sys.argv[1])
t0 = time.perf_counter()
for i in range(n):
    with agentel.span("work", i=i):
        agentel.event("agentel.feedback", **{"agentel.feedback.comment": "c"})
print(json.dumps({"us_per_record": (time.perf_counter() - t0) / n * 1e6}), flush=True)
time.sleep(600)
"""

HUNG = """
import json, time, agentel
agentel.configure(metrics_interval_s=0)
for i in range(100):
    with agentel.span("call", i=i):
        pass
t0 = time.monotonic()
agentel.force_flush()
print(json.dumps({"force_flush_s": time.monotonic() - t0}), flush=True)
"""


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AGENTEL_", "OTEL_")) and k != "CLICKHOUSE_URL"
    }
    env.update(extra)
    return env


def _count(path: str, key: str, field: str) -> int:
    n = 0
    if not os.path.exists(path):
        return 0
    with open(path, "rb") as fh:
        for line in fh:
            try:
                doc = json.loads(line)
            except ValueError:
                continue
            for rs in doc.get(f"resource{key}", []):
                for ss in rs.get(f"scope{key}", []):
                    n += len(ss.get(field, []))
    return n


def flush_modes(records: int) -> list[list[object]]:
    rows: list[list[object]] = []
    for mode in ("batch", "sync"):
        d = tempfile.mkdtemp(prefix="agentel-bench-")
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(records)],
            env=_env(AGENTEL_DIR=d, AGENTEL_FLUSH=mode),
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        report = json.loads(proc.stdout.readline())
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        spans = _count(os.path.join(d, "b", "traces.jsonl"), "Spans", "spans")
        logs = _count(os.path.join(d, "b", "logs.jsonl"), "Logs", "logRecords")
        rows.append(
            [
                mode,
                f"{report['us_per_record']:.0f}",
                f"{records - spans} of {records}",
                f"{records - logs} of {records}",
            ]
        )
    return rows


def hung_server(timeouts: list[str]) -> list[list[object]]:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    port = srv.getsockname()[1]
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(srv.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    rows: list[list[object]] = []
    try:
        for t in timeouts:
            d = tempfile.mkdtemp(prefix="agentel-bench-")
            extra = {"AGENTEL_CLICKHOUSE_TIMEOUT_S": t} if t != "default" else {}
            env = _env(
                AGENTEL_DIR=d,
                AGENTEL_SINKS="clickhouse",
                CLICKHOUSE_URL=f"http://default:@127.0.0.1:{port}/agentel",
                **extra,
            )
            t0 = time.monotonic()
            proc = subprocess.run([sys.executable, "-c", HUNG], env=env, capture_output=True, text=True)
            total = time.monotonic() - t0
            report = json.loads(proc.stdout.strip().splitlines()[-1])
            spill = os.path.join(d, "spill", "clickhouse")
            spilled = 0
            for name in os.listdir(spill):
                if name.endswith(".jsonl") and "otel_traces" in name:
                    with open(os.path.join(spill, name), "rb") as fh:
                        spilled += sum(1 for line in fh if line.strip())
            rows.append(
                [
                    t if t != "default" else "default (5)",
                    f"{report['force_flush_s']:.2f}",
                    f"{total:.1f}",
                    f"{spilled} of 100",
                ]
            )
    finally:
        srv.close()
        for c in held:
            c.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=2000)
    ap.add_argument("--timeouts", default="default,1")
    args = ap.parse_args()
    print(
        f"## AGENTEL_FLUSH: cost on the application thread and loss to kill -9 ({args.records} spans + events)\n"
    )
    print(
        table(
            ["AGENTEL_FLUSH", "µs per span + event", "spans lost to kill -9", "log records lost"],
            flush_modes(args.records),
        )
    )
    print("\n## ClickHouse server that accepts and never answers (100 spans, then force_flush, then exit)\n")
    print(
        table(
            [
                "AGENTEL_CLICKHOUSE_TIMEOUT_S",
                "force_flush s",
                "whole process s (start-up included)",
                "spans in the spill",
            ],
            hung_server(args.timeouts.split(",")),
        )
    )


if __name__ == "__main__":
    main()
