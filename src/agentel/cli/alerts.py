"""``agentel alerts check``: the alert rules judged on the stored calls of the last window."""

from __future__ import annotations

import json
import sys

import click

from agentel.cli.options import (
    format_option,
    load_option,
    load_own,
    open_engine,
    telemetry,
)


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
@load_option
@format_option(("table", "json"))
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
    with open_engine(no_load, quiet=fmt != "table") as engine:
        stats = alerts.WindowStats.from_row(
            alert_window(engine, window.params(), run), length.total_seconds()
        )
        judged = alerts.judge(stats, rule_list, end.timestamp())
        firing = [a for _, a in judged if a is not None]
        if emit and firing:
            with telemetry("alerts") as run_dir:
                for fired in firing:
                    alerts.emit_alert(fired)
            load_own(engine, run_dir)
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
