"""Store commands: ``load`` (files → store), ``prune`` (age and disk budget), ``query`` (any SQL)."""

from __future__ import annotations

import sys

import click

from agentel.store.session import data_dir


def _progress_bar(enabled: bool):  # type: ignore[no-untyped-def]
    """A rich progress callback for long loads (stderr), or None."""
    if not enabled or not sys.stderr.isatty():
        return None, None
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    prog = Progress(TextColumn("loading"), BarColumn(), DownloadColumn(), transient=True, console=None)
    task = prog.add_task("load", total=None)

    def cb(path: str, done: int, total: int) -> None:
        prog.update(task, completed=done, total=total)

    return prog, cb


def open_cli_store(load_new: bool = True, wait: float = 30.0, quiet: bool = False):  # type: ignore[no-untyped-def]
    """Open the store for a command, turning store errors into a clean CLI error."""
    from agentel.store import StoreError
    from agentel.store.session import open_store

    prog, cb = _progress_bar(not quiet)
    try:
        if prog is not None:
            with prog:
                return open_store(load_new=load_new, wait_s=wait, progress=cb)
        return open_store(load_new=load_new, wait_s=wait)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None


@click.command("load")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option(
    "--wait", default=30.0, show_default=True, help="Seconds to wait for a store in use by another process."
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option(
    "--reload-expired",
    is_flag=True,
    help="Also load the lines an earlier load left out as older than the store's TTL (set a longer "
    "AGENTEL_TTL_DAYS, or 0, first).",
)
def load_cmd(paths: tuple[str, ...], wait: float, fmt: str, reload_expired: bool = False) -> None:
    """Load OTLP-JSON files (default: AGENTEL_DIR) into the store, new lines only."""
    import json

    from agentel.store import StoreError
    from agentel.store.loader import load
    from agentel.store.session import keep_within_budget, served_load

    engine, _ = open_cli_store(load_new=False, wait=wait)
    try:
        targets = list(paths) or [data_dir()]
        prog, cb = _progress_bar(fmt == "table")
        if getattr(engine, "served", None) is not None:
            # a running `agentel serve` owns the store: it loads (one loader, one set of offsets)
            from agentel.store.loader import LoadReport

            report = served_load(engine, targets) or LoadReport()
        elif prog is not None:
            with prog:
                report = load(engine, targets, progress=cb, reload_expired=reload_expired)
        else:
            report = load(engine, targets, reload_expired=reload_expired)
        keep_within_budget(engine)
    except StoreError as exc:
        raise click.ClickException(f"load failed: {exc}") from None
    finally:
        engine.close()
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "files": report.files,
                    "spans": report.spans,
                    "logs": report.logs,
                    "metric_points": report.metric_points,
                    "skipped": [{"path": s.path, "line": s.line, "reason": s.reason} for s in report.skipped],
                    "pending_bytes": report.pending_bytes,
                    "expired": report.expired,
                    "reloaded": report.reloaded,
                    "dropped_on_arrival": report.dropped_on_arrival,
                    "seconds": round(report.seconds, 3),
                }
            )
        )
    else:
        click.echo(report.summary())
        for s in report.skipped[:20]:
            click.echo(f"  skipped {s}", err=True)
        if len(report.skipped) > 20:
            click.echo(f"  … and {len(report.skipped) - 20} more", err=True)


@click.command("prune")
@click.option(
    "--older-than", "older_than", required=True, help="Delete data older than this (30m, 12h, 7d, 2w)."
)
@click.option(
    "--files/--no-files",
    default=True,
    show_default=True,
    help="Also delete source files already fully loaded.",
)
@click.option(
    "--budget-mb",
    type=int,
    default=None,
    help="Then drop the oldest days until the store fits (default AGENTEL_DISK_BUDGET_MB).",
)
def prune_cmd(older_than: str, files: bool, budget_mb: int | None) -> None:
    """Delete old data from the store (and loaded files), and enforce the disk budget."""
    from agentel.store import StoreError
    from agentel.store.maintenance import enforce_budget, parse_duration, prune
    from agentel.store.session import budget_bytes_setting

    try:
        seconds = parse_duration(older_than)
    except StoreError as exc:
        raise click.BadParameter(str(exc).split(": ", 1)[1], param_hint="--older-than") from None
    engine, _ = open_cli_store(load_new=False)
    try:
        directory = data_dir()
        rep = prune(engine, seconds, files_dir=directory if files else None)
        budget = budget_bytes_setting(budget_mb) // 2**20
        # the embedded store's budget, also when a running `agentel serve` owns it
        own_disk = engine.kind == "embedded" or getattr(engine, "served", None) is not None
        dropped = enforce_budget(engine, budget * 2**20) if own_disk else []
    except StoreError as exc:
        raise click.ClickException(f"prune failed: {exc}") from None
    finally:
        engine.close()
    click.echo(
        f"deleted {rep.rows_deleted} rows and {rep.files_deleted} loaded files older than {older_than}; "
        f"store {rep.bytes_before / 1e6:.1f} MB → {rep.bytes_after / 1e6:.1f} MB"
        + (f"; dropped days {', '.join(dropped)} to fit the {budget} MiB budget" if dropped else "")
    )


@click.command("query")
@click.argument("sql")
@click.option(
    "--format",
    "fmt",
    default="table",
    show_default=True,
    help="table, json, csv, or any ClickHouse output format (e.g. JSONEachRow, Parquet, Pretty).",
)
@click.option("--no-load", is_flag=True, help="Do not load new files first.")
def query_cmd(sql: str, fmt: str, no_load: bool) -> None:
    """Run SQL on the store (embedded, or the server at CLICKHOUSE_URL)."""
    from agentel.store import StoreError

    engine, _ = open_cli_store(load_new=not no_load, quiet=fmt != "table")
    try:
        if fmt == "table":
            res = engine.query(sql)
            from rich.console import Console
            from rich.table import Table

            t = Table(*res.columns)
            for row in res.rows:
                t.add_row(*("" if v is None else str(v) for v in row))
            Console().print(t)
            click.echo(f"{len(res.rows)} row(s)", err=True)
            return
        ch_fmt = {"json": "JSON", "csv": "CSVWithNames"}.get(fmt, fmt)
        out = engine.query_raw(sql, ch_fmt)
        sys.stdout.buffer.write(out)
        sys.stdout.flush()
    except StoreError as exc:
        raise click.ClickException(f"query failed: {exc}") from None
    finally:
        engine.close()
