"""Export commands: ``export-training`` (judged calls as JSON lines) and ``metrics export``."""

from __future__ import annotations

import os
import sys

import click

from agentel.cli.options import (
    check_writable,
    format_option,
    limit_option,
    limited,
    load_option,
    open_engine,
    parse_window,
    run_option,
    window_options,
)


@click.command("export-training")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
@click.option("--model", default=None, help="Only calls to this model.")
@click.option("--task", default=None, help="Only calls made for this task.")
@click.option(
    "--min-score", type=float, default=None, help="Only calls whose mean evaluation score is at least this."
)
@click.option("--chosen-only", is_flag=True, help="Only answers the consortium arbiter chose.")
@click.option(
    "--shape",
    type=click.Choice(("records", "chat", "dpo")),
    default="records",
    show_default=True,
    help="records: one judged call per line (with the arbiter's analysis); chat: {messages: [...]} "
    "for chat fine-tuning; dpo: {prompt, chosen, rejected, analysis} preference pairs.",
)
@click.option(
    "--feedback",
    type=click.Choice(("good", "bad", "any")),
    default="any",
    show_default=True,
    help="Only calls with good (or bad) feedback.",
)
@click.option(
    "--min-confidence",
    type=float,
    default=None,
    help="Only consortium answers whose arbiter's confidence is at least this.",
)
@window_options
@run_option
@limit_option(None, "records")
@format_option()
@load_option
def export_training_cmd(
    file: str,
    model: str | None,
    task: str | None,
    min_score: float | None,
    chosen_only: bool,
    shape: str,
    feedback: str,
    min_confidence: float | None,
    since: str | None,
    until: str | None,
    run: str | None,
    limit: int | None,
    fmt: str,
    no_load: bool,
) -> None:
    """Write judged LLM calls as JSON lines: prompt, answer, chosen answer, alternatives, scores."""
    from agentel.analytics import dataset, formats

    window = parse_window(since, until)
    check_writable(file, "FILE")
    report = dataset.ExportReport()
    with open_engine(no_load, quiet=fmt != "table" or file == "-") as engine:
        recs = dataset.records(
            engine,
            window,
            run=run,
            task=task,
            model=model,
            min_score=min_score,
            chosen_only=chosen_only,
            feedback=feedback,
            min_confidence=min_confidence,
            report=report,
        )
        recs = dataset.shaped(recs, shape)
        if limit is not None:
            import itertools

            recs = itertools.islice(recs, limit)
        if file == "-":
            n = dataset.write_jsonl(recs, sys.stdout)
        else:
            tmp = file + ".part"
            with open(tmp, "w", encoding="utf-8") as fh:
                n = dataset.write_jsonl(recs, fh)
            os.replace(tmp, file)
    summary = {
        "file": file,
        "records": n,
        "without_content": report.without_content,
        "skipped_low_score": report.skipped_low_score,
        "skipped_filtered": report.skipped_filtered,
        "shape": shape,
    }
    if file == "-":
        click.echo(f"{n} record(s)", err=True)
    elif fmt == "table":
        click.echo(f"wrote {n} record(s) to {file}")
    else:
        formats.emit([summary], fmt)
    if report.without_content:
        click.echo(
            f"agentel: {report.without_content} record(s) have no prompt or answer: the program did not record "
            "content (run it with AGENTEL_CAPTURE_CONTENT=1)",
            err=True,
        )


# --- metrics export --------------------------------------------------------------------------------


@click.group("metrics")
def metrics_group() -> None:
    """Metric points in the store."""


@metrics_group.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("json", "csv", "parquet", "xlsx", "table")),
    default="json",
    show_default=True,
    help="File format (parquet and xlsx need --out, or write agentel-metrics.<format>).",
)
@click.option("--window", "window_", default=None, help="The last 30m, 1h, 7d… (instead of --since).")
@window_options
@click.option("--metric", default=None, help="Only this metric name (* matches any text).")
@click.option(
    "--out", default=None, type=click.Path(dir_okay=False, writable=True), help="Write to this file."
)
@limit_option(None, "points")
@load_option
def metrics_export_cmd(
    fmt: str,
    window_: str | None,
    since: str | None,
    until: str | None,
    metric: str | None,
    out: str | None,
    limit: int | None,
    no_load: bool,
) -> None:
    """Export metric points (gauges, sums, histograms) in a time window."""
    from agentel.analytics import formats, questions

    window = parse_window(since, until, window_)
    if fmt in ("parquet", "xlsx") and out is None:
        out = f"agentel-metrics.{fmt}"
    if out is not None:
        check_writable(out, "--out")
    with open_engine(no_load, quiet=True) as engine:
        rows = limited(questions.metric_points(engine, window, metric=metric), limit)
    if metric and not rows:
        raise click.ClickException(
            f"--metric: no points of {metric!r} in {window.describe()} (see `agentel docs`)"
        )
    if out is None:
        formats.emit(rows, fmt)
        return
    from agentel.analytics.monitor_reports import write_points

    try:  # the generation monitor's export_metrics() writes through the same function
        n = write_points(rows, out, "json" if fmt == "table" else fmt)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {n} metric point(s) to {out}", err=True)
