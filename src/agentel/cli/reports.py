"""Report commands: ``runs``, ``run-info``, ``leaderboard``, ``cost``.

Every report opens the store the way ``query`` does (new files loaded first, with progress on a
terminal), takes the same window (``--since``/``--until``) and ``--run`` filter, prints a table,
JSON or CSV (``--format``), and turns bad input into one clear line and a non-zero exit. Heavy
imports (chdb, pandas, rich) happen inside the commands so ``agentel --help`` stays fast.
"""

from __future__ import annotations

from typing import Any

import click

from agentel.cli.options import (
    format_option,
    limit_option,
    limited,
    load_option,
    note,
    open_engine,
    parse_window,
    run_option,
    window_options,
)

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
@window_options
@run_option
@click.option(
    "--limit", type=click.IntRange(1, 100_000), default=50, show_default=True, help="Newest runs shown."
)
@format_option()
@load_option
def runs_cmd(
    since: str | None, until: str | None, run: str | None, limit: int, fmt: str, no_load: bool
) -> None:
    """List runs (root spans), newest first: duration, spans, errors, LLM calls, tokens, cost."""
    from agentel.analytics import formats, questions

    window = parse_window(since, until)
    with open_engine(no_load, quiet=fmt != "table") as engine:
        rows = questions.runs(engine, window, run=run, limit=limit)
    columns = _RUN_COLUMNS if fmt != "json" else None
    formats.emit(rows, fmt, columns=columns, title=f"Runs ({window.describe()})")
    if not rows:
        note(fmt, "no runs in this window (run a program under agentel, or widen --since)")


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
@format_option()
@load_option
def run_info_cmd(run_or_trace_id: str, limit: int, fmt: str, no_load: bool) -> None:
    """Show a run or a trace as a tree of spans: duration, tokens, cost, scores, errors."""
    from agentel.analytics import formats, questions

    with open_engine(no_load, quiet=fmt != "table") as engine:
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
    help="Order (quality first; missing values last). By run, confidence is the arbiter's final one.",
)
@click.option("--task", default=None, help="Only calls made for this task (the `task` correlation key).")
@click.option("--model", default=None, help="Only this model.")
@click.option(
    "--group-aliases",
    is_flag=True,
    help="Count a dated snapshot for its model family (gpt-4o-mini-2024-07-18 as gpt-4o-mini).",
)
@click.option(
    "--min-calls",
    type=click.IntRange(1),
    default=5,  # questions.DEFAULT_MIN_CALLS (not imported here: --help stays fast)
    show_default=True,
    help="Rows with fewer calls rank after the rest (enough_calls false).",
)
@click.option(
    "--rank-by",
    type=click.Choice(("bound", "mean")),
    default="bound",
    show_default=True,
    help="Rank a quality by the pessimistic end of its 95% interval (bound), or by its value (mean).",
)
@window_options
@run_option
@limit_option(None, "ranked rows")
@format_option()
@load_option
def leaderboard_cmd(
    by: str,
    sort: str,
    task: str | None,
    model: str | None,
    group_aliases: bool,
    min_calls: int,
    rank_by: str,
    since: str | None,
    until: str | None,
    run: str | None,
    limit: int | None,
    fmt: str,
    no_load: bool,
) -> None:
    """Rank models (or tasks, operations): calls, score, confidence, tokens, latency, cost, errors."""
    from agentel.analytics import formats, questions

    window = parse_window(since, until)
    with open_engine(no_load, quiet=fmt != "table") as engine:
        rows = questions.leaderboard(
            engine,
            window,
            by=by,
            run=run,
            task=task,
            model=model,
            sort=sort,
            group_aliases=group_aliases,
            min_calls=min_calls,
            rank_by=rank_by,
        )
    rows = limited(rows, limit)
    extra = ("arbiter_final_confidence",) if by == "run" else ()
    ci = ("ci95_low", "ci95_high") if any(r["ci95_low"] is not None for r in rows) else ()
    columns = ("rank", by, *extra, *_LB_COLUMNS, *ci) if fmt == "table" else None
    ranked = "value" if rank_by == "mean" or not ci else "95% bound"
    formats.emit(
        rows,
        fmt,
        columns=columns,
        title=f"Leaderboard by {by} ({window.describe()}; ranked by {sort} {ranked}; min {min_calls} calls)",
    )
    few = [str(r[by]) for r in rows if not r["enough_calls"]]
    if few:
        note(fmt, f"fewer than {min_calls} calls (ranked last): {', '.join(few)}")
    if not rows:
        note(fmt, "no LLM calls in this window")


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
@click.option(
    "--reprice",
    is_flag=True,
    help="Recompute the store's prices with the installed genai-prices data (and AGENTEL_PRICES_FILE) first; print what changed.",
)
@window_options
@run_option
@limit_option(None, "rows")
@format_option()
@load_option
def cost_cmd(
    by: str,
    task: str | None,
    model: str | None,
    reprice: bool,
    since: str | None,
    until: str | None,
    run: str | None,
    limit: int | None,
    fmt: str,
    no_load: bool,
) -> None:
    """What LLM calls cost, by model, provider, run, task or day (unpriced calls counted apart)."""
    from agentel.analytics import formats, prices, questions

    window = parse_window(since, until)
    with open_engine(no_load, quiet=fmt != "table") as engine:
        if reprice:
            changes = prices.reprice(engine)
            for c in changes:
                before = "unpriced" if c.before_usd is None else f"${c.before_usd:.6f}"
                after = "unpriced" if c.after_usd is None else f"${c.after_usd:.6f}"
                click.echo(
                    f"repriced {c.provider}/{c.model}: {c.calls} call(s) {before} -> {after} ({c.version or 'no price'})",
                    err=True,
                )
            click.echo(f"reprice: {len(changes)} model(s) changed", err=True)
        else:
            prices.refresh(engine)  # price rows for calls new since the last report
        every = questions.cost(engine, window, by=by, run=run, task=task, model=model)
    rows = limited(every, limit)
    formats.emit(rows, fmt, title=f"Cost by {by} ({window.describe()})")
    if fmt == "table" and rows:
        if len(rows) < len(every):
            click.echo(f"(the first {len(rows)} of {len(every)} rows; the total is over all of them)")
        total = sum(r["cost_usd"] or 0.0 for r in every)
        unpriced = sum(int(r["unpriced_calls"]) for r in every)
        extra = f"; {unpriced} call(s) of models without a known price are not included" if unpriced else ""
        click.echo(
            f"total {formats.cell('cost_usd', total)} over {sum(int(r['calls']) for r in every)} calls{extra}"
        )
    if not rows:
        note(fmt, "no LLM calls in this window")
