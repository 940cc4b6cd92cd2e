"""agentel's Grafana dashboards, declared once here and written as provisioned JSON.

    python deploy/grafana/build_dashboards.py        # rewrites deploy/grafana/dashboards/*.json

Every panel queries ClickHouse through grafana-clickhouse-datasource (v4, raw SQL editor) and
reads agentel's store: the typed views (`llm_logs`, `feedback`, `eval_checks`, `evolution_runs`,
`generations`, `individuals`, `code_lineages`, `agent_actions`) and the raw `otel_traces` /
`otel_logs` tables. The SQL of every panel and variable is a file in ``queries/`` (one folder per
dashboard, ``variables/`` for the drop-downs). Template variables reach the SQL only as
``decodeURLComponent('${var:percentencode}')``: the percent-encoded text holds nothing but
``[A-Za-z0-9._~%-]``, so no value can end the string literal it sits in (``:sqlstring`` and
``:singlequote`` leave backslashes alone, and ClickHouse reads ``\'`` as an escaped quote).
Multi-value variables arrive as ``{a,b}`` and are split on commas. Each query names the columns
its panel uses (``columns``); the test suite
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
QUERIES = Path(__file__).resolve().parent / "queries"
DS = {"type": "grafana-clickhouse-datasource", "uid": "agentel-clickhouse"}
PLUGIN_VERSION = "4.10.1"
FORMATS = {"timeseries": 0, "table": 1, "logs": 2, "traces": 3}
TRACE_LINK = "/d/agentel-traces/agentel-traces?var-trace_id=${__value.raw}&${__url_time_range}"


def sql(name: str) -> str:
    """The text of ``queries/<name>.sql`` (a panel's or a variable's query)."""
    return (QUERIES / f"{name}.sql").read_text(encoding="utf-8").rstrip("\n")


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
    sql("variables/service"),
)
MODEL_VAR = Variable("model", "Model", sql("variables/model"))


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
        stat("Requests", sql("llm-overview/requests"), "requests"),
        stat(
            "Input tokens",
            sql("llm-overview/input-tokens"),
            "input_tokens",
        ),
        stat(
            "Output tokens",
            sql("llm-overview/output-tokens"),
            "output_tokens",
        ),
        stat(
            "Cost",
            sql("llm-overview/cost"),
            "cost_usd",
            "currencyUSD",
        ),
        stat(
            "p95 latency",
            sql("llm-overview/p95-latency"),
            "p95_latency",
            "s",
        ),
        stat(
            "Error rate",
            sql("llm-overview/error-rate"),
            "error_rate",
            "percentunit",
        ),
        Panel(
            "Requests and errors",
            "timeseries",
            [
                Query(
                    sql("llm-overview/requests-and-errors"),
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
                    sql("llm-overview/tokens-in-out"),
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
                    sql("llm-overview/latency-p50-p95"),
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
                    sql("llm-overview/cost-by-model"),
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
                    sql("llm-overview/top-models"),
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
                    sql("llm-overview/last-calls"),
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
            sql("cost/total-cost"),
            "cost_usd",
            "currencyUSD",
            6,
        ),
        stat(
            "Cost per call",
            sql("cost/cost-per-call"),
            "cost_per_call",
            "currencyUSD",
            6,
        ),
        stat(
            "Cost per 1k tokens",
            sql("cost/cost-per-1k-tokens"),
            "cost_per_1k_tokens",
            "currencyUSD",
            6,
        ),
        stat(
            "Calls without a price",
            sql("cost/calls-without-a-price"),
            "unpriced_calls",
            "short",
            6,
        ),
        Panel(
            "Cost over time by model",
            "timeseries",
            [
                Query(
                    sql("cost/cost-over-time-by-model"),
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
                    sql("cost/cost-by-model"),
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
                    sql("cost/cost-by-run"),
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
                    sql("cost/cost-by-day"),
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
            sql("feedback/feedback"),
            "feedback",
            "short",
            6,
        ),
        stat(
            "Good",
            sql("feedback/good"),
            "good_ratio",
            "percentunit",
            6,
        ),
        stat(
            "With a reference answer",
            sql("feedback/with-a-reference-answer"),
            "with_reference",
            "short",
            6,
        ),
        stat(
            "Calls with feedback",
            sql("feedback/calls-with-feedback"),
            "calls",
            "short",
            6,
        ),
        Panel(
            "Good / bad over time",
            "timeseries",
            [
                Query(
                    sql("feedback/good-bad-over-time"),
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
                    sql("feedback/feedback-by-model"),
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
                    sql("feedback/recent-feedback"),
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
            sql("variables/check"),
        )
    ],
    [
        stat(
            "Checks run",
            sql("evals/checks-run"),
            "checks",
            "short",
            8,
        ),
        stat(
            "Pass rate",
            sql("evals/pass-rate"),
            "pass_rate",
            "percentunit",
            8,
        ),
        stat(
            "Mean score",
            sql("evals/mean-score"),
            "mean_score",
            "short",
            8,
        ),
        Panel(
            "Pass rate by check over time",
            "timeseries",
            [
                Query(
                    sql("evals/pass-rate-by-check-over-time"),
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
                    sql("evals/scores-by-check"),
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
                    sql("evals/pass-rate-by-model"),
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
                    sql("evals/failures"),
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
            sql("variables/evo_run"),
        )
    ],
    [
        Panel(
            "Runs",
            "table",
            [
                Query(
                    sql("evolution-runs/runs"),
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
                    sql("evolution-runs/best-average-fitness-per-generation"),
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
                    sql("evolution-runs/lineage-by-mutation-type"),
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
                    sql("evolution-runs/lineage-graph-nodes"),
                    "table",
                    ("id", "subtitle", "mainstat"),
                    "nodes",
                ),
                Query(
                    sql("evolution-runs/lineage-graph-edges"),
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
                    sql("evolution-runs/top-individuals"),
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
                    sql("evolution-runs/agent-actions"),
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
                    sql("traces/runs"),
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
                    sql("traces/traces"),
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
                    sql("traces/trace"),
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
                    sql("traces/llm-calls-in-the-trace"),
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
                    sql("traces/logs-and-events"),
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
