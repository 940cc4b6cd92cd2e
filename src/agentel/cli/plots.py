"""``agentel plots``: PNG charts of rates, latency, tokens, evals and evolution."""

from __future__ import annotations

import os

import click

from agentel.cli.options import (
    format_option,
    load_option,
    open_engine,
    parse_window,
    run_option,
    window_options,
)
from agentel.store.session import data_dir


@click.command("plots")
@click.option(
    "--out",
    "out_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="Folder for the PNGs (default: AGENTEL_DIR/plots).",
)
@click.option("--only", multiple=True, help="Only these charts (repeatable; see docs/cli.md for names).")
@click.option(
    "--all-runs", is_flag=True, help="Evolution charts: every run (default: --run, else the latest run)."
)
@window_options
@run_option
@format_option()
@load_option
def plots_cmd(
    out_dir: str | None,
    only: tuple[str, ...],
    all_runs: bool,
    since: str | None,
    until: str | None,
    run: str | None,
    fmt: str,
    no_load: bool,
) -> None:
    """Draw PNG charts: success/error rate, latency, tokens, eval scores and latency, evolution."""
    from agentel.analytics import formats, plots

    unknown = [n for n in only if n not in plots.PLOT_NAMES]
    if unknown:
        raise click.BadParameter(
            f"unknown chart {unknown[0]!r} (known: {', '.join(plots.PLOT_NAMES)})", param_hint="--only"
        )
    window = parse_window(since, until)
    target = out_dir or os.path.join(data_dir(), "plots")
    with open_engine(no_load, quiet=fmt != "table") as engine:
        made = plots.render(engine, target, window, run=run, only=only or None, all_runs=all_runs)
    rows = [p.as_dict() for p in made]
    formats.emit(rows, fmt, title=f"Plots in {os.path.abspath(target)}")
    if not any(p.path for p in made):
        raise click.ClickException("no chart had data in this window (load data first, or widen --since)")
