"""``agentel search TEXT``: calls whose prompt, answer, instructions, span name or error holds TEXT."""

from __future__ import annotations

import click

from agentel.cli.options import (
    format_option,
    limit_option,
    load_option,
    note,
    open_engine,
    parse_window,
    run_option,
    window_options,
)

_COLUMNS = ("timestamp", "model", "run_id", "field", "snippet", "trace_id", "span_id")


@click.command("search")
@click.argument("text")
@click.option("--model", default=None, help="Only this model.")
@window_options
@run_option
@limit_option(50, "calls")
@format_option()
@load_option
def search_cmd(
    text: str,
    model: str | None,
    since: str | None,
    until: str | None,
    run: str | None,
    limit: int,
    fmt: str,
    no_load: bool,
) -> None:
    """Find LLM calls whose prompt, answer, instructions, span name or error message contains TEXT.

    Any case, anywhere in the text (not only whole words), newest first. The table marks the
    match «like this»; JSON and CSV give the snippet with match_start/match_end offsets.
    """
    from agentel.analytics import formats
    from agentel.analytics.search import SearchError, check_text, search

    try:
        check_text(text)
    except SearchError as exc:
        raise click.BadParameter(str(exc), param_hint="TEXT") from None
    window = parse_window(since, until)
    with open_engine(no_load, quiet=fmt != "table") as engine:
        rows = search(engine, text, window, model=model, run=run, limit=limit)
    if fmt == "table":
        for r in rows:
            s, a, b = r["snippet"], r["match_start"], r["match_end"]
            r["snippet"] = (s[:a] + "«" + s[a:b] + "»" + s[b:]).replace("\n", " ") if b > a else s
    formats.emit(
        rows,
        fmt,
        columns=None
        if fmt == "json"
        else _COLUMNS + (() if fmt == "table" else ("match_start", "match_end")),
        title=f"Calls containing {text!r} ({window.describe()})",
    )
    if not rows:
        note(fmt, f"no LLM call contains {text!r} in this window")
