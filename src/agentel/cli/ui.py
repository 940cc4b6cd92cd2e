"""``agentel ui``: serve the local web app over the store until interrupted."""

from __future__ import annotations

import click


@click.command("ui")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8765, show_default=True, type=int, help="Port (0 picks a free one).")
@click.option(
    "--allow-remote", is_flag=True, help="Allow a non-loopback --host (the UI shows prompts and answers)."
)
@click.option("--open", "open_browser", is_flag=True, help="Open the UI in the default browser.")
@click.option(
    "--wait", default=30.0, show_default=True, help="Seconds to wait for a store in use by another process."
)
def ui_cmd(host: str, port: int, allow_remote: bool, open_browser: bool, wait: float) -> None:
    """Browse runs, calls, traces, leaderboard and cost, and give feedback, in a local web app."""
    from agentel.cli.store import open_cli_store
    from agentel.ui.server import BindRefused, is_loopback, make_server
    from agentel.ui.service import repository_for

    if not is_loopback(host) and not allow_remote:  # refuse before taking the store's lock
        raise click.ClickException(str(BindRefused(host)))
    engine, _ = open_cli_store(load_new=True, wait=wait)
    try:
        try:
            server = make_server(repository_for(engine), host, port, allow_remote=allow_remote)
        except BindRefused as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(
                f"--host {host} --port {port}: cannot listen ({exc.strerror})"
            ) from None
        click.echo(f"agentel ui: {server.url}  (Ctrl-C to stop)", err=False)
        if open_browser:
            import webbrowser

            webbrowser.open(server.url)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    finally:
        engine.close()
