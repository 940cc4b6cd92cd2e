"""``agentel evals run|list|summary|checks``: rule-based checks on stored LLM calls.

Check results ``evals run`` makes are telemetry like any other: the command configures agentel in
its own process (files sink, run id ``evals-…``), emits through the redacting pipeline and loads its
own file into the open store right away, so the next query sees them.
"""

from __future__ import annotations

import json
from typing import Any

import click

from agentel.cli.options import (
    checks_module_option,
    format_option,
    limit_option,
    limited,
    load_check_modules,
    load_option,
    load_own,
    open_engine,
    parse_window,
    telemetry,
    window_options,
)


def _parse_value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _params(items: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """``--param latency.max_s=10`` → ``{"latency": {"max_s": 10}}`` (values read as JSON if they can be)."""
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        check, dot, name = key.partition(".")
        if not sep or not dot or not check or not name:
            raise click.BadParameter(
                f"expected CHECK.PARAM=VALUE (e.g. latency.max_s=10), got {item!r}", param_hint="--param"
            )
        out.setdefault(check, {})[name] = _parse_value(value)
    return out


@click.group("evals")
def evals_group() -> None:
    """Rule-based checks on LLM calls: run them on stored calls, list and summarize results."""


@evals_group.command("run")
@window_options
@click.option(
    "--run", default=None, help="Only calls of this run (a `run` key or a process's agentel.run_id)."
)
@click.option("--model", default=None, help="Only calls of this model.")
@click.option(
    "--check",
    "checks",
    multiple=True,
    metavar="NAME",
    help="Run this check (repeatable; default: every default check).",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="CHECK.PARAM=VALUE",
    help="Set a check parameter, e.g. latency.max_s=10 (repeatable).",
)
@click.option("--rejudge", is_flag=True, help="Judge calls again even where a check already has a result.")
@click.option("--limit", type=click.IntRange(1), default=None, help="Judge at most this many calls.")
@checks_module_option
@format_option(("table", "json"))
def evals_run_cmd(
    since: str | None,
    until: str | None,
    run: str | None,
    model: str | None,
    checks: tuple[str, ...],
    params: tuple[str, ...],
    rejudge: bool,
    limit: int | None,
    checks_modules: tuple[str, ...],
    fmt: str,
) -> None:
    """Run checks on stored LLM calls; each result is recorded on its call (eval_checks view).

    Calls already judged by a check are skipped unless --rejudge, so running it again after new
    calls arrive judges only those. Content checks need the content (AGENTEL_CAPTURE_CONTENT=1
    when the calls were made); they are skipped for calls without it.
    """
    from agentel.evals.model import EvalError
    from agentel.evals.run import validate
    from agentel.evals.store import judge_stored_calls

    load_check_modules(checks_modules)
    window = parse_window(since, until)
    param_map = _params(params)
    try:
        validate(list(checks) or None, param_map)
    except EvalError as exc:
        raise click.BadParameter(str(exc), param_hint="--check/--param") from None
    with open_engine(quiet=fmt != "table") as engine:
        with telemetry("evals") as run_dir:
            report = judge_stored_calls(
                engine,
                window.params(),
                run=run,
                model=model,
                checks=list(checks) or None,
                params=param_map,
                rejudge=rejudge,
                limit=limit,
            )
        load_own(engine, run_dir)
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), indent=2))
        return
    from agentel.analytics.formats import emit

    rows = [
        {
            "check_name": name,
            "passed": c["passed"],
            "failed": c["failed"],
            "pass_rate": c["passed"] / max(1, c["passed"] + c["failed"]),
        }
        for name, c in sorted(report.by_check.items())
    ]
    if rows:
        emit(rows, "table", title=f"New check results ({window.describe()})")
    click.echo(
        f"{report.results} new result(s) on {report.judged} of {report.calls} call(s): "
        f"{report.passed} passed, {report.failed} failed (results already recorded are not repeated; "
        "--rejudge repeats them)"
    )
    if report.skipped:
        click.echo(
            "skipped (not applicable, or content/usage not recorded): "
            + ", ".join(f"{k} {v}" for k, v in sorted(report.skipped.items())),
            err=True,
        )
    if report.errors:
        click.echo(
            "checks that raised: " + ", ".join(f"{k} {v}" for k, v in sorted(report.errors.items())), err=True
        )


@evals_group.command("list")
@window_options
@click.option("--check", default=None, help="Only this check.")
@click.option("--failed", is_flag=True, help="Only results that did not pass.")
@click.option("--trace", default=None, help="Only results on this trace.")
@click.option("--run", default=None, help="Only results on calls of this run.")
@click.option(
    "--limit", type=click.IntRange(1, 100_000), default=50, show_default=True, help="Newest results shown."
)
@load_option
@format_option()
def evals_list_cmd(
    since: str | None,
    until: str | None,
    check: str | None,
    failed: bool,
    trace: str | None,
    run: str | None,
    limit: int,
    no_load: bool,
    fmt: str,
) -> None:
    """List evaluation results, newest first, with the judged call's model."""
    from agentel.analytics.formats import emit
    from agentel.evals.store import list_results

    window = parse_window(since, until)
    with open_engine(no_load, quiet=fmt != "table") as engine:
        rows = list_results(
            engine, window.params(), check=check, failed=failed, trace=trace, run=run, limit=limit
        )
    emit(rows, fmt, title=f"Evaluation results ({window.describe()})")
    if not rows and fmt == "table":
        click.echo("no results in this window (run `agentel evals run`, or widen --since)", err=True)


@evals_group.command("summary")
@window_options
@click.option("--check", default=None, help="Only this check.")
@click.option("--run", default=None, help="Only results on calls of this run.")
@click.option(
    "--by",
    type=click.Choice(("check", "model")),
    default="check",
    show_default=True,
    help="Rows per check, or per check and model.",
)
@limit_option(None, "rows")
@load_option
@format_option()
def evals_summary_cmd(
    since: str | None,
    until: str | None,
    check: str | None,
    run: str | None,
    by: str,
    limit: int | None,
    no_load: bool,
    fmt: str,
) -> None:
    """Pass rate and mean score per check (and per model with --by model)."""
    from agentel.analytics.formats import emit
    from agentel.evals.store import summary

    window = parse_window(since, until)
    with open_engine(no_load, quiet=fmt != "table") as engine:
        rows = summary(engine, window.params(), check=check, run=run, by="model" if by == "model" else "")
    if by != "model":
        rows = [{k: v for k, v in r.items() if k != "model"} for r in rows]
    emit(limited(rows, limit), fmt, title=f"Checks ({window.describe()})")


@evals_group.command("checks")
@checks_module_option
@limit_option(None, "checks")
@format_option(("table", "json"))
def evals_checks_cmd(checks_modules: tuple[str, ...], limit: int | None, fmt: str) -> None:
    """List the registered checks: built-in and your own (@agentel.check)."""
    from agentel.analytics.formats import emit
    from agentel.evals.checks import list_checks

    load_check_modules(checks_modules)
    rows = [
        {
            "check_name": s.name,
            "kind": "built-in" if s.builtin else "user",
            "default": s.default,
            "params": {k: list(v) if isinstance(v, tuple) else v for k, v in s.params.items()},
            "description": s.description,
        }
        for s in list_checks()
    ]
    emit(limited(rows, limit), fmt, title="Checks")
