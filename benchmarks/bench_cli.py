"""Report commands on a big store: `agentel leaderboard` and `agentel run-info` wall time.

Question: on a store holding 1M LLM calls (in 100k traces, a third of the calls scored), how long
does a user wait for `agentel leaderboard` and `agentel run-info TRACE_ID` — start-up included
(Python, imports, opening the embedded store, schema check, the look for new files, the query,
the output)? Goals: under 1 s each; `agentel --help` under 300 ms. Import time and the query
alone are reported separately so a regression can be placed.

Rows are generated inside ClickHouse (INSERT … SELECT FROM numbers()) into `otel_traces`, so the
store's own materialized views fill `llm_calls` and the trace index exactly as a load would.

Run: python benchmarks/bench_cli.py [--calls 1000000] [--repeat 5]
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

sys.path.insert(0, os.path.dirname(__file__))
from _common import table  # noqa: E402

CALLS_PER_TRACE = 10
MODELS = "['gpt-4o-mini','gpt-4o','claude-3-5-haiku','claude-sonnet-4-6','o3-mini','gpt-4.1-nano','llama-3-70b','mistral-large']"

# one root span per trace (number % 11 = 0), then 10 LLM-call spans under it
SEED_SPANS = """
INSERT INTO otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, SpanKind, ServiceName,
    ResourceAttributes, ScopeName, SpanAttributes, Duration, StatusCode)
SELECT
    now64(9) - toIntervalMillisecond(intDiv(number, 11) * 800) + toIntervalMillisecond(number % 11) AS Timestamp,
    leftPad(lower(hex(cityHash64(intDiv(number, 11)))), 32, '0') AS TraceId,
    leftPad(lower(hex(number + 1)), 16, '0') AS SpanId,
    if(number % 11 = 0, '', leftPad(lower(hex(intDiv(number, 11) * 11 + 1)), 16, '0')) AS ParentSpanId,
    if(number % 11 = 0, 'agent.run', concat('chat ', {models}[number % 8 + 1])) AS SpanName,
    if(number % 11 = 0, 'SPAN_KIND_INTERNAL', 'SPAN_KIND_CLIENT') AS SpanKind,
    'bench' AS ServiceName,
    map('service.name', 'bench', 'agentel.run_id', concat('proc-', toString(intDiv(number, 110000)))) AS ResourceAttributes,
    'agentel' AS ScopeName,
    if(number % 11 = 0,
        map('run', concat('run-', toString(intDiv(number, 11) % 1000)), 'task', 'bench'),
        map('gen_ai.operation.name', 'chat', 'gen_ai.provider.name', 'openai',
            'gen_ai.request.model', {models}[number % 8 + 1], 'gen_ai.response.model', {models}[number % 8 + 1],
            'gen_ai.usage.input_tokens', toString(100 + number % 900),
            'gen_ai.usage.output_tokens', toString(20 + number % 400),
            'agentel.cost.total_usd', toString((number % 100) / 10000.0),
            'run', concat('run-', toString(intDiv(number, 11) % 1000)), 'task', 'bench',
            'iteration', toString(number % 11))) AS SpanAttributes,
    (50 + cityHash64(number) % 5000) * 1000000 AS Duration,
    if(number % 11 != 0 AND number % 23 = 0, 'STATUS_CODE_ERROR', 'STATUS_CODE_UNSET') AS StatusCode
FROM numbers({n})
"""

# a third of the calls get an evaluation score, linked to the call's span
SEED_SCORES = """
INSERT INTO eval_results (Timestamp, TraceId, SpanId, ServiceName, RunId, Name, ScoreValue, ScoreLabel)
SELECT Timestamp, TraceId, SpanId, 'bench', 'proc-0', 'quality', (cityHash64(SpanId) % 100) / 100.0, ''
FROM llm_calls WHERE cityHash64(SpanId) % 3 = 0
"""


CPU: dict[str, float] = {}


def _median_ms(cmd: list[str], env: dict[str, str], repeat: int, check: str | None = None) -> float:
    """Median wall time of ``cmd``; its median CPU time (user+sys) is kept in CPU, by command."""
    times, cpu = [], []
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
    CPU[" ".join(cmd)] = statistics.median(cpu)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=1_000_000, help="LLM calls in the store")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    py = sys.executable
    agentel = [py, "-m", "agentel.cli"]
    with tempfile.TemporaryDirectory() as d:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AGENTEL_", "OTEL_")) and k != "CLICKHOUSE_URL"
        }
        env["AGENTEL_DIR"] = d

        from agentel.analytics import questions
        from agentel.analytics.window import Window
        from agentel.store.session import open_store

        t0 = time.perf_counter()
        engine, _ = open_store(directory=d, load_new=False)
        spans = args.calls * (CALLS_PER_TRACE + 1) // CALLS_PER_TRACE
        engine.execute(SEED_SPANS.format(models=MODELS, n=spans))
        engine.execute(SEED_SCORES)
        calls = int(engine.query("SELECT count() FROM llm_calls").scalar())
        scores = int(engine.query("SELECT count() FROM eval_results").scalar())
        trace = engine.query(
            "SELECT TraceId FROM otel_traces WHERE ParentSpanId = '' LIMIT 1 OFFSET 4321"
        ).scalar()
        seed_s = time.perf_counter() - t0
        # the query alone, in-process (engine already open)
        q_lb, q_ri = [], []
        for _ in range(args.repeat):
            t = time.perf_counter()
            rows = questions.leaderboard(engine, Window())
            q_lb.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            tree = questions.run_tree(engine, trace)
            q_ri.append((time.perf_counter() - t) * 1000)
        assert sum(r["calls"] for r in rows) == calls and tree.totals["llm_calls"] == CALLS_PER_TRACE
        engine.close()

        help_ms = _median_ms([*agentel, "--help"], env, args.repeat, check="leaderboard")
        import_ms = _median_ms([py, "-c", "import agentel.cli"], env, args.repeat)
        bare_ms = _median_ms([py, "-c", "pass"], env, args.repeat)
        chdb_ms = _median_ms([py, "-c", "import chdb"], env, args.repeat)
        lb_ms = _median_ms(
            [*agentel, "leaderboard", "--format", "json"], env, args.repeat, check="gpt-4o-mini"
        )
        lb_table_ms = _median_ms([*agentel, "leaderboard"], env, args.repeat, check="gpt-4o-mini")
        ri_ms = _median_ms([*agentel, "run-info", trace, "--format", "json"], env, args.repeat, check=trace)
        ri_table_ms = _median_ms([*agentel, "run-info", trace], env, args.repeat, check="agent.run")
        run_ms = _median_ms(
            [*agentel, "run-info", "run-7", "--format", "json", "--limit", "200"], env, 3, check="run-7"
        )

    print(
        f"agentel CLI on a store of {calls:,} LLM calls ({calls // CALLS_PER_TRACE:,} traces, {scores:,} scores); "
        f"seeded in {seed_s:.1f}s; median of {args.repeat} runs, wall time including start-up"
    )

    def cpu(*args: str) -> str:
        return f"{CPU[' '.join(args)]:,.0f}"

    lb, ri = [*agentel, "leaderboard"], [*agentel, "run-info", trace]
    rows_out = [
        ["agentel --help", f"{help_ms:,.0f}", cpu(*agentel, "--help"), "300", f"{help_ms / 300:.2f}"],
        [
            "agentel leaderboard --format json",
            f"{lb_ms:,.0f}",
            cpu(*lb, "--format", "json"),
            "1000",
            f"{lb_ms / 1000:.2f}",
        ],
        [
            "agentel leaderboard (rich table)",
            f"{lb_table_ms:,.0f}",
            cpu(*lb),
            "1000",
            f"{lb_table_ms / 1000:.2f}",
        ],
        [
            "agentel run-info TRACE --format json",
            f"{ri_ms:,.0f}",
            cpu(*ri, "--format", "json"),
            "1000",
            f"{ri_ms / 1000:.2f}",
        ],
        [
            "agentel run-info TRACE (rich tree)",
            f"{ri_table_ms:,.0f}",
            cpu(*ri),
            "1000",
            f"{ri_table_ms / 1000:.2f}",
        ],
        ["agentel run-info RUN (100 traces, 200 spans shown)", f"{run_ms:,.0f}", "—", "—", "—"],
        ["  of which: python -c pass", f"{bare_ms:,.0f}", cpu(py, "-c", "pass"), "—", "—"],
        [
            "  of which: import agentel.cli",
            f"{import_ms:,.0f}",
            cpu(py, "-c", "import agentel.cli"),
            "—",
            "—",
        ],
        [
            "  of which: import chdb (with pyarrow; the CLI skips it)",
            f"{chdb_ms:,.0f}",
            cpu(py, "-c", "import chdb"),
            "—",
            "—",
        ],
        ["  leaderboard query alone (in-process)", f"{statistics.median(q_lb):,.0f}", "—", "—", "—"],
        ["  run-info queries alone (in-process)", f"{statistics.median(q_ri):,.0f}", "—", "—", "—"],
    ]
    load = os.getloadavg()[0]
    print(
        f"(load average during the run: {load:.1f} on {os.cpu_count()} cores; CPU = user+sys of the process)"
    )
    print(table(["measurement", "median wall ms", "median CPU ms", "goal ms", "wall / goal"], rows_out))
    print(json.dumps({"help_ms": help_ms, "leaderboard_ms": lb_ms, "run_info_ms": ri_ms}))


if __name__ == "__main__":
    main()
