"""Page-load time of `agentel ui` with 1M LLM calls in the embedded store.

Question: does every page (runs, calls list with each filter and deep keyset pages, call detail,
trace, leaderboard, cost) answer in under 1 s at 1M calls on the embedded engine?
Rows go into the raw otel_traces table (the store's materialized view types them into llm_calls,
as for real data), with ~300 bytes of captured prompt/answer each; 1 in 3 calls has a check
result, 1 in 100 has feedback. Time = full HTTP GET (query + render + transfer), server in-process.

Run: python benchmarks/bench_ui.py [--rows 1000000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from _common import table  # noqa: E402

from agentel.store import apply, open_engine  # noqa: E402
from agentel.ui.data import Repository  # noqa: E402
from agentel.ui.server import make_server  # noqa: E402

MODELS = "['gpt-4o-mini','gpt-4o','claude-3-5-haiku','claude-3-5-sonnet','llama-3-70b','mistral-large','gemini-1.5-pro','o3-mini']"


def seed(eng, n: int) -> None:  # type: ignore[no-untyped-def]
    # 10 calls per trace, 1000 runs; timestamps over the last 30 days.
    eng.execute(
        f"""INSERT INTO otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, SpanKind, ServiceName,
            ResourceAttributes, SpanAttributes, Duration, StatusCode)
        SELECT now64(9) - toIntervalMillisecond(number * 2592), lower(hex(intDiv(number, 10) + 1000000000)),
            lower(hex(number + 1000000000)), '', concat('chat ', {MODELS}[number % 8 + 1]), 'SPAN_KIND_CLIENT', 'bench',
            map('service.name', 'bench', 'agentel.run_id', concat('proc-', toString(number % 1000))),
            map('gen_ai.operation.name', 'chat', 'gen_ai.provider.name', 'openai',
                'gen_ai.request.model', {MODELS}[number % 8 + 1],
                'gen_ai.usage.input_tokens', toString(100 + number % 900),
                'gen_ai.usage.output_tokens', toString(20 + number % 400),
                'agentel.cost.total_usd', toString((number % 100) / 10000.0),
                'run', concat('run-', toString(number % 1000)),
                'gen_ai.input.messages', concat('[{{"role":"user","parts":[{{"type":"text","content":"question ',
                    toString(number), ' ', repeat('lorem ipsum ', 15), '"}}]}}]'),
                'gen_ai.output.messages', concat('[{{"role":"assistant","parts":[{{"type":"text","content":"answer ',
                    toString(number), ' ', repeat('dolor sit ', 10), '"}}]}}]')),
            (50 + cityHash64(number) % 5000) * 1000000,
            if(number % 23 = 0, 'STATUS_CODE_ERROR', 'STATUS_CODE_UNSET')
        FROM numbers({n})"""
    )
    eng.execute(
        f"""INSERT INTO otel_logs (Timestamp, TraceId, SpanId, ServiceName, EventName, LogAttributes)
        SELECT now64(9), lower(hex(intDiv(number * 3, 10) + 1000000000)), lower(hex(number * 3 + 1000000000)), 'bench',
            'gen_ai.evaluation.result',
            map('gen_ai.evaluation.name', 'non_empty', 'gen_ai.evaluation.score.value', toString(number % 7 != 0),
                'gen_ai.evaluation.score.label', if(number % 7 != 0, 'pass', 'fail'))
        FROM numbers({n // 3})"""
    )
    eng.execute(
        f"""INSERT INTO otel_logs (Timestamp, TraceId, SpanId, ServiceName, EventName, LogAttributes)
        SELECT now64(9), lower(hex(intDiv(number * 100, 10) + 1000000000)), lower(hex(number * 100 + 1000000000)),
            'bench', 'agentel.feedback', map('agentel.feedback.good', if(number % 4 = 0, 'false', 'true'))
        FROM numbers({n // 100})"""
    )


def get(url: str) -> tuple[float, str]:
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as r:
        body = r.read().decode()
        assert r.status == 200, url
    return (time.perf_counter() - t0) * 1000, body


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-ui-")
    eng = open_engine(tmp)
    try:
        apply(eng)
        t0 = time.perf_counter()
        seed(eng, args.rows)
        print(f"seeded {args.rows:,} calls in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        server = make_server(Repository(eng))
        server.start_background()
        base = server.url.rstrip("/")
        _, calls = get(base + "/calls")
        first = re.search(r'href="(/call\?[^"]+)"', calls)
        assert first
        call_url = first.group(1).replace("&amp;", "&")
        trace = re.search(r"trace=([0-9a-f]+)", call_url)
        assert trace
        # 20 pages deep through the keyset cursor
        deep = "/calls"
        for _ in range(20):
            _, body = get(base + deep)
            nxt = re.search(r'href="(/calls\?[^"]*after=[^"]+)" class="next"', body)
            assert nxt
            deep = nxt.group(1).replace("&amp;", "&")
        pages = [
            ("runs list", "/"),
            ("calls, page 1", "/calls"),
            ("calls, page 21 (keyset)", deep),
            ("calls, model filter", "/calls?model=gpt-4o"),
            ("calls, run filter", "/calls?run=run-7"),
            (
                "calls, errors in a time window",
                "/calls?status=error&since="
                + time.strftime("%Y-%m-%d", time.gmtime(time.time() - 7 * 86400)),
            ),
            ("calls, bad feedback", "/calls?feedback=bad"),
            ("calls, failing checks", "/calls?failing=1"),
            ("call detail", call_url),
            ("trace view", f"/trace?trace={trace.group(1)}"),
            ("leaderboard (default: 7 days)", "/leaderboard"),
            ("leaderboard, all time", "/leaderboard?since=all"),
            ("cost (default: 7 days)", "/cost"),
            ("cost, all time", "/cost?since=all"),
            ("evals (default: 7 days)", "/evals"),
            ("evals, all time", "/evals?since=all"),
            ("feedback (default: 7 days)", "/feedback"),
            ("feedback, all time", "/feedback?since=all"),
            ("search, a word in every call", "/calls?q=lorem"),
            ("search, an absent word", "/calls?q=qwertyuiop"),
        ]
        rows = []
        for name, path in pages:
            cold, body = get(base + path)
            times = [get(base + path)[0] for _ in range(args.rounds)]
            med = statistics.median(times)
            rows.append(
                (
                    name,
                    f"{cold:.0f}",
                    f"{med:.0f}",
                    f"{max(times):.0f}",
                    f"{len(body) / 1024:.0f}",
                    "yes" if max(cold, med) < 1000 else "NO",
                )
            )
        server.shutdown()
        server.server_close()
        print(f"\nagentel ui page loads, {args.rows:,} calls, embedded store, median of {args.rounds} (ms)\n")
        print(table(("page", "first load", "median", "max", "KiB", "< 1 s"), rows))
    finally:
        eng.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
