"""Report commands: ``runs``, ``run-info``, ``leaderboard``, ``cost``, ``export-training``,
``metrics export``, ``plots``, ``doctor``.

Every report opens the store the way ``query`` does (new files loaded first, with progress on a
terminal), takes the same window (``--since``/``--until``) and ``--run`` filter, prints a table,
JSON or CSV (``--format``), and turns bad input into one clear line and a non-zero exit. Heavy
imports (chdb, pandas, matplotlib) happen inside the commands so ``agentel --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
FORMATS = ("table", "json", "csv")


def _format_option(choices: tuple[str, ...] = FORMATS, default: str = "table") -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output: a table for people, JSON or CSV for scripts.",
    )


def _window_options(fn: F) -> F:
    fn = click.option(
        "--until", default=None, help="End of the window: a duration ago (1h), 'now', or a date/time (UTC)."
    )(fn)
    fn = click.option(
        "--since",
        default=None,
        help="Start of the window: a duration ago (30m, 2h, 7d), 'today', or a date/time.",
    )(fn)
    return fn


def _run_option(fn: F) -> F:
    return click.option(
        "--run", default=None, help="Only this run (a `run` key or a process's agentel.run_id)."
    )(fn)


def _load_option(fn: F) -> F:
    return click.option(
        "--no-load", is_flag=True, help="Answer from the store as it is; do not load new files first."
    )(fn)


def _window(since: str | None, until: str | None, window: str | None = None) -> Any:
    from agentel.analytics.window import Window, WindowError

    try:
        return Window.parse(since, until, window=window)
    except WindowError as exc:
        raise click.UsageError(str(exc)) from None


def _import_chdb_lean() -> None:
    """Import chdb without pyarrow (~0.2 s of every report's start-up).

    chdb imports pyarrow only for its Arrow APIs (ArrowTable results, record-batch streams), which
    the store never uses; it says so and runs without it. pyarrow stays importable afterwards
    (Parquet export imports it when asked).
    """
    if "chdb" in sys.modules or "pyarrow" in sys.modules:
        return
    sys.modules["pyarrow"] = None  # type: ignore[assignment]
    try:
        import chdb  # noqa: F401
        import chdb.state  # noqa: F401  (imported lazily by connect(): where pyarrow is tried)
    except ImportError:
        pass  # no chdb: the store says how to install it
    finally:
        del sys.modules["pyarrow"]


@contextmanager
def _engine(no_load: bool = False, quiet: bool = False) -> Iterator[Any]:
    """The store for one command: new files loaded first (progress on a terminal), closed after."""
    from agentel.analytics.questions import AnalyticsError
    from agentel.cli.store import open_cli_store
    from agentel.store import StoreError

    if not os.environ.get("CLICKHOUSE_URL"):
        _import_chdb_lean()
    engine, report = open_cli_store(load_new=not no_load, quiet=quiet)
    if report is not None and report.rows and not quiet:
        click.echo(f"agentel: {report.summary()}", err=True)
    try:
        yield engine
    except AnalyticsError as exc:
        raise click.ClickException(str(exc)) from None
    except StoreError as exc:
        raise click.ClickException(f"the store could not answer: {exc}") from None
    finally:
        engine.close()


def _check_writable(path: str, name: str) -> None:
    """Fail before any work when an output file cannot be written where it was asked for."""
    if path == "-":
        return
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise click.BadParameter(
            f"the folder {folder} does not exist; create it or pick another path", param_hint=name
        )
    if not os.access(folder, os.W_OK):
        raise click.BadParameter(f"cannot write in {folder}", param_hint=name)


def _note(fmt: str, text: str) -> None:
    """A remark for people (stderr, tables only), never mixed into JSON/CSV output."""
    if fmt == "table":
        click.echo(text, err=True)


# --- runs ------------------------------------------------------------------------------------------

_RUN_COLUMNS = (
    "started",
    "run_id",
    "name",
    "duration_s",
    "status",
    "spans",
    "errors",
    "llm_calls",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "trace_id",
)


@click.command("runs")
@_window_options
@_run_option
@click.option(
    "--limit", type=click.IntRange(1, 100_000), default=50, show_default=True, help="Newest runs shown."
)
@_format_option()
@_load_option
def runs_cmd(
    since: str | None, until: str | None, run: str | None, limit: int, fmt: str, no_load: bool
) -> None:
    """List runs (root spans), newest first: duration, spans, errors, LLM calls, tokens, cost."""
    from agentel.analytics import formats, questions

    window = _window(since, until)
    with _engine(no_load, quiet=fmt != "table") as engine:
        rows = questions.runs(engine, window, run=run, limit=limit)
    columns = _RUN_COLUMNS if fmt != "json" else None
    formats.emit(rows, fmt, columns=columns, title=f"Runs ({window.describe()})")
    if not rows:
        _note(fmt, "no runs in this window (run a program under agentel, or widen --since)")


# --- run-info --------------------------------------------------------------------------------------


def _label(node: Any) -> str:
    from rich.markup import escape

    from agentel.analytics.formats import cell

    r = node.row
    parts = [f"[bold]{escape(r['name'])}[/bold]", f"{r['duration_ms']:,.1f} ms"]
    if r["is_llm_call"]:
        parts.append(f"[cyan]{escape(r['model'])}[/cyan]")
        parts.append(f"{r['input_tokens']}→{r['output_tokens']} tok")
        if r["cost_usd"] is not None:
            parts.append(cell("cost_usd", r["cost_usd"]))
    for a in node.annotations:
        value = "—" if a["value"] is None else f"{a['value']:.2f}"
        if a["kind"] == "score":
            parts.append(f"[magenta]{escape(a['name'])}={value}[/magenta]")
        elif a["kind"] == "confidence":
            chosen = " ✓chosen" if a["label"] == "chosen" else ""
            parts.append(f"[yellow]{a['name']} confidence {value}{chosen}[/yellow]")
        else:
            parts.append(f"[blue]feedback {a['name']}[/blue]")
    if r["status"] == "error":
        parts.append(f"[red]ERROR {escape(r['error_type'] or r['status_message'] or '')}[/red]")
    return "  ".join(parts)


@click.command("run-info")
@click.argument("run_or_trace_id")
@click.option(
    "--limit", type=click.IntRange(1, 1_000_000), default=2000, show_default=True, help="Spans shown at most."
)
@_format_option()
@_load_option
def run_info_cmd(run_or_trace_id: str, limit: int, fmt: str, no_load: bool) -> None:
    """Show a run or a trace as a tree of spans: duration, tokens, cost, scores, errors."""
    from agentel.analytics import formats, questions

    with _engine(no_load, quiet=fmt != "table") as engine:
        tree = questions.run_tree(engine, run_or_trace_id, limit=limit)
    if fmt == "json":
        click.echo(formats.to_json(tree.as_dict()))
        return
    if fmt == "csv":
        click.echo(formats.to_csv(tree.flat()), nl=False)
        return
    from rich.console import Console
    from rich.tree import Tree

    t = tree.totals
    cost = formats.cell("cost_usd", t["cost_usd"])
    score = "—" if t["mean_score"] is None else f"{t['mean_score']:.3f}"
    header = (
        f"{tree.kind} [bold]{tree.id}[/bold] — {len(tree.trace_ids)} trace(s), {t['spans']} spans "
        f"({t['errors']} errors), {t['llm_calls']} LLM calls ({t['llm_errors']} failed), "
        f"{t['input_tokens']}→{t['output_tokens']} tokens, cost {cost}, mean score {score}"
    )
    root = Tree(header)

    def add(parent: Any, node: Any) -> None:
        branch = parent.add(_label(node))
        for c in node.children:
            add(branch, c)

    for r in tree.roots:
        add(root, r)
    Console(width=formats.console_width()).print(root)
    if tree.truncated:
        click.echo(f"(showing the first {limit} spans; raise --limit to see more)", err=True)


# --- leaderboard -----------------------------------------------------------------------------------

_LB_COLUMNS = (
    "calls",
    "error_rate",
    "mean_score",
    "mean_confidence",
    "win_rate",
    "good_feedback_rate",
    "tokens_per_call",
    "p50_ms",
    "p95_ms",
    "cost_usd",
    "cost_per_call_usd",
)


@click.command("leaderboard")
@click.option(
    "--by",
    type=click.Choice(("model", "task", "operation", "provider", "run")),
    default="model",
    show_default=True,
    help="What to rank.",
)
@click.option(
    "--sort",
    type=click.Choice(
        ("score", "confidence", "wins", "feedback", "calls", "cost", "latency", "errors", "tokens")
    ),
    default="score",
    show_default=True,
    help="Order (quality first; missing values last).",
)
@click.option("--task", default=None, help="Only calls made for this task (the `task` correlation key).")
@click.option("--model", default=None, help="Only this model.")
@_window_options
@_run_option
@_format_option()
@_load_option
def leaderboard_cmd(
    by: str,
    sort: str,
    task: str | None,
    model: str | None,
    since: str | None,
    until: str | None,
    run: str | None,
    fmt: str,
    no_load: bool,
) -> None:
    """Rank models (or tasks, operations): calls, score, confidence, tokens, latency, cost, errors."""
    from agentel.analytics import formats, questions

    window = _window(since, until)
    with _engine(no_load, quiet=fmt != "table") as engine:
        rows = questions.leaderboard(engine, window, by=by, run=run, task=task, model=model, sort=sort)
    columns = ("rank", by, *_LB_COLUMNS) if fmt == "table" else None
    formats.emit(rows, fmt, columns=columns, title=f"Leaderboard by {by} ({window.describe()})")
    if not rows:
        _note(fmt, "no LLM calls in this window")


# --- cost ------------------------------------------------------------------------------------------


@click.command("cost")
@click.option(
    "--by",
    type=click.Choice(("model", "provider", "run", "task", "operation", "day")),
    default="model",
    show_default=True,
    help="How to break the cost down.",
)
@click.option("--task", default=None, help="Only calls made for this task.")
@click.option("--model", default=None, help="Only this model.")
@_window_options
@_run_option
@_format_option()
@_load_option
def cost_cmd(
    by: str,
    task: str | None,
    model: str | None,
    since: str | None,
    until: str | None,
    run: str | None,
    fmt: str,
    no_load: bool,
) -> None:
    """What LLM calls cost, by model, provider, run, task or day (unpriced calls counted apart)."""
    from agentel.analytics import formats, questions

    window = _window(since, until)
    with _engine(no_load, quiet=fmt != "table") as engine:
        rows = questions.cost(engine, window, by=by, run=run, task=task, model=model)
    formats.emit(rows, fmt, title=f"Cost by {by} ({window.describe()})")
    if fmt == "table" and rows:
        total = sum(r["cost_usd"] or 0.0 for r in rows)
        unpriced = sum(int(r["unpriced_calls"]) for r in rows)
        extra = f"; {unpriced} call(s) of models without a known price are not included" if unpriced else ""
        click.echo(
            f"total {formats.cell('cost_usd', total)} over {sum(int(r['calls']) for r in rows)} calls{extra}"
        )
    if not rows:
        _note(fmt, "no LLM calls in this window")


# --- export-training -------------------------------------------------------------------------------


@click.command("export-training")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
@click.option("--model", default=None, help="Only calls to this model.")
@click.option("--task", default=None, help="Only calls made for this task.")
@click.option(
    "--min-score", type=float, default=None, help="Only calls whose mean evaluation score is at least this."
)
@click.option("--chosen-only", is_flag=True, help="Only answers the consortium arbiter chose.")
@_window_options
@_run_option
@_format_option()
@_load_option
def export_training_cmd(
    file: str,
    model: str | None,
    task: str | None,
    min_score: float | None,
    chosen_only: bool,
    since: str | None,
    until: str | None,
    run: str | None,
    fmt: str,
    no_load: bool,
) -> None:
    """Write judged LLM calls as JSON lines: prompt, answer, chosen answer, alternatives, scores."""
    from agentel.analytics import dataset, formats

    window = _window(since, until)
    _check_writable(file, "FILE")
    report = dataset.ExportReport()
    with _engine(no_load, quiet=fmt != "table" or file == "-") as engine:
        recs = dataset.records(
            engine,
            window,
            run=run,
            task=task,
            model=model,
            min_score=min_score,
            chosen_only=chosen_only,
            report=report,
        )
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
@_window_options
@click.option("--metric", default=None, help="Only this metric name (* matches any text).")
@click.option(
    "--out", default=None, type=click.Path(dir_okay=False, writable=True), help="Write to this file."
)
@_load_option
def metrics_export_cmd(
    fmt: str,
    window_: str | None,
    since: str | None,
    until: str | None,
    metric: str | None,
    out: str | None,
    no_load: bool,
) -> None:
    """Export metric points (gauges, sums, histograms) in a time window."""
    from agentel.analytics import formats, questions

    window = _window(since, until, window_)
    if fmt in ("parquet", "xlsx") and out is None:
        out = f"agentel-metrics.{fmt}"
    if out is not None:
        _check_writable(out, "--out")
    with _engine(no_load, quiet=True) as engine:
        rows = questions.metric_points(engine, window, metric=metric)
    if metric and not rows:
        raise click.ClickException(
            f"--metric: no points of {metric!r} in {window.describe()} (see `agentel docs`)"
        )
    if out is None:
        formats.emit(rows, fmt)
        return
    try:
        n = formats.write_file(rows, out, "json" if fmt == "table" else fmt)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {n} metric point(s) to {out}", err=True)


# --- plots -----------------------------------------------------------------------------------------


@click.command("plots")
@click.option(
    "--out",
    "out_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="Folder for the PNGs (default: AGENTEL_DIR/plots).",
)
@click.option("--only", multiple=True, help="Only these charts (repeatable; see docs/cli.md for names).")
@_window_options
@_run_option
@_format_option()
@_load_option
def plots_cmd(
    out_dir: str | None,
    only: tuple[str, ...],
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
    window = _window(since, until)
    target = out_dir or os.path.join(os.environ.get("AGENTEL_DIR") or ".agentel", "plots")
    with _engine(no_load, quiet=fmt != "table") as engine:
        made = plots.render(engine, target, window, run=run, only=only or None)
    rows = [p.as_dict() for p in made]
    formats.emit(rows, fmt, title=f"Plots in {os.path.abspath(target)}")
    if not any(p.path for p in made):
        raise click.ClickException("no chart had data in this window (load data first, or widen --since)")


# --- doctor ----------------------------------------------------------------------------------------


@click.command("doctor")
@click.option(
    "--wait", default=2.0, show_default=True, help="Seconds to wait for a store in use by another process."
)
@_format_option()
def doctor_cmd(wait: float, fmt: str) -> None:
    """Check the settings in force, where data goes, what is reachable and the store's size."""
    from agentel.analytics import formats
    from agentel.analytics.doctor import diagnose

    diag = diagnose(wait_s=wait)
    if fmt == "json":
        click.echo(formats.to_json(diag.as_dict()))
    elif fmt == "csv":
        click.echo(formats.to_csv([c.as_dict() for c in diag.checks]), nl=False)
    else:
        formats.table(diag.settings, ("setting", "value", "source"), title="Settings in force")
        if diag.store.get("rows"):
            formats.table(
                [{"table": t, "rows": n} for t, n in diag.store["rows"].items()], title="Store tables"
            )
        formats.table([c.as_dict() for c in diag.checks], ("status", "check", "detail"), title="Checks")
    if not diag.ok:
        sys.exit(1)
