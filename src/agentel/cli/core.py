"""Core commands: ``run`` (configure a program), ``lint`` (registries), ``docs`` (reference pages)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import click


@click.command("run", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.option("--dir", "dir_", default=None, help="Where telemetry files go (AGENTEL_DIR).")
@click.option("--run-id", default=None, help="Run id for this program (AGENTEL_RUN_ID).")
@click.option(
    "--console", type=click.Choice(["pretty", "jsonl", "off"]), default=None, help="Console rendering."
)
@click.option("--capture-content/--no-capture-content", default=None, help="Record prompts and completions.")
@click.argument("command", nargs=-1, type=click.UNPROCESSED, required=True)
def run_cmd(
    dir_: str | None,
    run_id: str | None,
    console: str | None,
    capture_content: bool | None,
    command: tuple[str, ...],
) -> None:
    """Run COMMAND under agentel: ``agentel run -- python app.py`` (instrumentors included)."""
    env = dict(os.environ)
    if dir_:
        env["AGENTEL_DIR"] = dir_
    if run_id:
        env["AGENTEL_RUN_ID"] = run_id
    if console:
        env["AGENTEL_CONSOLE"] = console
    if capture_content is not None:
        env["AGENTEL_CAPTURE_CONTENT"] = "1" if capture_content else "0"
    env.setdefault("OTEL_PYTHON_DISTRO", "agentel")
    env.setdefault("OTEL_PYTHON_CONFIGURATOR", "agentel")
    # A bad setting does not stop the program: agentel's configurator inside the program says so in
    # one line naming the variable, and the program runs without agentel.
    # What opentelemetry-instrument does, without its own interpreter: its sitecustomize first on
    # PYTHONPATH (then the working directory), and the program exec'd in this process's place.
    import importlib.util

    spec = importlib.util.find_spec("opentelemetry.instrumentation.auto_instrumentation")
    if spec is None or not spec.submodule_search_locations:
        raise click.ClickException(
            "opentelemetry-instrumentation not found; reinstall agentel (pip install agentel)"
        )
    sitedir = list(spec.submodule_search_locations)[0]
    path = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != sitedir]
    if os.getcwd() not in path:
        path.insert(0, os.getcwd())
    env["PYTHONPATH"] = os.pathsep.join([sitedir, *path])
    argv = list(command)
    if argv and argv[0] in ("python", "python3"):
        argv[0] = sys.executable
    program = shutil.which(argv[0], path=env.get("PATH")) or argv[0]
    if os.name != "posix":  # no exec that keeps the pid: run it and pass its exit status on
        sys.exit(subprocess.run([program, *argv[1:]], env=env).returncode)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(program, argv, env)
    except OSError as exc:
        raise click.ClickException(f"cannot run {argv[0]!r}: {exc.strerror}") from None


@click.command("lint")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def lint_cmd(paths: tuple[str, ...]) -> None:
    """Report event and metric names used in PATHS that no registry knows (exit 1 if any)."""
    from agentel.registry import lint_paths

    findings = lint_paths(paths)
    for f in findings:
        click.echo(str(f))
    if findings:
        click.echo(
            f"{len(findings)} unregistered name(s); register them with agentel.register_event/register_metric",
            err=True,
        )
        sys.exit(1)
    click.echo("no unregistered event or metric names")


def render_docs(include_app: bool = False) -> dict[str, str]:
    """Generated reference pages: file name → content (with the application's own names when
    ``include_app``: `agentel docs --module`)."""
    from agentel.config import render_reference
    from agentel.registry import render_events_md, render_metrics_md

    return {
        "events.md": render_events_md(include_app),
        "metrics.md": render_metrics_md(include_app),
        "configuration.md": render_reference(),
    }


@click.command("docs")
@click.option("--out", default="docs/reference", show_default=True, help="Folder for the generated pages.")
@click.option("--check", is_flag=True, help="Exit 1 if a page is stale instead of writing it.")
@click.option(
    "--module",
    "modules",
    multiple=True,
    metavar="MODULE",
    help="Import this module (dotted name or .py path) first, so the events and metrics it "
    "registers are documented too (repeatable).",
)
def docs_cmd(out: str, check: bool, modules: tuple[str, ...]) -> None:
    """Regenerate the event, metric and configuration reference pages."""
    if modules:
        from agentel.cli.options import load_check_modules

        try:
            load_check_modules(modules)
        except click.BadParameter as exc:
            raise click.BadParameter(exc.message, param_hint="--module") from None
    stale = []
    for name, content in render_docs(include_app=bool(modules)).items():
        path = os.path.join(out, name)
        old = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as fh:
                old = fh.read()
        if old == content:
            continue
        stale.append(path)
        if not check:
            os.makedirs(out, exist_ok=True)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(content)
    if check and stale:
        click.echo("stale: " + ", ".join(stale) + " (run `make docs`)", err=True)
        sys.exit(1)
    click.echo(("stale: " if check else "wrote: ") + (", ".join(stale) or "nothing to change"))
