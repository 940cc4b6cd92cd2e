"""CLI reports through a running `agentel serve` vs the store opened directly.

Questions:
  1. What does a report cost when `agentel serve` owns the store — the command is then a
     client of its ClickHouse HTTP interface (clickhouse-connect, no chdb in the process) —
     compared with the same command opening the embedded store itself? Wall time, start-up
     included, median of N runs, same store (1M LLM calls, seeded like bench_cli.py).
  2. Goal: `agentel leaderboard` through a running server on 1M calls in < 300 ms wall.
     Reported with its parts (interpreter, imports, connecting) so a regression can be placed,
     and which heavy modules the client process imported (chdb and the OTel SDK must not be).

Run: python benchmarks/bench_serve_cli.py [--calls 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "serve"))
from _common import table  # noqa: E402
from bench_cli import CALLS_PER_TRACE, MODELS, SEED_SCORES, SEED_SPANS  # noqa: E402
from serve_proc import ServeProcess, clean_env  # noqa: E402

HEAVY = ("chdb", "opentelemetry.sdk", "pyarrow", "pandas", "numpy")
PROBE = (
    "import sys\nfrom agentel.cli import cli\n"
    "try:\n    cli.main(['leaderboard', '--format', 'json'], standalone_mode=False)\n"
    "finally:\n"
    f"    print('HEAVY=' + ','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)"
)


def _approx(value: object) -> object:
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, list):
        return [_approx(v) for v in value]
    if isinstance(value, dict):
        return {k: _approx(v) for k, v in value.items()}
    return value


def _same(a: str, b: str) -> bool:
    """Byte for byte; JSON as data with floats to 12 digits (the engine sums in parallel, in no
    fixed order: the last bits of an average differ from run to run, served or not)."""
    if a == b:
        return True
    try:
        return _approx(json.loads(a)) == _approx(json.loads(b))
    except ValueError:
        return False


CPU: dict[str, float] = {}  # median user+system ms of the command's own process, by command


def median_ms(
    cmd: list[str], env: dict[str, str], repeat: int, check: str | None = None
) -> tuple[float, str]:
    times, cpu, out = [], [], ""
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        times.append((time.perf_counter() - t0) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr}")
        if check is not None and check not in proc.stdout:
            raise SystemExit(f"{' '.join(cmd)}: expected {check!r} in the output")
        out = proc.stdout
    CPU[" ".join(cmd)] = statistics.median(cpu)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=1_000_000, help="LLM calls in the store")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    py = sys.executable
    agentel = [py, "-m", "agentel.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "agentel"
        env = clean_env(d)
        from agentel.store.session import open_store

        t0 = time.perf_counter()
        engine, _ = open_store(directory=str(d), load_new=False)
        engine.execute(
            SEED_SPANS.format(models=MODELS, n=args.calls * (CALLS_PER_TRACE + 1) // CALLS_PER_TRACE)
        )
        engine.execute(SEED_SCORES)
        calls = int(engine.query("SELECT count() FROM llm_calls").scalar())
        trace = str(
            engine.query(
                "SELECT TraceId FROM otel_traces WHERE ParentSpanId = '' LIMIT 1 OFFSET 4321"
            ).scalar()
        )
        engine.close()
        seed_s = time.perf_counter() - t0

        commands = [
            ("leaderboard --format json", ["leaderboard", "--format", "json"], "gpt-4o-mini"),
            ("leaderboard (table)", ["leaderboard"], "gpt-4o-mini"),
            ("run-info TRACE --format json", ["run-info", trace, "--format", "json"], trace),
            ("runs --limit 20", ["runs", "--limit", "20"], "agent.run"),
            ("cost", ["cost"], "gpt-4o-mini"),
            ("query SELECT count() FROM llm_calls", ["query", "SELECT count() FROM llm_calls"], str(calls)),
        ]
        direct: dict[str, float] = {}
        outputs: dict[str, str] = {}
        direct_cpu: dict[str, float] = {}
        for label, cmd, check in commands:
            direct[label], outputs[label] = median_ms([*agentel, *cmd], env, args.repeat, check)
            direct_cpu[label] = CPU[" ".join([*agentel, *cmd])]

        srv = ServeProcess(d)
        try:
            served: dict[str, float] = {}
            same: dict[str, bool] = {}
            served_cpu: dict[str, float] = {}
            for label, cmd, check in commands:
                served[label], out = median_ms([*agentel, *cmd], env, args.repeat, check)
                served_cpu[label] = CPU[" ".join([*agentel, *cmd])]
                same[label] = _same(out, outputs[label])
            bare, _ = median_ms([py, "-c", "pass"], env, args.repeat)
            imp, _ = median_ms([py, "-c", "import agentel.cli"], env, args.repeat)
            imp_cc, _ = median_ms([py, "-c", "import clickhouse_connect"], env, args.repeat)
            info = srv.info
            connect_src = (
                "import clickhouse_connect\n"
                f"c = clickhouse_connect.get_client(host='127.0.0.1', port={info['clickhouse'].rsplit(':', 1)[1]}, "
                f"username={info['user']!r}, password={info['password']!r}, database={info['database']!r}, "
                "autogenerate_session_id=False)\nc.close()"
            )
            conn, _ = median_ms([py, "-c", connect_src], env, args.repeat)
            probe = subprocess.run([py, "-c", PROBE], env=env, capture_output=True, text=True)
            heavy = [line for line in probe.stderr.splitlines() if line.startswith("HEAVY=")]
        finally:
            srv.stop()

    print(
        f"CLI reports on a store of {calls:,} LLM calls (seeded in {seed_s:.1f}s); wall ms including "
        f"start-up, median of {args.repeat}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(
        table(
            [
                "agentel …",
                "direct: wall",
                "(CPU)",
                "through agentel serve: wall",
                "(client CPU)",
                "served / direct",
                "same output",
            ],
            [
                [
                    label,
                    f"{direct[label]:,.0f}",
                    f"{direct_cpu[label]:,.0f}",
                    f"{served[label]:,.0f}",
                    f"{served_cpu[label]:,.0f}",
                    f"{served[label] / direct[label]:.2f}",
                    "yes" if same[label] else "NO",
                ]
                for label, _, _ in commands
            ],
        )
    )
    lb = served["leaderboard --format json"]
    print()
    print(
        table(
            ["served leaderboard, and its parts", "ms"],
            [
                ["agentel leaderboard --format json (goal < 300)", f"{lb:,.0f}"],
                ["  its own CPU (user+system)", f"{served_cpu['leaderboard --format json']:,.0f}"],
                ["  python -c pass", f"{bare:,.0f}"],
                ["  import agentel.cli", f"{imp:,.0f}"],
                ["  import clickhouse_connect (alone)", f"{imp_cc:,.0f}"],
                ["  import clickhouse_connect + connect (alone)", f"{conn:,.0f}"],
            ],
        )
    )
    print(
        f"\nheavy modules in the served client's process: {heavy[0][6:] if heavy else '?'} (of {', '.join(HEAVY)})"
    )
    print(
        json.dumps(
            {"served_leaderboard_ms": lb, "direct_leaderboard_ms": direct["leaderboard --format json"]}
        )
    )


if __name__ == "__main__":
    main()
