"""``agentel feedback``: good/bad feedback, a comment or the expected answer on a trace."""

from __future__ import annotations

import json

import click

from agentel.cli.options import (
    format_option,
    load_own,
    open_engine,
    telemetry,
)


@click.command("feedback")
@click.argument("trace")
@click.option(
    "--span", default=None, help="The span judged (default: the trace's only LLM call, else its root span)."
)
@click.option("--good/--bad", "good", default=None, help="The verdict.")
@click.option("--comment", default=None, help="What was good or wrong.")
@click.option(
    "--reference-answer",
    default=None,
    help="The answer that was expected (used by the contains_reference check).",
)
@click.option("--no-check", is_flag=True, help="Do not look the trace up in the store (record it as given).")
@format_option(("table", "json"))
def feedback_cmd(
    trace: str,
    span: str | None,
    good: bool | None,
    comment: str | None,
    reference_answer: str | None,
    no_check: bool,
    fmt: str,
) -> None:
    """Record feedback on a trace: --good/--bad, a comment, the expected answer.

    TRACE is a trace id (32 hex digits) as `agentel runs`, `run-info` and the UI show it.
    """
    from agentel.evals.emit import span_id_int, trace_id_int
    from agentel.evals.feedback import feedback
    from agentel.evals.model import EvalError
    from agentel.evals.store import FeedbackTarget, feedback_target

    if good is None and not comment and not reference_answer:
        raise click.UsageError("give --good or --bad (and/or --comment, --reference-answer)")
    try:
        tid = trace_id_int(trace.strip().lower(), "TRACE")
        sid = span_id_int(span.strip().lower(), "--span") if span else None
    except EvalError as exc:
        raise click.BadParameter(str(exc)) from None
    trace_hex = format(tid, "032x")
    span_hex = format(sid, "016x") if sid else None
    if no_check:
        target = FeedbackTarget(trace_hex, span_hex or "", "as given")
        with telemetry("feedback"):
            feedback(tid, sid, good=good, comment=comment, reference_answer=reference_answer)
    else:
        with open_engine(quiet=fmt != "table") as engine:
            target = feedback_target(engine, trace_hex, span_hex)
            with telemetry("feedback") as run_dir:
                feedback(
                    tid,
                    target.span_id or None,
                    good=good,
                    comment=comment,
                    reference_answer=reference_answer,
                )
            load_own(engine, run_dir)
    verdict = "good" if good else "bad" if good is False else "no verdict"
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "trace_id": target.trace_id,
                    "span_id": target.span_id,
                    "linked_to": target.how,
                    "good": good,
                }
            )
        )
    else:
        where = f"span {target.span_id} ({target.how})" if target.span_id else "the whole trace"
        click.echo(f"recorded feedback ({verdict}) on trace {target.trace_id}, {where}")
