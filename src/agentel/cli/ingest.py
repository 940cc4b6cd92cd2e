"""``agentel ingest``: JSON log files of LLM calls turned into spans with cost and checks."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import click

from agentel.cli.options import (
    checks_module_option,
    format_option,
    load_check_modules,
    telemetry,
)
from agentel.store.session import data_dir as agentel_dir


@click.command("ingest")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--watch", is_flag=True, help="Keep watching DIRECTORY for new files (Ctrl-C to stop).")
@click.option(
    "--poll",
    type=click.FloatRange(min=0.05),
    default=2.0,
    show_default=True,
    help="Seconds between looks in --watch mode.",
)
@click.option(
    "--settle",
    type=click.FloatRange(min=0),
    default=None,
    help="Skip files modified less than this many seconds ago (default: 1 with --watch, else 0).",
)
@click.option(
    "--mark",
    type=click.Choice(("rename", "record")),
    default="rename",
    show_default=True,
    help="Rename processed files with --prefix, or record them and leave them in place.",
)
@click.option(
    "--prefix", default="processed_", show_default=True, help="Prefix of processed files (--mark rename)."
)
@click.option(
    "--quarantine",
    "quarantine_dir",
    default=None,
    help="Folder for malformed files (default: DIRECTORY/quarantine).",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(1),
    default=None,
    help="Largest .json file read whole (default 64 MiB; .jsonl has no limit).",
)
@click.option(
    "--check",
    "checks",
    multiple=True,
    metavar="NAME",
    help="Run these checks (default: every default check).",
)
@click.option("--no-checks", is_flag=True, help="Run no checks.")
@click.option(
    "--capture-content/--no-capture-content",
    default=None,
    help="Keep prompts and answers on the spans (default: AGENTEL_CAPTURE_CONTENT).",
)
@checks_module_option
@format_option(("table", "json"))
def ingest_cmd(
    directory: str,
    watch: bool,
    poll: float,
    settle: float | None,
    mark: str,
    prefix: str,
    quarantine_dir: str | None,
    max_bytes: int | None,
    checks: tuple[str, ...],
    no_checks: bool,
    capture_content: bool | None,
    checks_modules: tuple[str, ...],
    fmt: str,
) -> None:
    """Turn JSON log files of LLM calls in DIRECTORY into spans with cost and checks.

    Formats: OpenAI chat and Anthropic messages request+response pairs, and the agentel format
    (docs/ingest.md); .json (one record or a list) or .jsonl (one per line). Processed files are
    renamed (or recorded); malformed ones go to quarantine/ with a .reason file.
    """
    from agentel.evals.model import EvalError
    from agentel.ingest import DEFAULT_MAX_BYTES, DirectorySource, IngestBusyError, Ingestor

    load_check_modules(checks_modules)
    data_dir = os.path.abspath(agentel_dir())
    target = os.path.abspath(directory)
    if target == data_dir or target.startswith(data_dir + os.sep):
        raise click.BadParameter(
            f"{directory} is inside AGENTEL_DIR ({data_dir}), where agentel keeps its own telemetry files; "
            "point ingest at another folder",
            param_hint="DIRECTORY",
        )
    try:
        source = DirectorySource(
            directory,
            prefix=prefix,
            mark=mark,
            quarantine_dir=quarantine_dir,
            settle_s=settle if settle is not None else (1.0 if watch else 0.0),
        )
    except (FileNotFoundError, ValueError) as exc:
        raise click.BadParameter(str(exc)) from None
    overrides = {} if capture_content is None else {"capture_content": capture_content}
    with telemetry("ingest", **overrides) as run_dir:
        try:
            ingestor = Ingestor(
                source,
                checks=list(checks) or None,
                run_checks=not no_checks,
                max_bytes=max_bytes or DEFAULT_MAX_BYTES,
            )
        except (IngestBusyError, EvalError) as exc:
            raise click.ClickException(str(exc)) from None
        with ingestor:

            def show(out: Any) -> None:
                if fmt == "json":
                    click.echo(json.dumps(out.as_dict()))
                    return
                line = f"{out.outcome:<11} {out.name}: {out.records} call(s)"
                if out.duplicates:
                    line += f", {out.duplicates} already ingested"
                if out.reason:
                    line += f" — {out.reason}"
                click.echo(line)

            if not watch:
                report = ingestor.ingest_once(on_file=show if fmt == "table" else None)
                if fmt == "json":
                    click.echo(json.dumps(report.as_dict(), indent=2))
                else:
                    click.echo(report.summary())
                    _ttl_hint(report.oldest_ns)
            else:
                _watch(ingestor, poll, show, fmt)
    if run_dir and fmt == "table":
        click.echo(
            f"telemetry written to {run_dir}; reports load it automatically (or run `agentel load`)", err=True
        )


def _ttl_hint(oldest_ns: int | None) -> None:
    """Say so when ingested calls are older than the store's TTL (they would be dropped on load)."""
    import time

    raw = os.environ.get("AGENTEL_TTL_DAYS", "30").strip() or "30"
    if oldest_ns is None or not raw.isdigit() or int(raw) == 0:
        return
    if oldest_ns / 1e9 < time.time() - int(raw) * 86400:
        click.echo(
            f"agentel: some calls are older than the store's TTL ({raw} days): they are dropped when "
            "loaded unless AGENTEL_TTL_DAYS=0 (or a longer TTL) is set for the load",
            err=True,
        )


def _watch(ingestor: Any, poll: float, show: Callable[[Any], None], fmt: str) -> None:
    """Watch until SIGINT/SIGTERM; each file's outcome printed as it is settled."""
    import signal
    import threading

    stop = threading.Event()
    previous: dict[Any, Any] = {}

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[sig] = signal.signal(sig, on_signal)
        except ValueError:  # not the main thread (embedded use): stop with the process
            pass
    if fmt == "table":
        click.echo(f"watching {ingestor.source.name} every {poll:g}s (Ctrl-C to stop)", err=True)
    try:
        ingestor.watch(poll, stop=stop, on_file=show)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if fmt == "table":
        click.echo("stopped", err=True)
