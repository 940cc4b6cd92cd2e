"""``agentel doctor``: the settings in force, where data goes, what is reachable, the store's size."""

from __future__ import annotations

import sys

import click

from agentel.cli.options import (
    format_option,
)


@click.command("doctor")
@click.option(
    "--wait", default=2.0, show_default=True, help="Seconds to wait for a store in use by another process."
)
@format_option()
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
