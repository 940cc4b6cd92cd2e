"""Model leaderboard over N LLM calls: the store's typed tables (embedded chdb) vs SQLite.

Question: how long does the per-model leaderboard (calls, error rate, mean eval score, tokens per
call, p50/p95 latency, cost) take at 1M (and 10M) calls, compared with SQLite — the store earlier
tools in this space used — holding the same rows, indexed? Goal: < 200 ms at 10M calls and >= 20x
faster than SQLite.

agentel answers from `analytics/queries/model_leaderboard.sql`: call statistics from the hourly
rollup the store keeps (llm_calls_hourly, filled by a materialized view as calls arrive) and scores
from eval_results, whose records name the judged model. Also timed: the same leaderboard computed
from every row of llm_calls (no rollup), and with scores that must be joined to their calls.

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
import zlib
from importlib import resources

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
PARAMS = {"since": "2000-01-01 00:00:00", "until": "2100-01-01 00:00:00"}

# The leaderboard from every call (no rollup), scores joined to their calls.
CH_FROM_ROWS = """
WITH s AS (
    SELECT c.Model AS model, avg(e.ScoreValue) AS mean_score
    FROM (SELECT SpanKey, ScoreValue FROM eval_results WHERE ScoreValue IS NOT NULL) AS e
    INNER JOIN (SELECT SpanKey, Model FROM llm_calls) AS c ON c.SpanKey = e.SpanKey
    GROUP BY model
)
SELECT Model AS model, count() AS calls, avg(IsError) AS error_rate, any(s.mean_score) AS mean_score,
       avg(InputTokens + OutputTokens) AS tokens_per_call, quantiles(0.5, 0.95)(DurationMs) AS q,
       sum(CostUsd) AS cost_usd
FROM llm_calls LEFT JOIN s ON s.model = llm_calls.Model
GROUP BY Model ORDER BY calls DESC
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
), sc AS (
  SELECT c.model AS model, AVG(e.score) AS mean_score
  FROM eval_results e JOIN llm_calls c ON c.span_id = e.span_id GROUP BY c.model
)
SELECT c.model, COUNT(*) AS calls, AVG(c.is_error), sc.mean_score,
       AVG(c.input_tokens + c.output_tokens), pct.p50_ms, pct.p95_ms, SUM(c.cost)
FROM llm_calls c JOIN pct ON pct.model = c.model LEFT JOIN sc ON sc.model = c.model
GROUP BY c.model ORDER BY 2 DESC
"""


def model_leaderboard_sql() -> str:
    return resources.files("agentel.analytics").joinpath("queries/model_leaderboard.sql").read_text()


def seed_clickhouse(eng, n: int, scores_name_model: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Insert into llm_calls (as its materialized view would), which fills the hourly rollup too."""
    models = "[" + ",".join(f"'{m}'" for m in MODELS) + "]"
    step = 2_000_000  # blocks of calls, as a loader or collector would insert them
    for start in range(0, n, step):
        eng.execute(
            f"""INSERT INTO llm_calls (Timestamp, TraceId, SpanId, Model, RequestModel, Provider, Operation,
                InputTokens, OutputTokens, CostUsd, DurationMs, IsError, Run)
            SELECT now64(9) - toIntervalSecond(number % 86400), hex(number), hex(number),
                   {models}[number % 8 + 1], {models}[number % 8 + 1], 'openai', 'chat',
                   100 + number % 900, 20 + number % 400, (number % 100) / 10000.0,
                   50 + (cityHash64(number) % 5000), number % 23 = 0, concat('run-', toString(number % 100))
            FROM numbers({start}, {min(step, n - start)})"""
        )
    model = f"{models}[(number * 3) % 8 + 1]" if scores_name_model else "''"
    eng.execute(
        f"""INSERT INTO eval_results (Timestamp, TraceId, SpanId, Name, ScoreValue, Model)
        SELECT now64(9), hex(number * 3), hex(number * 3), 'quality', (cityHash64(number) % 100) / 100.0, {model}
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


def check(rows: list, n: int, scored: bool = True) -> None:  # type: ignore[type-arg]
    assert len(rows) == len(MODELS) and sum(r[1] for r in rows) == n, rows
    if scored:
        assert all(r[3] is not None for r in rows), rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--sqlite-rounds", type=int, default=2)
    args = ap.parse_args()
    lb = model_leaderboard_sql()
    with tempfile.TemporaryDirectory() as d:
        eng = open_engine(os.path.join(d, "a"))
        apply(eng)
        t0 = time.perf_counter()
        seed_clickhouse(eng, args.rows)
        seed_ch = time.perf_counter() - t0
        for t in ("llm_calls", "llm_calls_hourly", "eval_results"):
            eng.execute(f"OPTIMIZE TABLE {t} FINAL")
        check(eng.query(lb, PARAMS).rows, args.rows)
        ch_ms = timed(lambda: eng.query(lb, PARAMS), args.rounds)
        check(eng.query(CH_FROM_ROWS).rows, args.rows)
        rows_ms = timed(lambda: eng.query(CH_FROM_ROWS), args.rounds)
        eng.close()
        eng = open_engine(os.path.join(d, "b"))  # scores whose records do not name the model
        apply(eng)
        seed_clickhouse(eng, args.rows, scores_name_model=False)
        for t in ("llm_calls", "llm_calls_hourly", "eval_results"):
            eng.execute(f"OPTIMIZE TABLE {t} FINAL")
        check(eng.query(lb, PARAMS).rows, args.rows)
        join_ms = timed(lambda: eng.query(lb, PARAMS), args.rounds)
        eng.close()
        t0 = time.perf_counter()
        db = seed_sqlite(os.path.join(d, "calls.sqlite"), args.rows)
        seed_sq = time.perf_counter() - t0
        sq_rows = db.execute(SQLITE_LEADERBOARD).fetchall()
        assert len(sq_rows) == len(MODELS) and sum(r[1] for r in sq_rows) == args.rows
        sq_ms = timed(lambda: db.execute(SQLITE_LEADERBOARD).fetchall(), args.sqlite_rounds)
        db.close()
    print(
        f"per-model leaderboard over {args.rows:,} LLM calls (+{args.rows // 3:,} eval scores), median wall time"
    )
    print(
        table(
            ["store / query", "ms", "SQLite / this", "seed s"],
            [
                [
                    "agentel: model_leaderboard.sql (rollup + scores naming the model)",
                    f"{ch_ms:,.1f}",
                    f"{sq_ms / ch_ms:,.0f}x",
                    f"{seed_ch:.1f}",
                ],
                [
                    "agentel: same, scores joined to their calls",
                    f"{join_ms:,.1f}",
                    f"{sq_ms / join_ms:,.0f}x",
                    "",
                ],
                [
                    "agentel: from every llm_calls row (no rollup, join)",
                    f"{rows_ms:,.1f}",
                    f"{sq_ms / rows_ms:,.0f}x",
                    "",
                ],
                ["SQLite (indexed on model+latency, span_id)", f"{sq_ms:,.1f}", "1x", f"{seed_sq:.1f}"],
            ],
        )  # fmt: skip
    )


if __name__ == "__main__":
    main()
