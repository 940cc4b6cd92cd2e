"""Evals over the store: judge stored LLM calls on demand, list and summarize results.

Used by ``agentel evals run|list|summary`` and ``agentel feedback``. Every question is a
``queries/<name>.sql`` file with bound parameters. Results are *emitted* (as telemetry through the
pipeline in force) rather than inserted, so they reach the store the way every record does; the
CLI then loads its own file at once (docs/evals.md, "Where CLI records go").
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from agentel._internal.sqlfiles import SqlFiles
from agentel.evals.emit import emit_result
from agentel.evals.model import Call, CheckResult, EvalError
from agentel.evals.run import Params, evaluate, validate

PAGE = 2000


sql = SqlFiles("agentel.evals", "queries")


def ask(engine: Any, name: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    return engine.query(sql(name), dict(params)).dicts()  # type: ignore[no-any-return]


def _finish_reasons(raw: Any) -> tuple[str, ...]:
    if not raw:
        return ()
    try:
        value = json.loads(raw)
    except ValueError:
        return (str(raw),)
    return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)


def call_from_row(row: Mapping[str, Any]) -> Call:
    """A :class:`Call` from a ``calls_to_judge`` row (content unknown when it was not captured)."""
    return Call.from_messages(
        row.get("input_messages") or None,
        row.get("output_messages") or None,
        row.get("system_instructions") or None,
        model=row.get("model") or None,
        provider=row.get("provider") or None,
        input_tokens=int(row["input_tokens"])
        if row.get("input_tokens") or row.get("output_tokens")
        else None,
        output_tokens=int(row["output_tokens"])
        if row.get("input_tokens") or row.get("output_tokens")
        else None,
        latency_s=float(row["duration_ms"]) / 1000 if row.get("duration_ms") is not None else None,
        error_type=(row.get("error_type") or ("error" if row.get("is_error") else None)) or None,
        finish_reasons=_finish_reasons(row.get("finish_reasons")),
        reference_answer=row.get("reference_answer") or None,
        trace_id=row.get("trace_id") or None,
        span_id=row.get("span_id") or None,
    )


@dataclass
class JudgeReport:
    """What ``agentel evals run`` did."""

    calls: int = 0  # calls read
    judged: int = 0  # calls that got at least one new result
    already: int = 0  # calls every selected check had judged before
    results: int = 0
    passed: int = 0
    failed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    by_check: dict[str, Counter[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "judged": self.judged,
            "already_judged": self.already,
            "results": self.results,
            "passed": self.passed,
            "failed": self.failed,
            "skipped": dict(self.skipped),
            "errors": dict(self.errors),
            "by_check": {
                k: {"passed": v["passed"], "failed": v["failed"]} for k, v in sorted(self.by_check.items())
            },
        }


def judge_stored_calls(
    engine: Any,
    window_params: Mapping[str, str],
    *,
    run: str | None = None,
    model: str | None = None,
    checks: Iterable[str] | None = None,
    params: Params | None = None,
    rejudge: bool = False,
    limit: int | None = None,
    emit: Callable[..., None] = emit_result,
    progress: Callable[[int], None] | None = None,
) -> JudgeReport:
    """Run checks on the stored calls in the window; each new result is emitted on its call.

    A call that already has a result for a check is not judged by it again unless ``rejudge``
    (so a re-run adds nothing twice). ``limit`` bounds the number of calls read.
    """
    names = list(checks) if checks is not None else None
    specs = validate(names, params)
    wanted = {s.name for s in specs}
    report = JudgeReport()
    cursor = ("1970-01-01 00:00:00.000000", "")
    while True:
        page = PAGE if limit is None else min(PAGE, limit - report.calls)
        if page <= 0:
            break
        rows = ask(
            engine,
            "calls_to_judge",
            {
                **window_params,
                "run": run or "",
                "model": model or "",
                "cur_ts": cursor[0],
                "cur_span": cursor[1],
                "limit": page,
            },
        )
        if not rows:
            break
        for row in rows:
            report.calls += 1
            done = set(row.get("judged") or ())
            todo = wanted if rejudge else wanted - done
            if not todo:
                report.already += 1
                continue
            outcome = evaluate(call_from_row(row), sorted(todo) if names else None, params)
            fresh = [r for r in outcome.results if r.name in todo]
            report.judged += bool(fresh)
            for name in outcome.skipped:
                if name in todo:
                    report.skipped[name] += 1
            for name in outcome.errors:
                report.errors[name] += 1
            for result in fresh:
                _count(report, result)
                emit(result, trace_id=row["trace_id"], span_id=row["span_id"])
        cursor = (rows[-1]["ts"], rows[-1]["span_id"])
        if progress is not None:
            progress(report.calls)
        if len(rows) < page:
            break
    return report


def _count(report: JudgeReport, result: CheckResult) -> None:
    report.results += 1
    ok = result.passed
    report.passed += ok
    report.failed += not ok
    report.by_check.setdefault(result.name, Counter())["passed" if ok else "failed"] += 1


def list_results(
    engine: Any,
    window_params: Mapping[str, str],
    *,
    check: str | None = None,
    failed: bool = False,
    trace: str | None = None,
    run: str | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Recent results, newest first (``agentel evals list``)."""
    return ask(
        engine,
        "eval_results",
        {
            **window_params,
            "check": check or "",
            "failed": 1 if failed else 0,
            "trace": trace or "",
            "run": run or "",
            "limit": limit,
        },
    )


def summary(
    engine: Any,
    window_params: Mapping[str, str],
    *,
    check: str | None = None,
    run: str | None = None,
    by: str = "",
) -> list[dict[str, Any]]:
    """Pass rates per check (and model) (``agentel evals summary``)."""
    return ask(engine, "eval_summary", {**window_params, "check": check or "", "run": run or "", "by": by})


@dataclass(frozen=True)
class FeedbackTarget:
    trace_id: str
    span_id: str  # "" = the whole trace
    how: str  # what it is: "the call", "the trace's root span", "the span given", "the trace"


def feedback_target(engine: Any, trace_id: str, span_id: str | None = None) -> FeedbackTarget:
    """Where ``agentel feedback TRACE`` links: the given span, the trace's only call, or its root.

    Linking to a span (not just the trace) is what lets leaderboards count the feedback for a
    model. An unknown trace or span is an :class:`EvalError` naming what the store has.
    """
    row = ask(engine, "feedback_target", {"trace": trace_id})[0]
    if not row["spans"]:
        raise EvalError(
            f"no trace {trace_id!r} in the store; list recent calls with "
            '`agentel query "SELECT trace_id, model, timestamp FROM llm_logs ORDER BY timestamp DESC LIMIT 20"`'
        )
    if span_id:
        if span_id not in row["all_spans"]:
            raise EvalError(f"trace {trace_id} has no span {span_id!r}")
        return FeedbackTarget(trace_id, span_id, "the span given")
    calls = list(row["calls"] or ())
    if len(calls) == 1:
        return FeedbackTarget(trace_id, calls[0], "the trace's LLM call")
    if row["root"]:
        return FeedbackTarget(trace_id, row["root"], "the trace's root span")
    return FeedbackTarget(trace_id, "", "the trace")


def alert_window(engine: Any, window_params: Mapping[str, str], run: str | None = None) -> dict[str, Any]:
    """The alert window's aggregates over stored calls (``agentel alerts check``)."""
    return ask(engine, "alert_window", {**window_params, "run": run or ""})[0]


__all__ = [
    "FeedbackTarget",
    "JudgeReport",
    "alert_window",
    "call_from_row",
    "feedback_target",
    "judge_stored_calls",
    "list_results",
    "summary",
]
