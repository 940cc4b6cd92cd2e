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


def leaderboard(
    engine: Engine,
    window: Window,
    *,
    by: str = "model",
    run: str | None = None,
    task: str | None = None,
    model: str | None = None,
    sort: str = "score",
) -> list[dict[str, Any]]:
    """Per model (or ``by`` task/operation/provider/run): calls, quality, tokens, latency, cost.

    Sorted by ``sort`` (missing values last; ties broken by calls). The group column is named
    after ``by``. By run, ``arbiter_final_confidence`` is a consortium run's final arbiter
    confidence, and ``sort="confidence"`` ranks runs by it.
    """
    if by not in LEADERBOARD_KEYS:
        raise AnalyticsError(f"--by: unknown grouping {by!r} (known: {', '.join(LEADERBOARD_KEYS)})")
    if sort not in _SORTS:
        raise AnalyticsError(f"--sort: unknown order {sort!r} (known: {', '.join(_SORTS)})")
    check_run(engine, run)
    rows = ask(engine, "leaderboard", {**_filters(window, run, task, model), "by": by})
    column, desc = _SORTS[sort]
    if by == "run" and sort == "confidence":
        # a consortium run is as good as its arbiter's final verdict, not the mean of every answer
        column = "arbiter_final_confidence"
    elif by != "run":
        for row in rows:
            row.pop("arbiter_final_confidence", None)

    def order(row: dict[str, Any]) -> tuple[int, float, float]:
        v = row.get(column)
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return (1, 0.0, -float(row["calls"]))
        return (0, -float(v) if desc else float(v), -float(row["calls"]))

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
