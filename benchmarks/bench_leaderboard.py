"""Model leaderboard over N LLM calls: the store's typed tables (embedded chdb) vs SQLite.

Question: how long does the per-model leaderboard (calls, mean eval score, tokens per call,
p50/p95 latency, cost, error rate) take at 1M (and 10M) calls, compared with SQLite — the store
earlier tools in this space used — holding the same rows with an index on model?
Goal: < 200 ms at 10M rows and >= 20x faster than SQLite.

Run: python benchmarks/bench_leaderboard.py [--rows 1000000] [--rounds 5]   (10M: --rows 10000000)
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from _common import table  # noqa: E402

from agentel.store import apply, open_engine  # noqa: E402

MODELS = [
    "gpt-4o-mini",
    "gpt-4o",
    "claude-3-5-haiku",
    "claude-3-5-sonnet",
    "llama-3-70b",
    "mistral-large",
    "gemini-1.5-pro",
    "o3-mini",
]

CH_LEADERBOARD = """
SELECT c.Model AS model, count() AS calls, avg(e.score) AS mean_score,
       avg(c.InputTokens + c.OutputTokens) AS tokens_per_call,
       quantile(0.5)(c.DurationMs) AS p50_ms, quantile(0.95)(c.DurationMs) AS p95_ms,
       sum(c.CostUsd) AS cost_usd, avg(c.IsError) AS error_rate
FROM llm_calls AS c
LEFT JOIN (SELECT SpanId, avg(ScoreValue) AS score FROM eval_results GROUP BY SpanId) AS e ON e.SpanId = c.SpanId
GROUP BY model ORDER BY calls DESC
"""

SQLITE_LEADERBOARD = """
WITH ranked AS (
  SELECT model, duration_ms,
         ROW_NUMBER() OVER (PARTITION BY model ORDER BY duration_ms) AS rn,
         COUNT(*) OVER (PARTITION BY model) AS n
  FROM llm_calls
), pct AS (
  SELECT model,
         MIN(CASE WHEN rn >= 0.5 * n THEN duration_ms END) AS p50_ms,
         MIN(CASE WHEN rn >= 0.95 * n THEN duration_ms END) AS p95_ms
  FROM ranked GROUP BY model
), sc AS (SELECT span_id, AVG(score) AS score FROM eval_results GROUP BY span_id)
SELECT c.model, COUNT(*) AS calls, AVG(sc.score) AS mean_score,
       AVG(c.input_tokens + c.output_tokens), pct.p50_ms, pct.p95_ms, SUM(c.cost), AVG(c.is_error)
FROM llm_calls c LEFT JOIN sc ON sc.span_id = c.span_id JOIN pct ON pct.model = c.model
GROUP BY c.model ORDER BY 2 DESC
"""


def seed_clickhouse(eng, n: int) -> None:  # type: ignore[no-untyped-def]
    models = "[" + ",".join(f"'{m}'" for m in MODELS) + "]"
    eng.execute(
        f"""INSERT INTO llm_calls (Timestamp, TraceId, SpanId, Model, RequestModel, Provider, Operation,
            InputTokens, OutputTokens, CostUsd, DurationMs, IsError, Run)
        SELECT now64(9) - toIntervalSecond(number % 86400), hex(number), hex(number),
               {models}[number % 8 + 1], {models}[number % 8 + 1], 'openai', 'chat',
               100 + number % 900, 20 + number % 400, (number % 100) / 10000.0,
               50 + (cityHash64(number) % 5000), number % 23 = 0, concat('run-', toString(number % 100))
        FROM numbers({n})"""
    )
    eng.execute(
        f"""INSERT INTO eval_results (Timestamp, TraceId, SpanId, Name, ScoreValue)
        SELECT now64(9), hex(number * 3), hex(number * 3), 'quality', (cityHash64(number) % 100) / 100.0
        FROM numbers({n // 3})"""
    )


def seed_sqlite(path: str, n: int) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE llm_calls (ts REAL, span_id TEXT, model TEXT, input_tokens INT, output_tokens INT, "
        "cost REAL, duration_ms REAL, is_error INT, run TEXT)"
    )
    db.execute("CREATE TABLE eval_results (span_id TEXT, name TEXT, score REAL)")
    now = time.time()
    import zlib

    def calls():  # type: ignore[no-untyped-def]
        for i in range(n):
            yield (now - i % 86400, format(i, "X"), MODELS[i % 8], 100 + i % 900, 20 + i % 400, (i % 100) / 10000.0,
                   50 + zlib.crc32(str(i).encode()) % 5000, int(i % 23 == 0), f"run-{i % 100}")  # fmt: skip

    db.executemany("INSERT INTO llm_calls VALUES (?,?,?,?,?,?,?,?,?)", calls())
    db.executemany(
        "INSERT INTO eval_results VALUES (?,?,?)",
        ((format(i * 3, "X"), "quality", (zlib.crc32(str(i).encode()) % 100) / 100.0) for i in range(n // 3)),
    )
    db.execute("CREATE INDEX idx_model ON llm_calls(model, duration_ms)")
    db.execute("CREATE INDEX idx_span ON llm_calls(span_id)")
    db.execute("CREATE INDEX idx_eval_span ON eval_results(span_id)")
    db.commit()
    return db


def timed(fn, rounds: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--sqlite-rounds", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        eng = open_engine(d)
        apply(eng)
        t0 = time.perf_counter()
        seed_clickhouse(eng, args.rows)
        seed_ch = time.perf_counter() - t0
        eng.execute("OPTIMIZE TABLE llm_calls FINAL")
        ch_rows = eng.query(CH_LEADERBOARD).rows
        assert len(ch_rows) == len(MODELS) and sum(r[1] for r in ch_rows) == args.rows
        ch_ms = timed(lambda: eng.query(CH_LEADERBOARD), args.rounds)
        t0 = time.perf_counter()
        db = seed_sqlite(os.path.join(d, "calls.sqlite"), args.rows)
        seed_sq = time.perf_counter() - t0
        sq_rows = db.execute(SQLITE_LEADERBOARD).fetchall()
        assert len(sq_rows) == len(MODELS) and sum(r[1] for r in sq_rows) == args.rows
        sq_ms = timed(lambda: db.execute(SQLITE_LEADERBOARD).fetchall(), args.sqlite_rounds)
        eng.close()
    print(f"leaderboard over {args.rows:,} LLM calls (+{args.rows // 3:,} eval scores), median wall time")
    print(
        table(
            ["store", "leaderboard ms", "vs agentel", "seed s"],
            [
                ["agentel (chdb, llm_calls typed table)", f"{ch_ms:,.1f}", "1.0x", f"{seed_ch:.1f}"],
                [
                    "SQLite (indexed on model, span_id)",
                    f"{sq_ms:,.1f}",
                    f"{sq_ms / ch_ms:,.1f}x slower",
                    f"{seed_sq:.1f}",
                ],
            ],
        )
    )


if __name__ == "__main__":
    main()
