"""``agentel serve`` (the store's one owner: files loaded live, OTLP receiver, UI, ClickHouse
interface) and ``agentel ui`` (the same, opening the browser)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import click

from agentel.store.session import data_dir


def _common(f: Callable[..., Any]) -> Callable[..., Any]:
    for opt in reversed(
        [
            click.option(
                "--host",
                default="127.0.0.1",
                show_default=True,
                help="Interface for every listener; off loopback needs --allow-remote and --password.",
            ),
            click.option(
                "--otlp-port",
                type=click.IntRange(0, 65535),
                default=None,
                help="OTLP/HTTP receiver port (default 4318, or a free one if taken; 0 = OS chooses).",
            ),
            click.option(
                "--otlp-grpc-port",
                type=click.IntRange(0, 65535),
                default=None,
                help="OTLP/gRPC receiver port (default 4317, or a free one if taken; 0 = OS chooses).",
            ),
            click.option(
                "--clickhouse-port",
                type=click.IntRange(0, 65535),
                default=None,
                help="ClickHouse HTTP interface port (default 8124, or a free one if taken; 0 = OS chooses).",
            ),
            click.option(
                "--watch",
                multiple=True,
                type=click.Path(),
                help="Another directory or file of OTLP-JSON lines to load as it grows (repeatable).",
            ),
            click.option(
                "--allow-remote",
                is_flag=True,
                help="Allow a non-loopback --host (prompts and answers are served).",
            ),
            click.option(
                "--password",
                envvar="AGENTEL_SERVE_PASSWORD",
                default="",
                help="Password for the ClickHouse interface (and, off loopback, the UI and OTLP); "
                "default: a random one, written to serve.json.",
            ),
            click.option(
                "--wait",
                default=30.0,
                show_default=True,
                help="Seconds to wait for a store in use by another command.",
            ),
        ]
    ):
        f = opt(f)
    return f


def _serve(
    *,
    host: str,
    ui_port: int | None,
    otlp_port: int | None,
    otlp_grpc_port: int | None,
    clickhouse_port: int | None,
    watch: tuple[str, ...],
    allow_remote: bool,
    password: str,
    wait: float,
    banner: Callable[[Any], None],
    open_browser: bool,
) -> None:
    import logging

    from agentel.serve.process import AlreadyServing, ServeError, ServeOptions, Server

    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    directory = data_dir()
    if os.environ.get("CLICKHOUSE_URL"):
        click.echo(
            "agentel serve: CLICKHOUSE_URL is set, but serve owns the embedded store of AGENTEL_DIR "
            f"({directory}); unset it for commands that should use this server",
            err=True,
        )
    for w in watch:
        if not os.path.exists(w):
            click.echo(f"agentel serve: --watch {w}: does not exist yet; loaded once it appears", err=True)
    server = Server(
        ServeOptions(
            directory=directory,
            host=host,
            ui_port=ui_port,
            otlp_port=otlp_port,
            otlp_grpc_port=otlp_grpc_port,
            clickhouse_port=clickhouse_port,
            watch=watch,
            allow_remote=allow_remote,
            password=password,
            wait_s=wait,
        )
    )
    try:
        info = server.start()
    except AlreadyServing:
        raise
    except ServeError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        server.install_signal_handlers()
        if server.stale is not None:
            click.echo(
                f"agentel serve: replaced a stale serve.json (pid {server.stale.pid} is not running)",
                err=True,
            )
        banner(info)
        sys.stdout.flush()
        if open_browser and info.ui:
            import webbrowser

            webbrowser.open(info.ui + "/")
        server.wait()
    finally:
        server.stop()


def _print_banner(info: Any) -> None:
    click.echo(f"agentel serve: {info.dir} (pid {info.pid})")
    click.echo(f"  UI          {info.ui}/")
    click.echo(f"  OTLP/HTTP   {info.otlp}   (OTEL_EXPORTER_OTLP_ENDPOINT={info.otlp})")
    if info.otlp_grpc:
        click.echo(f"  OTLP/gRPC   {info.otlp_grpc}   (with OTEL_EXPORTER_OTLP_PROTOCOL=grpc)")
    if info.clickhouse:
        click.echo(f"  ClickHouse  {info.clickhouse}   (user {info.user}; password in serve.json)")
    click.echo("  agentel query/runs/leaderboard/... use this server while it runs.  Ctrl-C to stop.")


@click.command("serve")
@click.option(
    "--ui-port",
    type=click.IntRange(0, 65535),
    default=None,
    help="UI port (default 8765, or a free one if taken; 0 = OS chooses).",
)
@_common
@click.option("--open", "open_browser", is_flag=True, help="Open the UI in the default browser.")
def serve_cmd(
    host: str,
    ui_port: int | None,
    otlp_port: int | None,
    otlp_grpc_port: int | None,
    clickhouse_port: int | None,
    watch: tuple[str, ...],
    allow_remote: bool,
    password: str,
    wait: float,
    open_browser: bool,
) -> None:
    """Own the store: load files as they are written, receive OTLP/HTTP, serve the UI and a
    ClickHouse HTTP interface, until interrupted."""
    from agentel.serve.process import AlreadyServing

    try:
        _serve(
            host=host,
            ui_port=ui_port,
            otlp_port=otlp_port,
            otlp_grpc_port=otlp_grpc_port,
            clickhouse_port=clickhouse_port,
            watch=watch,
            allow_remote=allow_remote,
            password=password,
            wait=wait,
            banner=_print_banner,
            open_browser=open_browser,
        )
    except AlreadyServing as exc:
        raise click.ClickException(str(exc)) from None


@click.command("ui")
@click.option(
    "--port",
    "--ui-port",
    "port",
    type=click.IntRange(0, 65535),
    default=None,
    help="UI port (default 8765, or a free one; 0 = OS chooses).",
)
@_common
@click.option(
    "--open/--no-open",
    "open_browser",
    default=None,
    help="Open the UI in the browser (default: when run from a terminal).",
)
def ui_cmd(
    host: str,
    port: int | None,
    otlp_port: int | None,
    otlp_grpc_port: int | None,
    clickhouse_port: int | None,
    watch: tuple[str, ...],
    allow_remote: bool,
    password: str,
    wait: float,
    open_browser: bool | None,
) -> None:
    """Start ``agentel serve`` and open the UI (or open the UI of the server already running)."""
    from agentel.serve.process import AlreadyServing

    if open_browser is None:
        open_browser = sys.stdout.isatty()

    def banner(info: Any) -> None:
        click.echo(f"agentel ui: {info.ui}/  (Ctrl-C to stop)")
        click.echo(f"  OTLP/HTTP {info.otlp}   ClickHouse {info.clickhouse or '-'}   (pid {info.pid})")

    try:
        _serve(
            host=host,
            ui_port=port,
            otlp_port=otlp_port,
            otlp_grpc_port=otlp_grpc_port,
            clickhouse_port=clickhouse_port,
            watch=watch,
            allow_remote=allow_remote,
            password=password,
            wait=wait,
            banner=banner,
            open_browser=open_browser,
        )
    except AlreadyServing as exc:
        info = exc.info
        if not info.ui:
            raise click.ClickException(str(exc)) from None
        click.echo(f"agentel ui: {info.ui}/  (served by agentel serve, pid {info.pid})")
        if open_browser:
            import webbrowser

            webbrowser.open(info.ui + "/")
