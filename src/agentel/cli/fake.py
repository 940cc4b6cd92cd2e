"""``agentel fake``: a realistic fake workload (calls, evals, feedback) for dashboards and demos."""

from __future__ import annotations

import json
import os

import click

from agentel.cli.options import (
    format_option,
    load_own,
    open_engine,
    telemetry,
)


@click.command("fake")
@click.option(
    "--count", type=click.IntRange(1, 1_000_000), default=300, show_default=True, help="LLM calls to make up."
)
@click.option(
    "--hours",
    type=click.FloatRange(min=0.01),
    default=24.0,
    show_default=True,
    help="Spread them over the last this many hours.",
)
@click.option(
    "--feedback-rate",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Share of calls that get feedback.",
)
@click.option(
    "--good-ratio",
    type=click.FloatRange(0, 1),
    default=0.65,
    show_default=True,
    help="Share of the feedback that is good.",
)
@click.option("--seed", type=int, default=None, help="Random seed (same seed, same workload shape).")
@click.option("--run", default="fake", show_default=True, help="The `run` key the calls carry.")
@click.option("--no-evals", is_flag=True, help="Make no check results or judge scores.")
@click.option("--no-content", is_flag=True, help="Leave prompts and answers off the spans.")
@click.option("--load", "load_now", is_flag=True, help="Load the result into the store now.")
@format_option(("table", "json"))
def fake_cmd(
    count: int,
    hours: float,
    feedback_rate: float,
    good_ratio: float,
    seed: int | None,
    run: str,
    no_evals: bool,
    no_content: bool,
    load_now: bool,
    fmt: str,
) -> None:
    """Record a realistic fake workload (calls, evals, feedback) for dashboards and demos."""
    from agentel.demo import fake

    ttl = os.environ.get("AGENTEL_TTL_DAYS", "30")
    if ttl.isdigit() and int(ttl) and hours > int(ttl) * 24:
        click.echo(
            f"agentel: calls older than the store's TTL ({ttl} days, AGENTEL_TTL_DAYS) are dropped when loaded",
            err=True,
        )
    with telemetry("fake", capture_content=not no_content) as run_dir:
        report = fake.generate(
            count, hours, feedback_rate, good_ratio, seed=seed, run=run, evals=not no_evals
        )
    if load_now and run_dir:
        with open_engine(no_load=True, quiet=fmt != "table") as engine:
            load_own(engine, run_dir)
    if fmt == "json":
        click.echo(json.dumps({**report.as_dict(), "files": run_dir}, indent=2))
        return
    click.echo(
        f"recorded {report.calls} calls in {report.conversations} conversations over {hours:g}h "
        f"({report.errors} errors), {report.evals} evaluation results, {report.feedback} feedback "
        f"({report.good} good)"
    )
    if run_dir:
        click.echo(f"files: {run_dir}" + ("" if load_now else " (reports load them automatically)"), err=True)
