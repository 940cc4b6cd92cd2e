"""Commands of the evals area: ``evals run|list|summary|checks``, ``feedback``, ``alerts check``,
``ingest`` and ``fake``.

Records these commands make (check results, feedback, alerts, ingested and fake calls) are
telemetry like any other: the command configures agentel in its own process (files sink, run id
``cli-…``/``ingest-…``/``fake-…``), emits through the redacting pipeline, and — when it has the
store open — loads its own file right away so the next query sees them. Heavy imports happen
inside the commands.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


# --- shared ----------------------------------------------------------------------------------------


def _fmt_option(choices: tuple[str, ...] = ("table", "json", "csv")) -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default="table",
        show_default=True,
        help="Output: a table for people, JSON (or CSV) for scripts.",
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


def _window(since: str | None, until: str | None, window: str | None = None) -> Any:
    from agentel.analytics.window import Window, WindowError

    try:
        return Window.parse(since, until, window=window)
    except WindowError as exc:
        raise click.UsageError(str(exc)) from None


@contextmanager
def _telemetry(kind: str, **overrides: Any) -> Iterator[str | None]:
    """agentel configured for this command; yields the folder its files go to (to load them).

    Files sink by default; with CLICKHOUSE_URL the direct sink only (nothing to load). When the
    process is configured already (a program calling the command in-process), its pipeline is
    used and flushed, and nothing is yielded to load.
    """
    from agentel import sdk
    from agentel.config import ConfigError

    if sdk.current_pipeline() is not None:
        try:
            yield None
        finally:
            sdk.force_flush()
        return
    # With a ClickHouse server as the store (CLICKHOUSE_URL), the direct sink inserts the records
    # itself; writing files too would have the next load insert them a second time.
    server = bool(os.environ.get("CLICKHOUSE_URL"))
    try:
        settings = sdk.configure(
            service_name=f"agentel-{kind}",
            run_id=f"{kind}-{uuid.uuid4().hex[:12]}",
            sinks=() if server else ("files",),
            metrics_interval_s=0,
            **overrides,
        )
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        yield None if server else settings.run_dir
    finally:
        sdk.shutdown()


def _load_own(engine: Any, run_dir: str | None) -> None:
    """Load the files this command just wrote into the open store (idempotent, like ``load``)."""
    if run_dir and os.path.isdir(run_dir):
        from agentel.store.loader import load

        load(engine, [run_dir])


@contextmanager
def _store(no_load: bool = False, quiet: bool = False) -> Iterator[Any]:
    from agentel.cli.store import open_cli_store
    from agentel.evals.model import EvalError
    from agentel.store import StoreError

    engine, report = open_cli_store(load_new=not no_load, quiet=quiet)
    if report is not None and report.rows and not quiet:
        click.echo(f"agentel: {report.summary()}", err=True)
    try:
        yield engine
    except StoreError as exc:
        raise click.ClickException(f"the store could not answer: {exc}") from None
    except EvalError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.close()


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


def _load_check_modules(modules: tuple[str, ...]) -> None:
    """Import modules (dotted names or .py paths) whose ``@agentel.check`` functions register checks."""
    import hashlib
    import importlib
    import importlib.util

    for mod in modules:
        try:
            if mod.endswith(".py") or os.sep in mod:
                if not os.path.isfile(mod):
                    raise click.BadParameter(f"no file {mod!r}", param_hint="--checks-module")
                name = "agentel_user_checks_" + hashlib.sha1(os.path.abspath(mod).encode()).hexdigest()[:12]
                if name in sys.modules:
                    continue
                spec = importlib.util.spec_from_file_location(name, mod)
                assert spec is not None and spec.loader is not None
                module = importlib.util.module_from_spec(spec)
                sys.modules[name] = module
                spec.loader.exec_module(module)
            else:
                importlib.import_module(mod)
        except click.BadParameter:
            raise
        except Exception as exc:
            raise click.BadParameter(
                f"importing {mod!r} failed: {type(exc).__name__}: {exc}", param_hint="--checks-module"
            ) from None


def _checks_module_option(fn: F) -> F:
    return click.option(
        "--checks-module",
        "checks_modules",
        multiple=True,
        metavar="MODULE",
        help="Import this module (dotted name or .py path) first, so its @agentel.check functions exist.",
    )(fn)


# --- evals -----------------------------------------------------------------------------------------


@click.group("evals")
def evals_group() -> None:
    """Rule-based checks on LLM calls: run them on stored calls, list and summarize results."""


@evals_group.command("run")
@_window_options
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
@_checks_module_option
@_fmt_option(("table", "json"))
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

    _load_check_modules(checks_modules)
    window = _window(since, until)
    param_map = _params(params)
    try:
        validate(list(checks) or None, param_map)
    except EvalError as exc:
        raise click.BadParameter(str(exc), param_hint="--check/--param") from None
    with _store(quiet=fmt != "table") as engine:
        with _telemetry("evals") as run_dir:
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
        _load_own(engine, run_dir)
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
@_window_options
@click.option("--check", default=None, help="Only this check.")
@click.option("--failed", is_flag=True, help="Only results that did not pass.")
@click.option("--trace", default=None, help="Only results on this trace.")
@click.option("--run", default=None, help="Only results on calls of this run.")
@click.option(
    "--limit", type=click.IntRange(1, 100_000), default=50, show_default=True, help="Newest results shown."
)
@click.option("--no-load", is_flag=True, help="Answer from the store as it is; do not load new files first.")
@_fmt_option()
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

    window = _window(since, until)
    with _store(no_load, quiet=fmt != "table") as engine:
        rows = list_results(
            engine, window.params(), check=check, failed=failed, trace=trace, run=run, limit=limit
        )
    emit(rows, fmt, title=f"Evaluation results ({window.describe()})")
    if not rows and fmt == "table":
        click.echo("no results in this window (run `agentel evals run`, or widen --since)", err=True)


@evals_group.command("summary")
@_window_options
@click.option("--check", default=None, help="Only this check.")
@click.option("--run", default=None, help="Only results on calls of this run.")
@click.option(
    "--by",
    type=click.Choice(("check", "model")),
    default="check",
    show_default=True,
    help="Rows per check, or per check and model.",
)
@click.option("--no-load", is_flag=True, help="Answer from the store as it is; do not load new files first.")
@_fmt_option()
def evals_summary_cmd(
    since: str | None, until: str | None, check: str | None, run: str | None, by: str, no_load: bool, fmt: str
) -> None:
    """Pass rate and mean score per check (and per model with --by model)."""
    from agentel.analytics.formats import emit
    from agentel.evals.store import summary

    window = _window(since, until)
    with _store(no_load, quiet=fmt != "table") as engine:
        rows = summary(engine, window.params(), check=check, run=run, by="model" if by == "model" else "")
    if by != "model":
        rows = [{k: v for k, v in r.items() if k != "model"} for r in rows]
    emit(rows, fmt, title=f"Checks ({window.describe()})")


@evals_group.command("checks")
@_checks_module_option
@_fmt_option(("table", "json"))
def evals_checks_cmd(checks_modules: tuple[str, ...], fmt: str) -> None:
    """List the registered checks: built-in and your own (@agentel.check)."""
    from agentel.analytics.formats import emit
    from agentel.evals.checks import list_checks

    _load_check_modules(checks_modules)
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
    emit(rows, fmt, title="Checks")


# --- feedback --------------------------------------------------------------------------------------


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
@_fmt_option(("table", "json"))
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
        with _telemetry("feedback"):
            feedback(tid, sid, good=good, comment=comment, reference_answer=reference_answer)
    else:
        with _store(quiet=fmt != "table") as engine:
            target = feedback_target(engine, trace_hex, span_hex)
            with _telemetry("feedback") as run_dir:
                feedback(
                    tid,
                    target.span_id or None,
                    good=good,
                    comment=comment,
                    reference_answer=reference_answer,
                )
            _load_own(engine, run_dir)
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


# --- alerts ----------------------------------------------------------------------------------------


@click.group("alerts")
def alerts_group() -> None:
    """Alert rules over a rolling window of LLM-call metrics."""


@alerts_group.command("check")
@click.option(
    "--window",
    "window_len",
    default=None,
    help="Window length (5m, 1h); default AGENTEL_ALERT_WINDOW_S (300 s).",
)
@click.option(
    "--until", default=None, help="End of the window (default: now): a duration ago, or a date/time."
)
@click.option("--run", default=None, help="Only calls of this run.")
@click.option(
    "--threshold",
    "thresholds",
    multiple=True,
    metavar="RULE=VALUE",
    help="Override a threshold, e.g. error_rate=0.1 or cost=off (repeatable).",
)
@click.option(
    "--emit/--no-emit", default=True, show_default=True, help="Record firing alerts as agentel.alert events."
)
@click.option("--no-load", is_flag=True, help="Answer from the store as it is; do not load new files first.")
@_fmt_option(("table", "json"))
def alerts_check_cmd(
    window_len: str | None,
    until: str | None,
    run: str | None,
    thresholds: tuple[str, ...],
    emit: bool,
    no_load: bool,
    fmt: str,
) -> None:
    """Judge the alert rules on the stored calls of the last window; exit 1 if any fires.

    The rules and defaults are those of the in-process monitor (docs/alerts.md); thresholds come
    from AGENTEL_ALERT_THRESHOLDS, then --threshold.
    """
    from datetime import datetime, timedelta, timezone

    from agentel import alerts
    from agentel.analytics.window import WindowError, parse_duration, parse_time
    from agentel.config import ConfigError, Settings
    from agentel.evals.store import alert_window

    try:
        settings = Settings.load()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    overrides = dict(settings.alert_thresholds)
    for item in thresholds:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"expected RULE=VALUE, got {item!r}", param_hint="--threshold")
        overrides[key.strip()] = value.strip()
    try:
        rule_list = alerts.rules(overrides, "--threshold")
        length = (
            parse_duration(window_len, "--window")
            if window_len
            else timedelta(seconds=settings.alert_window_s)
        )
        end = parse_time(until, "--until") if until else None
    except (ConfigError, WindowError) as exc:
        raise click.BadParameter(str(exc)) from None
    from agentel.analytics.window import Window

    end = end or datetime.now(timezone.utc)
    window = Window(end - length, end)
    with _store(no_load, quiet=fmt != "table") as engine:
        stats = alerts.WindowStats.from_row(
            alert_window(engine, window.params(), run), length.total_seconds()
        )
        judged = alerts.judge(stats, rule_list, end.timestamp())
        firing = [a for _, a in judged if a is not None]
        if emit and firing:
            with _telemetry("alerts") as run_dir:
                for fired in firing:
                    alerts.emit_alert(fired)
            _load_own(engine, run_dir)
    rows = []
    for rule, alert in judged:
        rule_value, _ = rule.judge(stats)
        rows.append(
            {
                "rule": rule.name,
                "state": "FIRING" if alert else ("ok" if rule_value is not None else "not judged"),
                "level": rule.level,
                "value": rule_value,
                "threshold": f"{rule.op} {rule.threshold:g}",
                "message": alert.message if alert else "",
            }
        )
    if fmt == "json":
        click.echo(
            json.dumps(
                {"window": window.describe(), "stats": stats.as_dict(), "rules": rows}, indent=2, default=str
            )
        )
    else:
        from agentel.analytics.formats import emit as emit_rows

        emit_rows(rows, "table", title=f"Alert rules over {window.describe()} ({stats.calls} calls)")
        if stats.calls == 0:
            click.echo("no LLM calls in this window (widen --window, or load new files)", err=True)
    if firing:
        sys.exit(1)


# --- ingest ----------------------------------------------------------------------------------------


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
@_checks_module_option
@_fmt_option(("table", "json"))
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

    _load_check_modules(checks_modules)
    data_dir = os.path.abspath(os.environ.get("AGENTEL_DIR") or ".agentel")
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
    with _telemetry("ingest", **overrides) as run_dir:
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


# --- fake ------------------------------------------------------------------------------------------


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
@_fmt_option(("table", "json"))
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
    with _telemetry("fake", capture_content=not no_content) as run_dir:
        report = fake.generate(
            count, hours, feedback_rate, good_ratio, seed=seed, run=run, evals=not no_evals
        )
    if load_now and run_dir:
        with _store(no_load=True, quiet=fmt != "table") as engine:
            _load_own(engine, run_dir)
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


__all__ = [
    "alerts_group",
    "evals_group",
    "fake_cmd",
    "feedback_cmd",
    "ingest_cmd",
]
