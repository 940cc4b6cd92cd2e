"""Full-text search over 1M LLM calls: ILIKE on the typed table vs hasToken vs a token/ngram index.

Question: which way answers `agentel search TEXT` (prompts, answers, instructions, span names,
errors; newest 50 hits) fastest at 1M calls on the embedded engine, and is it under 500 ms?
Rows are bench_ui's (~300 bytes of captured prompt/answer each, through the materialized view
into llm_calls) plus 20 calls whose prompt holds a rare word. Three searches: a rare word
(20 hits), a common one (every call: the newest 50 are enough) and an absent one (every row read:
the worst case). Each strategy is timed as the median of --rounds runs of the query alone, with
ClickHouse's query condition cache off (it remembers which granules failed a filter, so a repeated
search would look faster than a user's first one).
Strategies D, E and F add a skip index to llm_calls (ALTER ... ADD INDEX, MATERIALIZE INDEX) and report
its build time and size; ngram and token indexes serve LIKE/hasToken (case-sensitive) only.

Run: python benchmarks/bench_search.py [--rows 1000000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from _common import table  # noqa: E402
from bench_ui import seed  # noqa: E402

from agentel.analytics.search import like_pattern, search  # noqa: E402
from agentel.analytics.window import Window  # noqa: E402
from agentel.store import apply, open_engine  # noqa: E402

COLUMNS = ("InputMessages", "OutputMessages", "SystemInstructions", "SpanName", "StatusMessage", "ErrorType")
WORDS = {"rare (20 hits)": "zanzibar", "common (every call)": "lorem", "absent (reads all)": "qwertyuiop"}


def where(kind: str) -> str:
    if kind == "ilike":
        return " OR ".join(f"{c} ILIKE {{p:String}}" for c in COLUMNS)
    if kind == "like":
        return " OR ".join(f"{c} LIKE {{p:String}}" for c in COLUMNS)
    if kind == "lower_like":
        return " OR ".join(f"lower({c}) LIKE {{lp:String}}" for c in COLUMNS)
    if kind == "position":
        return " OR ".join(f"positionCaseInsensitiveUTF8({c}, {{w:String}}) > 0" for c in COLUMNS)
    if kind == "hastoken_ci":
        return " OR ".join(f"hasTokenCaseInsensitive({c}, {{w:String}})" for c in COLUMNS)
    if kind == "hastoken":
        return " OR ".join(f"hasToken({c}, {{w:String}})" for c in COLUMNS)
    raise ValueError(kind)


def timed(eng, kind: str, word: str, rounds: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    sql = (
        "SELECT Timestamp, TraceId, SpanId, Model FROM llm_calls WHERE "
        + where(kind)
        + " ORDER BY Timestamp DESC LIMIT 50 SETTINGS use_query_condition_cache = 0"
    )
    params = {"p": like_pattern(word), "w": word, "lp": like_pattern(word.lower())}
    n = len(eng.query(sql, params).rows)
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        eng.query(sql, params)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-search-")
    eng = open_engine(tmp)
    try:
        apply(eng)
        t0 = time.perf_counter()
        seed(eng, args.rows)
        eng.execute(
            """INSERT INTO otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, SpanKind,
                ServiceName, ResourceAttributes, SpanAttributes, Duration, StatusCode)
            SELECT now64(9) - toIntervalSecond(number * 86400), lower(hex(number + 5000000000)),
                lower(hex(number + 5000000000)), '', 'chat gpt-4o', 'SPAN_KIND_CLIENT', 'bench',
                map('service.name', 'bench'),
                map('gen_ai.operation.name', 'chat', 'gen_ai.request.model', 'gpt-4o',
                    'gen_ai.input.messages', concat('[{"role":"user","parts":[{"type":"text","content":"a trip to Zanzibar ',
                        toString(number), '"}]}]')),
                1000000, 'Unset'
            FROM numbers(20)"""
        )
        print(f"seeded {args.rows:,} calls in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        rows = []

        def run(strategy: str, kind: str, note: str = "") -> None:
            for label, word in WORDS.items():
                ms, n = timed(eng, kind, word, args.rounds)
                rows.append((strategy, label, f"{ms:.0f}", n, "yes" if ms < 500 else "NO", note))
                print(rows[-1], file=sys.stderr)

        run("A ILIKE (no index)", "ilike", "substring, any case")
        run("B positionCaseInsensitiveUTF8", "position", "substring, any case")
        run("C hasTokenCaseInsensitive", "hastoken_ci", "whole words only")
        # the search as agentel runs it: the SQL file over newest-first parts of the window, snippets
        for label, word in WORDS.items():
            t = []
            n = 0
            for _ in range(args.rounds):
                eng.execute("SYSTEM DROP QUERY CONDITION CACHE")
                t0 = time.perf_counter()
                n = len(search(eng, word, Window.parse(None)))
                t.append((time.perf_counter() - t0) * 1000)
            ms = statistics.median(t)
            name = "agentel search (B, newest day/week/month first)"
            rows.append((name, label, f"{ms:.0f}", n, "yes" if ms < 500 else "NO", "with snippets"))
            print(rows[-1], file=sys.stderr)

        def add_index(name: str, expr: str, lower: bool = False) -> str:
            t0 = time.perf_counter()
            for c in COLUMNS:  # every searched column: one without an index and the OR skips nothing
                col = f"lower({c})" if lower else c
                eng.execute(f"ALTER TABLE llm_calls ADD INDEX {name}_{c} {col} TYPE {expr} GRANULARITY 1")
                eng.execute(f"ALTER TABLE llm_calls MATERIALIZE INDEX {name}_{c} SETTINGS mutations_sync = 2")
            build = time.perf_counter() - t0
            size = eng.query(
                "SELECT sum(secondary_indices_compressed_bytes) FROM system.parts "
                "WHERE active AND table = 'llm_calls' AND database = currentDatabase()"
            ).rows[0][0]
            return f"index built in {build:.1f} s, {int(size) / 1e6:.1f} MB"

        note = add_index("ix_ngram", "ngrambf_v1(3, 65536, 2, 0)")
        run("D ngrambf_v1 + LIKE", "like", "case-sensitive; " + note)
        run("D' ngrambf_v1 + ILIKE", "ilike", "index unused by ILIKE")
        for c in COLUMNS:
            eng.execute(f"ALTER TABLE llm_calls DROP INDEX ix_ngram_{c}")
        note = add_index("ix_lower", "ngrambf_v1(3, 65536, 2, 0)", lower=True)
        run("F ngrambf_v1 on lower(col) + lower(col) LIKE", "lower_like", "any case; " + note)
        for c in COLUMNS:
            eng.execute(f"ALTER TABLE llm_calls DROP INDEX ix_lower_{c}")
        note = add_index("ix_token", "tokenbf_v1(65536, 2, 0)")
        run("E tokenbf_v1 + hasToken", "hastoken", "case-sensitive, whole words; " + note)
        print(table(("strategy", "search", "median ms", "hits", "< 500 ms", "note"), rows))
    finally:
        eng.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
