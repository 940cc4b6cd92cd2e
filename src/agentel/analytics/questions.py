"""The questions reports ask, each a ``queries/<question>.sql`` file; Python binds parameters only.

Every function takes an open :class:`~agentel.store.Engine` and returns plain rows (dicts), so the
CLI, the demo and the tests share them. Nothing user-typed is formatted into SQL.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agentel._internal.sqlfiles import SqlFiles
from agentel.analytics.window import Window
from agentel.store.engine import Engine

LEADERBOARD_KEYS = ("model", "task", "operation", "provider", "run")
COST_KEYS = ("model", "provider", "run", "task", "operation", "day")


class AnalyticsError(ValueError):
    """A report cannot answer: the message names the argument and what to do."""


sql = SqlFiles("agentel.analytics", "queries")


def ask(engine: Engine, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Run question ``name`` with ``params``; rows as dicts."""
    return engine.query(sql(name), params or {}).dicts()


def _filters(window: Window, run: str | None, task: str | None, model: str | None) -> dict[str, Any]:
    return {**window.params(), "run": run or "", "task": task or "", "model": model or ""}


def check_run(engine: Engine, run: str | None) -> None:
    """Fail with a clear message when ``--run`` names a run the store does not know."""
    if not run:
        return
    found = engine.query(sql("run_exists"), {"run": run}).scalar()
    if not found:
        raise AnalyticsError(f"--run: no run {run!r} in the store{_known_runs(engine)}")


def _known_runs(engine: Engine) -> str:
    rows = ask(engine, "recent_runs", {"limit": 5})
    if not rows:
        return " (the store is empty: run a program under agentel, then `agentel load`)"
    return " (recent runs: " + ", ".join(r["run_id"] for r in rows) + "; list them with `agentel runs`)"


def runs(engine: Engine, window: Window, *, run: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Root spans (one per trace), newest first, with spans, errors, LLM calls, tokens, cost."""
    check_run(engine, run)
    return ask(engine, "runs", {**window.params(), "run": run or "", "limit": limit})


_SORTS: dict[str, tuple[str, bool]] = {
    # name -> (column, descending?)
    "calls": ("calls", True),
    "score": ("mean_score", True),
    "confidence": ("mean_confidence", True),
    "wins": ("win_rate", True),
    "feedback": ("good_feedback_rate", True),
    "cost": ("cost_usd", False),
    "latency": ("p50_ms", False),
    "errors": ("error_rate", False),
    "tokens": ("tokens_per_call", False),
}
LEADERBOARD_SORTS = tuple(_SORTS)
#: by default a quality is ranked by the pessimistic end of its 95% interval, so a model with two
#: lucky calls does not outrank one with two hundred good ones; "mean" ranks by the value itself
RANK_BY = ("bound", "mean")
DEFAULT_MIN_CALLS = 5
_Z95 = 1.959964

# sort -> (how many observations the value is a mean of, its standard deviation column or "rate")
_INTERVALS: dict[str, tuple[str, str]] = {
    "score": ("scores", "score_sd"),
    "confidence": ("confidences", "confidence_sd"),
    "wins": ("member_answers", "rate"),
    "feedback": ("feedback", "rate"),
    "errors": ("calls", "rate"),
}


def _wilson(p: float, n: int) -> tuple[float, float]:
    """The Wilson 95% interval of a rate ``p`` over ``n`` trials."""
    z2 = _Z95 * _Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = _Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def interval(row: Mapping[str, Any], sort: str, column: str) -> tuple[float | None, float | None]:
    """The 95% confidence interval of ``row[column]`` (None, None when it has none or no value).

    Rates get the Wilson interval; means the normal one, mean ± 1.96·sd/√n, with sd 0.5 (the
    widest a 0..1 value can spread) while there is only one observation.
    """
    spec = _INTERVALS.get(sort)
    value = row.get(column)
    if spec is None or value is None or (isinstance(value, float) and math.isnan(value)):
        return None, None
    count_col, sd_col = spec
    n = int(row.get(count_col) or 0)
    if n <= 0:
        return None, None
    if sd_col == "rate":
        return _wilson(float(value), n)
    sd = row.get(sd_col)
    sd = 0.5 if sd is None or (isinstance(sd, float) and math.isnan(sd)) else float(sd)
    half = _Z95 * sd / math.sqrt(n)
    return float(value) - half, float(value) + half


def leaderboard(
    engine: Engine,
    window: Window,
    *,
    by: str = "model",
    run: str | None = None,
    task: str | None = None,
    model: str | None = None,
    sort: str = "score",
    group_aliases: bool = False,
    min_calls: int = 1,
    rank_by: str = "bound",
) -> list[dict[str, Any]]:
    """Per model (or ``by`` task/operation/provider/run): calls, quality, tokens, latency, cost.

    Sorted by ``sort`` (missing values last; ties broken by calls). The group column is named
    after ``by``. By run, ``arbiter_final_confidence`` is a consortium run's final arbiter
    confidence, and ``sort="confidence"`` ranks runs by it.

    ``group_aliases`` counts a dated snapshot for its model family (``gpt-4o-mini-2024-07-18`` as
    ``gpt-4o-mini``). Rows with fewer than ``min_calls`` calls rank after the rest
    (``enough_calls`` false). For score, confidence, wins, feedback and errors, ``ci95_low`` and
    ``ci95_high`` are the 95% interval of the sorted value, and ``rank_by="bound"`` (the default)
    ranks by its pessimistic end (the lower bound of a quality, the upper bound of the error rate).
    """
    if by not in LEADERBOARD_KEYS:
        raise AnalyticsError(f"--by: unknown grouping {by!r} (known: {', '.join(LEADERBOARD_KEYS)})")
    if sort not in _SORTS:
        raise AnalyticsError(f"--sort: unknown order {sort!r} (known: {', '.join(_SORTS)})")
    if rank_by not in RANK_BY:
        raise AnalyticsError(f"--rank-by: unknown choice {rank_by!r} (known: {', '.join(RANK_BY)})")
    check_run(engine, run)
    params = {**_filters(window, run, task, model), "by": by, "aliases": int(group_aliases and by == "model")}
    rows = ask(engine, "leaderboard", params)
    column, desc = _SORTS[sort]
    if by == "run" and sort == "confidence":
        # a consortium run is as good as its arbiter's final verdict, not the mean of every answer
        column = "arbiter_final_confidence"
    elif by != "run":
        for row in rows:
            row.pop("arbiter_final_confidence", None)

    for row in rows:
        low, high = interval(row, "confidence" if column == "arbiter_final_confidence" else sort, column)
        if column == "arbiter_final_confidence":  # one verdict per run: no interval
            low = high = None
        row["ci95_low"], row["ci95_high"] = low, high
        row["enough_calls"] = int(row["calls"]) >= min_calls

    def order(row: dict[str, Any]) -> tuple[int, int, float, float]:
        v = row.get(column)
        if rank_by == "bound" and row["ci95_low"] is not None:
            v = row["ci95_low"] if desc else row["ci95_high"]
        # a run's own verdict is one number, whatever the number of calls behind it
        few = 0 if row["enough_calls"] or column == "arbiter_final_confidence" else 1
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return (few, 1, 0.0, -float(row["calls"]))
        return (few, 0, -float(v) if desc else float(v), -float(row["calls"]))

    rows.sort(key=order)
    out = []
    for rank, row in enumerate(rows, 1):
        key = row.pop("key")
        out.append({"rank": rank, by: key, **row})
    return out


def cost(
    engine: Engine,
    window: Window,
    *,
    by: str = "model",
    run: str | None = None,
    task: str | None = None,
    model: str | None = None,
) -> list[dict[str, Any]]:
    """Cost by ``by`` (model, provider, run, task, operation, day), with unpriced calls apart."""
    if by not in COST_KEYS:
        raise AnalyticsError(f"--by: unknown grouping {by!r} (known: {', '.join(COST_KEYS)})")
    check_run(engine, run)
    rows = ask(engine, "cost", {**_filters(window, run, task, model), "by": by})
    return [{by: r.pop("key"), **r} for r in rows]


@dataclass
class SpanNode:
    """A span in a run's tree, with what was said about it (scores, confidence, feedback)."""

    row: dict[str, Any]
    children: list[SpanNode] = field(default_factory=list)
    annotations: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.row,
            "annotations": self.annotations,
            "children": [c.as_dict() for c in self.children],
        }


@dataclass
class RunTree:
    """What ``run-info`` shows: the traces of a run as span trees, and totals over all spans."""

    id: str
    kind: str  # "trace" or "run"
    trace_ids: list[str]
    roots: list[SpanNode]
    totals: dict[str, Any]
    truncated: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "trace_ids": self.trace_ids,
            "totals": self.totals,
            "truncated": self.truncated,
            "spans": [r.as_dict() for r in self.roots],
        }

    def flat(self) -> list[dict[str, Any]]:
        """Every span as one row with its depth (for CSV), in tree order."""
        out: list[dict[str, Any]] = []

        def walk(node: SpanNode, depth: int) -> None:
            scores = {a["name"]: a["value"] for a in node.annotations if a["kind"] == "score"}
            conf = [a["value"] for a in node.annotations if a["kind"] == "confidence"]
            out.append(
                {
                    "depth": depth,
                    **node.row,
                    "scores": scores or None,
                    "confidence": conf[0] if conf else None,
                }
            )
            for c in node.children:
                walk(c, depth + 1)

        for r in self.roots:
            walk(r, 0)
        return out


def run_tree(engine: Engine, run_or_trace_id: str, *, limit: int = 2000, max_traces: int = 200) -> RunTree:
    """The span tree of a trace, or of every trace of a run (by ``run`` key or agentel.run_id)."""
    ident = run_or_trace_id.strip()
    if not ident:
        raise AnalyticsError("RUN_OR_TRACE_ID: give a run id or a trace id (see `agentel runs`)")
    kind = "trace"
    if ask(engine, "trace_exists", {"id": ident}):
        trace_ids = [ident]
    else:
        kind = "run"
        trace_ids = [r["trace_id"] for r in ask(engine, "run_traces", {"id": ident, "limit": max_traces})]
    if not trace_ids:
        raise AnalyticsError(f"RUN_OR_TRACE_ID: no trace or run {ident!r} in the store{_known_runs(engine)}")
    ids = ",".join(t for t in trace_ids if t.isalnum())  # trace ids are hex: nothing to escape
    spans = ask(engine, "trace_spans", {"ids": ids, "limit": limit + 1})
    truncated = len(spans) > limit
    spans = spans[:limit]
    notes = ask(engine, "trace_annotations", {"ids": ids})
    return RunTree(ident, kind, trace_ids, _build_tree(spans, notes), _totals(spans, notes), truncated)


def _build_tree(spans: Sequence[dict[str, Any]], notes: Sequence[dict[str, Any]]) -> list[SpanNode]:
    nodes = {s["span_id"]: SpanNode(dict(s)) for s in spans}
    for n in notes:
        node = nodes.get(n["span_id"])
        if node is not None:
            node.annotations.append({k: n[k] for k in ("kind", "name", "value", "label")})
    roots: list[SpanNode] = []
    for s in spans:
        node = nodes[s["span_id"]]
        parent = nodes.get(s["parent_span_id"])
        (parent.children if parent is not None else roots).append(node)
    return roots


def _totals(spans: Sequence[dict[str, Any]], notes: Sequence[dict[str, Any]]) -> dict[str, Any]:
    llm = [s for s in spans if s["is_llm_call"]]
    costs = [s["cost_usd"] for s in llm if s["cost_usd"] is not None]
    scores = [n["value"] for n in notes if n["kind"] == "score" and n["value"] is not None]
    starts = [s["start"] for s in spans]
    return {
        "spans": len(spans),
        "errors": sum(1 for s in spans if s["status"] == "error"),
        "llm_calls": len(llm),
        "llm_errors": sum(1 for s in llm if s["status"] == "error"),
        "input_tokens": sum(int(s["input_tokens"] or 0) for s in llm),
        "output_tokens": sum(int(s["output_tokens"] or 0) for s in llm),
        "cost_usd": sum(costs) if costs else None,
        "mean_score": sum(scores) / len(scores) if scores else None,
        "started": min(starts) if starts else None,
    }


def metric_points(engine: Engine, window: Window, *, metric: str | None = None) -> list[dict[str, Any]]:
    """Metric points in ``window`` (``metric``: a name, or a pattern with ``*``)."""
    pattern = (metric or "").replace("%", r"\%").replace("_", r"\_").replace("*", "%")
    return ask(engine, "metric_points", {**window.params(), "metric": pattern})


__all__ = [
    "COST_KEYS",
    "LEADERBOARD_KEYS",
    "LEADERBOARD_SORTS",
    "AnalyticsError",
    "RunTree",
    "SpanNode",
    "ask",
    "check_run",
    "cost",
    "leaderboard",
    "metric_points",
    "run_tree",
    "runs",
    "sql",
]
