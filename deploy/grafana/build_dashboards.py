"""agentel's Grafana dashboards, declared once here and written as provisioned JSON.

    python deploy/grafana/build_dashboards.py        # rewrites deploy/grafana/dashboards/*.json

Every panel queries ClickHouse through grafana-clickhouse-datasource (v4, raw SQL editor) and
reads agentel's store: the typed views (`llm_logs`, `feedback`, `eval_checks`, `evolution_runs`,
`generations`, `individuals`, `code_lineages`, `agent_actions`) and the raw `otel_traces` /
`otel_logs` tables. Each query names the columns its panel uses (``columns``); the test suite
expands the plugin's macros, runs every query on the embedded engine against data made by
example workloads, and checks the rows and those columns (tests/deploy/test_dashboards.py). A test
also fails when the JSON files are not what this script writes.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "dashboards"
DS = {"type": "grafana-clickhouse-datasource", "uid": "agentel-clickhouse"}
PLUGIN_VERSION = "4.10.1"
FORMATS = {"timeseries": 0, "table": 1, "logs": 2, "traces": 3}
TRACE_LINK = "/d/agentel-traces/agentel-traces?var-trace_id=${__value.raw}&${__url_time_range}"

# Filters shared by the LLM dashboards (template variables: service, model).
LLM_FILTER = (
    "$__timeFilter(timestamp)"
    " AND $__conditionalAll(service_name IN (${service:singlequote}), $service)"
    " AND $__conditionalAll(model IN (${model:singlequote}), $model)"
)
EVO_FILTER = "$__conditionalAll(run_id IN (${evo_run:singlequote}), $evo_run)"
RUN_MATCH = (
    "('${run}' = '' OR ResourceAttributes['agentel.run_id'] = '${run}' OR SpanAttributes['run'] = '${run}')"
)


@dataclass
class Query:
    sql: str
    format: str = "table"  # timeseries | table | logs | traces
    columns: tuple[str, ...] = ()  # the result columns the panel uses
    ref: str = "A"


@dataclass
class Panel:
    title: str
    kind: str  # stat | timeseries | table | barchart | trend | logs | traces | nodeGraph | piechart
    queries: list[Query]
    w: int = 6
    h: int = 8
    unit: str | None = None
    description: str = ""
    links_on: tuple[str, ...] = ()  # columns whose values open the Traces dashboard
    units: dict[str, str] = field(default_factory=dict)  # per-column units
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Variable:
    name: str
    label: str
    query: str | None = None  # None: a textbox
    multi: bool = True


@dataclass
class Dashboard:
    uid: str
    title: str
    file: str
    description: str
    variables: list[Variable]
    panels: list[Panel]


SERVICE_VAR = Variable(
    "service",
    "Service",
    "SELECT DISTINCT service_name FROM llm_logs WHERE $__timeFilter(timestamp) ORDER BY 1",
)
MODEL_VAR = Variable(
    "model", "Model", "SELECT DISTINCT model FROM llm_logs WHERE $__timeFilter(timestamp) ORDER BY 1"
)


def stat(title: str, sql: str, column: str, unit: str = "short", w: int = 4) -> Panel:
    return Panel(title, "stat", [Query(sql, "table", (column,))], w=w, h=4, unit=unit)


# --- LLM overview ---------------------------------------------------------------------------

LLM_OVERVIEW = Dashboard(
    "agentel-llm-overview",
    "agentel · LLM overview",
    "llm-overview.json",
    "Requests, tokens, cost, latency and errors of LLM calls (llm_logs), by model.",
    [SERVICE_VAR, MODEL_VAR],
    [
        stat("Requests", f"SELECT count() AS requests FROM llm_logs WHERE {LLM_FILTER}", "requests"),
        stat(
            "Input tokens",
            f"SELECT sum(input_tokens) AS input_tokens FROM llm_logs WHERE {LLM_FILTER}",
            "input_tokens",
        ),
        stat(
            "Output tokens",
            f"SELECT sum(output_tokens) AS output_tokens FROM llm_logs WHERE {LLM_FILTER}",
            "output_tokens",
        ),
        stat(
            "Cost",
            f"SELECT sum(cost) AS cost_usd FROM llm_logs WHERE {LLM_FILTER}",
            "cost_usd",
            "currencyUSD",
        ),
        stat(
            "p95 latency",
            f"SELECT quantile(0.95)(latency) AS p95_latency FROM llm_logs WHERE {LLM_FILTER}",
            "p95_latency",
            "s",
        ),
        stat(
            "Error rate",
            f"SELECT avg(is_error) AS error_rate FROM llm_logs WHERE {LLM_FILTER}",
            "error_rate",
            "percentunit",
        ),
        Panel(
            "Requests and errors",
            "timeseries",
            [
                Query(
                    "SELECT $__timeInterval(timestamp) AS time, count() AS requests, countIf(is_error = 1) AS errors\n"
                    f"FROM llm_logs WHERE {LLM_FILTER}\nGROUP BY time ORDER BY time",
                    "timeseries",
                    ("time", "requests", "errors"),
                )
            ],
            w=12,
        ),
        Panel(
            "Tokens in / out",
            "timeseries",
            [
                Query(
                    "SELECT $__timeInterval(timestamp) AS time, sum(input_tokens) AS input, sum(output_tokens) AS output\n"
                    f"FROM llm_logs WHERE {LLM_FILTER}\nGROUP BY time ORDER BY time",
                    "timeseries",
                    ("time", "input", "output"),
                )
            ],
            w=12,
        ),
        Panel(
            "Latency p50 / p95",
            "timeseries",
            [
                Query(
                    "SELECT $__timeInterval(timestamp) AS time, quantile(0.5)(latency) AS p50, quantile(0.95)(latency) AS p95\n"
                    f"FROM llm_logs WHERE {LLM_FILTER}\nGROUP BY time ORDER BY time",
                    "timeseries",
                    ("time", "p50", "p95"),
                )
            ],
            w=12,
            unit="s",
        ),
        Panel(
            "Cost by model",
            "timeseries",
            [
                Query(
                    "SELECT $__timeInterval(timestamp) AS time, model, sum(cost) AS cost\n"
                    f"FROM llm_logs WHERE {LLM_FILTER}\nGROUP BY time, model ORDER BY time",
                    "timeseries",
                    ("time", "model", "cost"),
                )
            ],
            w=12,
            unit="currencyUSD",
            options={"drawStyle": "bars"},
        ),
        Panel(
            "Top models",
            "table",
            [
                Query(
                    "SELECT model, any(provider) AS provider, count() AS calls, sum(input_tokens) AS input_tokens,\n"
                    "    sum(output_tokens) AS output_tokens, sum(cost) AS cost_usd,\n"
                    "    quantile(0.5)(latency) AS p50_latency, quantile(0.95)(latency) AS p95_latency,\n"
                    "    avg(is_error) AS error_rate\n"
                    f"FROM llm_logs WHERE {LLM_FILTER}\nGROUP BY model ORDER BY calls DESC LIMIT 20",
                    "table",
                    (
                        "model",
                        "provider",
                        "calls",
                        "input_tokens",
                        "output_tokens",
                        "cost_usd",
                        "p50_latency",
                        "p95_latency",
                        "error_rate",
                    ),
                )
            ],
            w=24,
            units={
                "cost_usd": "currencyUSD",
                "p50_latency": "s",
                "p95_latency": "s",
                "error_rate": "percentunit",
            },
        ),
        Panel(
            "Last calls",
            "table",
            [
                Query(
                    "SELECT timestamp, model, run_id, task, input_tokens, output_tokens, latency, cost, is_error,\n"
                    "    error_type, trace_id\n"
                    f"FROM llm_logs WHERE {LLM_FILTER}\nORDER BY timestamp DESC LIMIT 50",
                    "table",
                    (
                        "timestamp",
                        "model",
                        "run_id",
                        "input_tokens",
                        "output_tokens",
                        "latency",
                        "cost",
                        "is_error",
                        "trace_id",
                    ),
                )
            ],
            w=24,
            h=10,
            links_on=("trace_id",),
            units={"latency": "s", "cost": "currencyUSD"},
        ),
    ],
)

# --- Cost ----------------------------------------------------------------------------------

COST = Dashboard(
    "agentel-cost",
    "agentel · Cost",
    "cost.json",
    "Spend from genai-prices per model, run and day; calls the price data does not know.",
    [SERVICE_VAR, MODEL_VAR],
    [
        stat(
            "Total cost",
            f"SELECT sum(cost) AS cost_usd FROM llm_logs WHERE {LLM_FILTER}",
            "cost_usd",
            "currencyUSD",
            6,
        ),
        stat(
            "Cost per call",
            f"SELECT avg(cost) AS cost_per_call FROM llm_logs WHERE {LLM_FILTER}",
            "cost_per_call",
            "currencyUSD",
            6,
        ),
        stat(
            "Cost per 1k tokens",
            f"SELECT sum(cost) / nullIf(sum(total_tokens), 0) * 1000 AS cost_per_1k_tokens FROM llm_logs WHERE {LLM_FILTER}",
            "cost_per_1k_tokens",
            "currencyUSD",
            6,
        ),
        stat(
            "Calls without a price",
            f"SELECT countIf(cost IS NULL) AS unpriced_calls FROM llm_logs WHERE {LLM_FILTER}",
            "unpriced_calls",
            "short",
            6,
        ),
        Panel(
            "Cost over time by model",
            "timeseries",
            [
                Query(
                    "SELECT $__timeInterval(timestamp) AS time, model, sum(cost) AS cost\n"
                    f"FROM llm_logs WHERE {LLM_FILTER}\nGROUP BY time, model ORDER BY time",
                    "timeseries",
                    ("time", "model", "cost"),
                )
            ],
            w=24,
            unit="currencyUSD",
        ),
        Panel(
            "Cost by model",
            "table",
            [
                Query(
                    "SELECT model, count() AS calls, sum(total_tokens) AS tokens, sum(cache_read_tokens) AS cache_read_tokens,\n"
                    "    sum(cache_write_tokens) AS cache_write_tokens, sum(cost) AS cost_usd,\n"
                    "    sum(cost) / nullIf(sum(total_tokens), 0) * 1000 AS usd_per_1k_tokens\n"
                    f"FROM llm_logs WHERE {LLM_FILTER}\nGROUP BY model ORDER BY cost_usd DESC",
                    "table",
                    ("model", "calls", "tokens", "cost_usd", "usd_per_1k_tokens"),
                )
            ],
            w=12,
            units={"cost_usd": "currencyUSD", "usd_per_1k_tokens": "currencyUSD"},
        ),
        Panel(
            "Cost by run",
            "table",
            [
                Query(
                    "SELECT run_id, any(task) AS task, count() AS calls, sum(total_tokens) AS tokens, sum(cost) AS cost_usd\n"
                    f"FROM llm_logs WHERE {LLM_FILTER}\nGROUP BY run_id ORDER BY cost_usd DESC LIMIT 50",
                    "table",
                    ("run_id", "calls", "tokens", "cost_usd"),
                )
            ],
            w=12,
            units={"cost_usd": "currencyUSD"},
        ),
        Panel(
            "Cost by day",
            "barchart",
            [
                Query(
                    "SELECT toString(toDate(timestamp)) AS day, sum(cost) AS cost_usd\n"
                    f"FROM llm_logs WHERE {LLM_FILTER}\nGROUP BY day ORDER BY day",
                    "table",
                    ("day", "cost_usd"),
                )
            ],
            w=24,
            unit="currencyUSD",
            options={"xField": "day"},
        ),
    ],
)

# --- Feedback -------------------------------------------------------------------------------

FEEDBACK = Dashboard(
    "agentel-feedback",
    "agentel · Feedback",
    "feedback.json",
    "Good/bad feedback recorded on LLM calls (agentel.feedback events), by model and over time.",
    [],
    [
        stat(
            "Feedback",
            "SELECT count() AS feedback FROM feedback WHERE $__timeFilter(timestamp)",
            "feedback",
            "short",
            6,
        ),
        stat(
            "Good",
            "SELECT avg(good) AS good_ratio FROM feedback WHERE $__timeFilter(timestamp)",
            "good_ratio",
            "percentunit",
            6,
        ),
        stat(
            "With a reference answer",
            "SELECT countIf(reference_answer != '') AS with_reference FROM feedback WHERE $__timeFilter(timestamp)",
            "with_reference",
            "short",
            6,
        ),
        stat(
            "Calls with feedback",
            "SELECT uniqExact(trace_id, span_id) AS calls FROM feedback WHERE $__timeFilter(timestamp)",
            "calls",
            "short",
            6,
        ),
        Panel(
            "Good / bad over time",
            "timeseries",
            [
                Query(
                    "SELECT $__timeInterval(timestamp) AS time, countIf(good = 1) AS good_count, countIf(good = 0) AS bad_count\n"
                    "FROM feedback WHERE $__timeFilter(timestamp)\nGROUP BY time ORDER BY time",
                    "timeseries",
                    ("time", "good_count", "bad_count"),
                )
            ],
            w=12,
            options={"drawStyle": "bars", "stacking": "normal"},
        ),
        Panel(
            "Feedback by model",
            "table",
            [
                Query(
                    "SELECT l.model AS model, count() AS feedback, avg(f.good) AS good_ratio\n"
                    "FROM feedback AS f INNER JOIN llm_logs AS l ON f.trace_id = l.trace_id AND f.span_id = l.span_id\n"
                    "WHERE $__timeFilter(f.timestamp)\nGROUP BY model ORDER BY feedback DESC",
                    "table",
                    ("model", "feedback", "good_ratio"),
                )
            ],
            w=12,
            units={"good_ratio": "percentunit"},
        ),
        Panel(
            "Recent feedback",
            "table",
            [
                Query(
                    "SELECT f.timestamp AS timestamp, f.good AS good, f.comment AS comment,\n"
                    "    f.reference_answer AS reference_answer, l.model AS model, f.trace_id AS trace_id\n"
                    "FROM feedback AS f LEFT JOIN llm_logs AS l ON f.trace_id = l.trace_id AND f.span_id = l.span_id\n"
                    "WHERE $__timeFilter(f.timestamp)\nORDER BY timestamp DESC LIMIT 100",
                    "table",
                    ("timestamp", "good", "comment", "reference_answer", "model", "trace_id"),
                )
            ],
            w=24,
            h=10,
            links_on=("trace_id",),
        ),
    ],
)

# --- Evals -----------------------------------------------------------------------------------

EVALS = Dashboard(
    "agentel-evals",
    "agentel · Evals",
    "evals.json",
    "Results of evaluation checks (gen_ai.evaluation.result events): pass rates, scores, failures.",
    [
        Variable(
            "check",
            "Check",
            "SELECT DISTINCT check_name FROM eval_checks WHERE $__timeFilter(timestamp) ORDER BY 1",
        )
    ],
    [
        stat(
            "Checks run",
            "SELECT count() AS checks FROM eval_checks WHERE $__timeFilter(timestamp)"
            " AND $__conditionalAll(check_name IN (${check:singlequote}), $check)",
            "checks",
            "short",
            8,
        ),
        stat(
            "Pass rate",
            "SELECT avg(passed) AS pass_rate FROM eval_checks WHERE $__timeFilter(timestamp)"
            " AND $__conditionalAll(check_name IN (${check:singlequote}), $check)",
            "pass_rate",
            "percentunit",
            8,
        ),
        stat(
            "Mean score",
            "SELECT avg(score) AS mean_score FROM eval_checks WHERE $__timeFilter(timestamp)"
            " AND $__conditionalAll(check_name IN (${check:singlequote}), $check)",
            "mean_score",
            "short",
            8,
        ),
        Panel(
            "Pass rate by check over time",
            "timeseries",
            [
                Query(
                    "SELECT $__timeInterval(timestamp) AS time, check_name, avg(passed) AS pass_rate\n"
                    "FROM eval_checks WHERE $__timeFilter(timestamp)"
                    " AND $__conditionalAll(check_name IN (${check:singlequote}), $check)\n"
                    "GROUP BY time, check_name ORDER BY time",
                    "timeseries",
                    ("time", "check_name", "pass_rate"),
                )
            ],
            w=12,
            unit="percentunit",
        ),
        Panel(
            "Scores by check",
            "table",
            [
                Query(
                    "SELECT check_name, count() AS runs, avg(passed) AS pass_rate, avg(score) AS mean_score,\n"
                    "    min(score) AS min_score, max(score) AS max_score\n"
                    "FROM eval_checks WHERE $__timeFilter(timestamp)"
                    " AND $__conditionalAll(check_name IN (${check:singlequote}), $check)\n"
                    "GROUP BY check_name ORDER BY pass_rate",
                    "table",
                    ("check_name", "runs", "pass_rate", "mean_score"),
                )
            ],
            w=12,
            units={"pass_rate": "percentunit"},
        ),
        Panel(
            "Pass rate by model",
            "table",
            [
                Query(
                    "SELECT l.model AS model, e.check_name AS check_name, count() AS runs, avg(e.passed) AS pass_rate\n"
                    "FROM eval_checks AS e INNER JOIN llm_logs AS l ON e.trace_id = l.trace_id AND e.span_id = l.span_id\n"
                    "WHERE $__timeFilter(e.timestamp)"
                    " AND $__conditionalAll(e.check_name IN (${check:singlequote}), $check)\n"
                    "GROUP BY model, check_name ORDER BY model, check_name",
                    "table",
                    ("model", "check_name", "runs", "pass_rate"),
                )
            ],
            w=12,
            units={"pass_rate": "percentunit"},
        ),
        Panel(
            "Failures",
            "table",
            [
                Query(
                    "SELECT timestamp, check_name, score, label, explanation, trace_id\n"
                    "FROM eval_checks WHERE $__timeFilter(timestamp) AND NOT passed"
                    " AND $__conditionalAll(check_name IN (${check:singlequote}), $check)\n"
                    "ORDER BY timestamp DESC LIMIT 100",
                    "table",
                    ("timestamp", "check_name", "score", "label", "explanation", "trace_id"),
                )
            ],
            w=12,
            links_on=("trace_id",),
        ),
    ],
)

# --- Evolution runs -------------------------------------------------------------------------

EVOLUTION = Dashboard(
    "agentel-evolution",
    "agentel · Evolution runs",
    "evolution-runs.json",
    "LLM-driven evolutionary search: runs, best/average fitness per generation, lineage.",
    [
        Variable(
            "evo_run",
            "Evolution run",
            "SELECT DISTINCT run_id FROM evolution_runs WHERE $__timeFilter(started_at) ORDER BY 1",
        )
    ],
    [
        Panel(
            "Runs",
            "table",
            [
                Query(
                    "SELECT r.run_id AS run_id, r.task_name AS task_name, r.status AS status, r.started_at AS started_at,\n"
                    "    r.duration_s AS duration_s, g.generations AS generations, g.best_score AS best_score, r.trace_id AS trace_id\n"
                    "FROM evolution_runs AS r\n"
                    "LEFT JOIN (SELECT run_id, count() AS generations, max(best_score) AS best_score FROM generations GROUP BY run_id) AS g\n"
                    "    ON g.run_id = r.run_id\n"
                    f"WHERE $__timeFilter(r.started_at) AND {EVO_FILTER.replace('run_id IN', 'r.run_id IN')}\n"
                    "ORDER BY started_at DESC LIMIT 100",
                    "table",
                    (
                        "run_id",
                        "task_name",
                        "status",
                        "started_at",
                        "duration_s",
                        "generations",
                        "best_score",
                        "trace_id",
                    ),
                )
            ],
            w=24,
            links_on=("trace_id",),
            units={"duration_s": "s"},
        ),
        Panel(
            "Best / average fitness per generation",
            "trend",
            [
                Query(
                    "SELECT generation, max(best_score) AS best_score, avg(avg_score) AS avg_score\n"
                    f"FROM generations WHERE $__timeFilter(timestamp) AND {EVO_FILTER}\n"
                    "GROUP BY generation ORDER BY generation",
                    "table",
                    ("generation", "best_score", "avg_score"),
                )
            ],
            w=12,
            h=9,
            options={"xField": "generation"},
        ),
        Panel(
            "Lineage by mutation type",
            "barchart",
            [
                Query(
                    "SELECT mutation_type, count() AS children, countIf(fitness_delta > 0) AS improved,\n"
                    "    avg(fitness_delta) AS mean_fitness_delta\n"
                    f"FROM code_lineages WHERE $__timeFilter(timestamp) AND {EVO_FILTER}\n"
                    "GROUP BY mutation_type ORDER BY children DESC",
                    "table",
                    ("mutation_type", "children", "improved", "mean_fitness_delta"),
                )
            ],
            w=12,
            h=9,
            options={"xField": "mutation_type"},
        ),
        Panel(
            "Lineage graph",
            "nodeGraph",
            [
                Query(
                    "SELECT individual_id AS id, concat('gen ', toString(generation)) AS subtitle,\n"
                    "    round(fitness_score, 3) AS mainstat, code_hash AS detail__code_hash\n"
                    f"FROM individuals WHERE $__timeFilter(timestamp) AND {EVO_FILTER}\nLIMIT 500",
                    "table",
                    ("id", "subtitle", "mainstat"),
                    "nodes",
                ),
                Query(
                    "SELECT concat(parent_id, '->', child_id) AS id, parent_id AS source, child_id AS target,\n"
                    "    mutation_type AS mainstat\n"
                    f"FROM code_lineages WHERE $__timeFilter(timestamp) AND {EVO_FILTER}\nLIMIT 1000",
                    "table",
                    ("id", "source", "target", "mainstat"),
                    "edges",
                ),
            ],
            w=12,
            h=12,
        ),
        Panel(
            "Top individuals",
            "table",
            [
                Query(
                    "SELECT individual_id, run_id, generation, fitness_score, code_hash, metrics\n"
                    f"FROM individuals WHERE $__timeFilter(timestamp) AND {EVO_FILTER}\n"
                    "ORDER BY fitness_score DESC LIMIT 20",
                    "table",
                    ("individual_id", "run_id", "generation", "fitness_score", "code_hash"),
                )
            ],
            w=12,
            h=12,
        ),
        Panel(
            "Agent actions",
            "table",
            [
                Query(
                    "SELECT timestamp, agent, action_type, details, run_id, trace_id\n"
                    "FROM agent_actions WHERE $__timeFilter(timestamp)"
                    " AND (run_id = '' OR $__conditionalAll(run_id IN (${evo_run:singlequote}), $evo_run))\n"
                    "ORDER BY timestamp DESC LIMIT 200",
                    "table",
                    ("timestamp", "agent", "action_type", "details", "trace_id"),
                )
            ],
            w=24,
            links_on=("trace_id",),
        ),
    ],
)

# --- Traces ----------------------------------------------------------------------------------

# With no trace id given, the Trace panels open the latest trace that made an LLM call.
TRACE_PICK = (
    "if('${trace_id}' != '', '${trace_id}', (SELECT trace_id FROM llm_logs WHERE $__timeFilter(timestamp)"
    " AND ('${run}' = '' OR process_run_id = '${run}' OR run_id = '${run}') ORDER BY timestamp DESC LIMIT 1))"
)

TRACES = Dashboard(
    "agentel-traces",
    "agentel · Traces",
    "traces.json",
    "Find runs and traces (by agentel run id, `run` correlation key or trace id) and open one.",
    [Variable("run", "Run id", None), Variable("trace_id", "Trace id", None)],
    [
        Panel(
            "Runs",
            "table",
            [
                Query(
                    "SELECT ResourceAttributes['agentel.run_id'] AS process_run_id,\n"
                    "    if(SpanAttributes['run'] != '', SpanAttributes['run'], process_run_id) AS run,\n"
                    "    ServiceName AS service, min(Timestamp) AS started, count() AS spans,\n"
                    "    uniqExact(TraceId) AS traces, countIf(StatusCode IN ('Error', 'STATUS_CODE_ERROR')) AS errors\n"
                    f"FROM otel_traces WHERE $__timeFilter(Timestamp) AND {RUN_MATCH}\n"
                    "GROUP BY process_run_id, run, service ORDER BY started DESC LIMIT 100",
                    "table",
                    ("process_run_id", "run", "service", "started", "spans", "traces", "errors"),
                )
            ],
            w=12,
            h=9,
        ),
        Panel(
            "Traces",
            "table",
            [
                Query(
                    "SELECT TraceId AS trace_id, argMin(SpanName, Timestamp) AS root, min(Timestamp) AS start,\n"
                    "    max(Duration) / 1e6 AS duration_ms, count() AS spans,\n"
                    "    countIf(StatusCode IN ('Error', 'STATUS_CODE_ERROR')) AS errors, any(ServiceName) AS service\n"
                    f"FROM otel_traces WHERE $__timeFilter(Timestamp) AND {RUN_MATCH}\n"
                    "    AND ('${trace_id}' = '' OR TraceId = '${trace_id}')\n"
                    "GROUP BY TraceId ORDER BY start DESC LIMIT 100",
                    "table",
                    ("trace_id", "root", "start", "duration_ms", "spans", "errors", "service"),
                )
            ],
            w=12,
            h=9,
            links_on=("trace_id",),
            units={"duration_ms": "ms"},
        ),
        Panel(
            "Trace",
            "traces",
            [
                Query(
                    "SELECT TraceId AS traceID, SpanId AS spanID, ParentSpanId AS parentSpanID,\n"
                    "    ServiceName AS serviceName, SpanName AS operationName,\n"
                    "    multiply(toUnixTimestamp64Nano(Timestamp), 0.000001) AS startTime,\n"
                    "    multiply(Duration, 0.000001) AS duration,\n"
                    "    arrayMap(key -> map('key', key, 'value', SpanAttributes[key]), mapKeys(SpanAttributes)) AS tags,\n"
                    "    arrayMap(key -> map('key', key, 'value', ResourceAttributes[key]), mapKeys(ResourceAttributes)) AS serviceTags,\n"
                    "    if(StatusCode IN ('Error', 'STATUS_CODE_ERROR'), 2, 0) AS statusCode\n"
                    f"FROM otel_traces WHERE TraceId = {TRACE_PICK}\n"
                    "ORDER BY startTime",
                    "traces",
                    (
                        "traceID",
                        "spanID",
                        "parentSpanID",
                        "serviceName",
                        "operationName",
                        "startTime",
                        "duration",
                        "tags",
                        "serviceTags",
                    ),
                )
            ],
            w=24,
            h=12,
        ),
        Panel(
            "LLM calls in the trace",
            "table",
            [
                Query(
                    "SELECT timestamp, model, provider, input_tokens, output_tokens, latency, cost, is_error, span_id\n"
                    f"FROM llm_logs WHERE trace_id = {TRACE_PICK}\nORDER BY timestamp",
                    "table",
                    ("timestamp", "model", "input_tokens", "output_tokens", "latency", "cost", "span_id"),
                )
            ],
            w=12,
            units={"latency": "s", "cost": "currencyUSD"},
        ),
        Panel(
            "Logs and events",
            "logs",
            [
                Query(
                    "SELECT Timestamp AS timestamp, Body AS body, SeverityText AS level,\n"
                    "    if(EventName != '', EventName, LogAttributes['event.name']) AS event,\n"
                    "    TraceId AS traceID, SpanId AS spanID, ServiceName AS service\n"
                    "FROM otel_logs WHERE $__timeFilter(Timestamp)\n"
                    "    AND ('${run}' = '' OR ResourceAttributes['agentel.run_id'] = '${run}' OR LogAttributes['run'] = '${run}')\n"
                    "    AND ('${trace_id}' = '' OR TraceId = '${trace_id}')\n"
                    "ORDER BY Timestamp DESC LIMIT 500",
                    "logs",
                    ("timestamp", "body", "level", "traceID"),
                )
            ],
            w=12,
            options={
                "showTime": True,
                "wrapLogMessage": True,
                "sortOrder": "Descending",
                "enableLogDetails": True,
            },
        ),
    ],
)

DASHBOARDS = [LLM_OVERVIEW, COST, FEEDBACK, EVALS, EVOLUTION, TRACES]


# --- rendering -------------------------------------------------------------------------------


def _variable(v: Variable) -> dict[str, Any]:
    if v.query is None:
        return {
            "type": "textbox",
            "name": v.name,
            "label": v.label,
            "query": "",
            "current": {"text": "", "value": ""},
            "hide": 0,
        }
    return {
        "type": "query",
        "name": v.name,
        "label": v.label,
        "datasource": DS,
        "query": v.query,
        "definition": v.query,
        "refresh": 2,
        "includeAll": True,
        "multi": v.multi,
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
        "sort": 1,
        "hide": 0,
    }


_PANEL_DEFAULTS: dict[str, dict[str, Any]] = {
    "stat": {
        "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
        "colorMode": "value",
        "graphMode": "none",
        "textMode": "auto",
    },
    "timeseries": {
        "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
        "tooltip": {"mode": "multi", "sort": "desc"},
    },
    "table": {
        "showHeader": True,
        "cellHeight": "sm",
        "footer": {"show": False, "reducer": ["sum"], "fields": ""},
    },
    "barchart": {
        "orientation": "auto",
        "showValue": "auto",
        "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
    },
    "trend": {
        "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
        "tooltip": {"mode": "multi"},
    },
    "logs": {},
    "traces": {},
    "nodeGraph": {},
}
_FIELD_OPTIONS = ("drawStyle", "stacking")  # go to fieldConfig.defaults.custom, not options


def _panel(p: Panel, pid: int, x: int, y: int) -> dict[str, Any]:
    custom = {k: ({"mode": v} if k == "stacking" else v) for k, v in p.options.items() if k in _FIELD_OPTIONS}
    options = {**_PANEL_DEFAULTS[p.kind], **{k: v for k, v in p.options.items() if k not in _FIELD_OPTIONS}}
    defaults: dict[str, Any] = {}
    if p.unit:
        defaults["unit"] = p.unit
    if custom:
        defaults["custom"] = custom
    overrides: list[dict[str, Any]] = []
    for column, unit in p.units.items():
        overrides.append(
            {"matcher": {"id": "byName", "options": column}, "properties": [{"id": "unit", "value": unit}]}
        )
    for column in p.links_on:
        overrides.append(
            {
                "matcher": {"id": "byName", "options": column},
                "properties": [{"id": "links", "value": [{"title": "Open trace", "url": TRACE_LINK}]}],
            }
        )
    return {
        "id": pid,
        "type": p.kind,
        "title": p.title,
        "description": p.description,
        "gridPos": {"h": p.h, "w": p.w, "x": x, "y": y},
        "datasource": DS,
        "targets": [
            {
                "refId": q.ref,
                "datasource": DS,
                "editorType": "sql",
                "pluginVersion": PLUGIN_VERSION,
                "queryType": q.format,
                "format": FORMATS[q.format],
                "rawSql": q.sql,
            }
            for q in p.queries
        ],
        "fieldConfig": {"defaults": defaults, "overrides": overrides},
        "options": options,
    }


def render(d: Dashboard) -> dict[str, Any]:
    """The dashboard JSON Grafana provisions (panels laid out left to right, 24 columns wide)."""
    panels, x, y, row_h = [], 0, 0, 0
    for pid, p in enumerate(d.panels, start=1):
        if x + p.w > 24:
            x, y, row_h = 0, y + row_h, 0
        panels.append(_panel(p, pid, x, y))
        x, row_h = x + p.w, max(row_h, p.h)
    links = [
        {"title": other.title, "type": "link", "url": f"/d/{other.uid}", "icon": "dashboard"}
        for other in DASHBOARDS
        if other.uid != d.uid
    ]
    return {
        "uid": d.uid,
        "title": d.title,
        "description": d.description,
        "tags": ["agentel"],
        "timezone": "browser",
        "editable": False,
        "graphTooltip": 1,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "1m",
        "time": {"from": "now-24h", "to": "now"},
        "links": links,
        "templating": {"list": [_variable(v) for v in d.variables]},
        "annotations": {"list": []},
        "panels": panels,
    }


def dump(d: Dashboard) -> str:
    return json.dumps(render(d), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for d in DASHBOARDS:
        (OUT / d.file).write_text(dump(d))
        print(f"wrote {OUT / d.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
