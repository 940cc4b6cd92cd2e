"""Every panel of every provisioned dashboard runs on the embedded engine and returns what it draws.

Data: an example workload (LLM calls with evals and feedback, an evolutionary search) recorded by
agentel to files and loaded into the store, as `agentel load` does. Each panel's SQL is expanded
the way Grafana and the ClickHouse plugin do (template variables, `$__conditionalAll`,
`$__timeFilter`, `$__timeInterval`, ...), once with every variable on "All" and once with one value
picked from the variable's own query, then run; it must return rows and the columns the panel
uses (including the ones its field overrides and links name).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import example_workload
import pytest
from grafana_macros import ALL, Context, expand

import agentel
from agentel.store.engine import EmbeddedEngine
from agentel.store.loader import load
from agentel.store.schema import apply

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy" / "grafana"))
import build_dashboards as bd  # noqa: E402

sys.path.pop(0)

SERVICE = "dashboards-seed"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedEngine]:
    tmp = tmp_path_factory.mktemp("dashboards")
    agentel.shutdown()
    settings = agentel.configure(
        dir=str(tmp / "app"), sinks=("files",), service_name=SERVICE, metrics_interval_s=0
    )
    try:
        example_workload.run()
    finally:
        agentel.shutdown()
    engine = EmbeddedEngine(str(tmp / "store"))
    apply(engine)
    report = load(engine, [str(tmp / "app" / settings.run_id)])
    assert report.rows > 0
    try:
        yield engine
    finally:
        engine.close()


@pytest.fixture(scope="module")
def context() -> Context:
    now = datetime.now(timezone.utc)
    return Context(now - timedelta(hours=1), now + timedelta(hours=1), interval_s=60)


def test_the_json_files_are_what_the_declarations_render() -> None:
    for d in bd.DASHBOARDS:
        path = bd.OUT / d.file
        assert path.read_text() == bd.dump(d), (
            f"{path} is stale: run python deploy/grafana/build_dashboards.py"
        )
    assert sorted(p.name for p in bd.OUT.glob("*.json")) == sorted(d.file for d in bd.DASHBOARDS)


def test_dashboards_are_valid_grafana_json() -> None:
    uids = set()
    for d in bd.DASHBOARDS:
        doc = json.loads((bd.OUT / d.file).read_text())
        uids.add(doc["uid"])
        ids = [p["id"] for p in doc["panels"]]
        assert len(ids) == len(set(ids))
        for p in doc["panels"]:
            assert p["gridPos"]["x"] >= 0 and p["gridPos"]["x"] + p["gridPos"]["w"] <= 24
            for t in p["targets"]:
                assert t["datasource"] == {
                    "type": "grafana-clickhouse-datasource",
                    "uid": "agentel-clickhouse",
                }
                assert t["editorType"] == "sql" and t["format"] in (0, 1, 2, 3)
    assert len(uids) == len(bd.DASHBOARDS)
    assert {"LLM overview", "Cost", "Feedback", "Evals", "Evolution runs", "Traces"} == {
        d.title.split(" · ")[1] for d in bd.DASHBOARDS
    }


def _variable_values(d: bd.Dashboard, store: EmbeddedEngine, ctx: Context, mode: str) -> dict[str, Any]:
    """All / empty for every variable, or one real value (from the variable's own query)."""
    values: dict[str, Any] = {}
    picks = _textbox_picks(store)
    for v in d.variables:
        if v.query is None:
            values[v.name] = picks[v.name] if mode == "one" else ""
            continue
        rows = store.query(expand(v.query, Context(ctx.time_from, ctx.time_to, ctx.interval_s, values))).rows
        assert rows, f"{d.title}: variable ${v.name} query returned nothing"
        options = [r[0] for r in rows]
        values[v.name] = ALL if mode == "all" else [_preferred(v.name, options)]
    return values


def _preferred(name: str, options: list[str]) -> str:
    # A value the seed data exercises in every panel (e.g. a check that has failures).
    wanted = {"check": "max_length", "model": "gpt-4o", "service": SERVICE}.get(name)
    return wanted if wanted in options else options[0]


def _textbox_picks(store: EmbeddedEngine) -> dict[str, str]:
    run = store.query("SELECT any(process_run_id) FROM llm_logs").scalar()
    trace = store.query("SELECT trace_id FROM llm_logs ORDER BY timestamp DESC LIMIT 1").scalar()
    return {"run": run, "trace_id": trace}


CASES = [
    pytest.param(d, p, q, mode, id=f"{d.uid}:{p.title}:{q.ref}:{mode}")
    for d in bd.DASHBOARDS
    for p in d.panels
    for q in p.queries
    for mode in ("all", "one")
]


@pytest.mark.parametrize(("dashboard", "panel", "query", "mode"), CASES)
def test_panel_query_returns_rows_and_the_columns_it_draws(
    dashboard: bd.Dashboard,
    panel: bd.Panel,
    query: bd.Query,
    mode: str,
    store: EmbeddedEngine,
    context: Context,
) -> None:
    variables = _variable_values(dashboard, store, context, mode)
    sql = expand(query.sql, Context(context.time_from, context.time_to, context.interval_s, variables))
    result = store.query(sql)
    assert result.rows, f"no rows for {panel.title!r} ({mode}):\n{sql}"
    missing = set(query.columns) - set(result.columns)
    assert not missing, f"{panel.title!r}: columns {missing} not in {result.columns}"
    named = set(panel.units) | set(panel.links_on)
    assert named <= set(result.columns) | {c for q in panel.queries for c in q.columns}
    if query.format == "timeseries":
        assert result.columns[0] == "time"
        times = [r[0] for r in result.rows]
        assert times == sorted(times)
    if query.format == "traces":
        assert {r[result.columns.index("traceID")] for r in result.rows} == {result.rows[0][0]}
        spans = {r[result.columns.index("spanID")] for r in result.rows}
        parents = {r[result.columns.index("parentSpanID")] for r in result.rows} - {""}
        assert parents <= spans  # a whole trace, not a fragment
    if panel.kind == "stat":
        assert len(result.rows) == 1


# --- template variables cannot leave their string literal ------------------------------------------

_REFERENCE = re.compile(r"\$\{(\w+)(?::(\w+))?\}|\[\[(\w+)\]\]|\$(?!__)(\w+)")
_ENCODED = re.compile(r"decodeURLComponent\('\$\{\w+:percentencode\}'\)")
_ALL_ARG = re.compile(r",\s*\$\w+\)")  # $__conditionalAll's second argument: consumed, never sent

PAYLOADS = [
    "x' OR 1=1 --",
    "\\' OR 1=1 --",  # ClickHouse reads \' as a quote inside a literal: :sqlstring alone breaks here
    "\\\\' OR 1=1 --",
    "'; DROP TABLE otel_traces; --",
    '" OR ""="',
    "}{,' OR 'a'='a",
    "é' OR 1=1 /*",
]


def _all_queries() -> list[tuple[str, str]]:
    out = [(f"{d.uid}:{p.title}:{q.ref}", q.sql) for d in bd.DASHBOARDS for p in d.panels for q in p.queries]
    out += [(f"{d.uid}:${v.name}", v.query) for d in bd.DASHBOARDS for v in d.variables if v.query]
    return out


def test_every_panel_and_variable_query_is_a_sql_file() -> None:
    files = {p.read_text().rstrip("\n") for p in bd.QUERIES.rglob("*.sql")}
    for name, sql in _all_queries():
        assert sql in files, f"{name}: its SQL is not a file in deploy/grafana/queries/"


def test_variables_reach_the_sql_only_percent_encoded() -> None:
    for name, sql in _all_queries():
        rest = _ALL_ARG.sub(")", _ENCODED.sub("''", sql))
        leftover = [m.group(0) for m in _REFERENCE.finditer(rest)]
        assert not leftover, (
            f"{name}: {leftover} interpolated without decodeURLComponent('${{var:percentencode}}')"
        )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_an_injection_payload_in_a_text_variable_stays_a_string_literal(
    payload: str, store: EmbeddedEngine, context: Context
) -> None:
    literal = expand(
        "decodeURLComponent('${run:percentencode}')",
        Context(context.time_from, context.time_to, 60, {"run": payload}),
    )
    assert store.query(f"SELECT {literal}").scalar() == payload
    variables = {"run": payload, "trace_id": payload}
    for panel in bd.TRACES.panels:
        for q in panel.queries:
            sql = expand(q.sql, Context(context.time_from, context.time_to, context.interval_s, variables))
            result = store.query(sql)  # parses: the payload did not change the statement
            assert result.rows == [], f"{panel.title!r} matched rows for run/trace_id {payload!r}:\n{sql}"
    # a drop-down variable set from the URL is text from the user too
    picked = {"service": [payload], "model": [payload, "gpt-4o"]}
    for panel in bd.LLM_OVERVIEW.panels[:1]:
        sql = expand(panel.queries[0].sql, Context(context.time_from, context.time_to, 60, picked))
        assert store.query(sql).scalar() == 0


def test_sqlstring_alone_would_not_keep_a_payload_in_its_literal(store: EmbeddedEngine) -> None:
    # Why the dashboards percent-encode: Grafana's :sqlstring doubles quotes but leaves backslashes,
    # and ClickHouse honours backslash escapes, so this payload ends the literal and adds OR 1=1.
    quoted = expand(
        "${v:sqlstring}",
        Context(datetime.now(timezone.utc), datetime.now(timezone.utc), 60, {"v": PAYLOADS[1]}),
    )
    assert store.query(f"SELECT 'no such run' = {quoted}").scalar() == 1
