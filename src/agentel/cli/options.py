"""What the command modules share: the repeated option blocks, the store a command opens, the
telemetry a recording command configures, and small output helpers.

Every command module imports its options from here, so ``--since``/``--until``, ``--run``,
``--no-load`` and ``--format`` read the same everywhere. Nothing heavy is imported at module level
(``agentel --help`` stays fast); the store, the SDK and the analytics modules are imported when a
command runs.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
FORMATS = ("table", "json", "csv")


# --- option blocks ---------------------------------------------------------------------------------


def format_option(choices: tuple[str, ...] = FORMATS, default: str = "table") -> Callable[[F], F]:
    """``--format`` (stored as ``fmt``): a table for people, JSON (or CSV) for scripts."""
    machine = " or ".join(c.upper() for c in choices if c != "table")
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help=f"Output: a table for people, {machine} for scripts.",
    )


def window_options(fn: F) -> F:
    """``--since`` and ``--until`` (read with :func:`parse_window`)."""
    fn = click.option(
        "--until", default=None, help="End of the window: a duration ago (1h), 'now', or a date/time (UTC)."
    )(fn)
    fn = click.option(
        "--since",
        default=None,
        help="Start of the window: a duration ago (30m, 2h, 7d), 'today', or a date/time.",
    )(fn)
    return fn


def run_option(fn: F) -> F:
    """``--run``: only this run."""
    return click.option(
        "--run", default=None, help="Only this run (a `run` key or a process's agentel.run_id)."
    )(fn)


def load_option(fn: F) -> F:
    """``--no-load``: answer from the store as it is."""
    return click.option(
        "--no-load", is_flag=True, help="Answer from the store as it is; do not load new files first."
    )(fn)


def limit_option(default: int | None = 50, what: str = "rows") -> Callable[[F], F]:
    """``--limit N``: at most N rows of a list (after ranking/sorting: the first N)."""
    shown = f"At most this many {what} (the first after ordering)."
    return click.option(
        "--limit",
        type=click.IntRange(1, 1_000_000),
        default=default,
        show_default=default is not None,
        help=shown if default is not None else shown + " Default: all.",
    )


def limited(rows: list[Any], limit: int | None) -> list[Any]:
    """The first ``limit`` rows (all of them when ``limit`` is None)."""
    return rows if limit is None else rows[:limit]


def checks_module_option(fn: F) -> F:
    """``--checks-module`` (repeatable; read with :func:`load_check_modules`)."""
    return click.option(
        "--checks-module",
        "checks_modules",
        multiple=True,
        metavar="MODULE",
        help="Import this module (dotted name or .py path) first, so its @agentel.check functions exist.",
    )(fn)


# --- reading options -------------------------------------------------------------------------------


def parse_window(since: str | None, until: str | None, window: str | None = None) -> Any:
    """The ``Window`` of ``--since``/``--until`` (or ``--window``); bad input is a usage error."""
    from agentel.analytics.window import Window, WindowError

    try:
        return Window.parse(since, until, window=window)
    except WindowError as exc:
        raise click.UsageError(str(exc)) from None


def load_check_modules(modules: tuple[str, ...]) -> None:
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


def check_writable(path: str, name: str) -> None:
    """Fail before any work when an output file cannot be written where it was asked for."""
    if path == "-":
        return
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise click.BadParameter(
            f"the folder {folder} does not exist; create it or pick another path", param_hint=name
        )
    if not os.access(folder, os.W_OK):
        raise click.BadParameter(f"cannot write in {folder}", param_hint=name)


# --- the store and the command's own telemetry -----------------------------------------------------


def _import_chdb_lean() -> None:
    """Import chdb without pyarrow (~0.2 s of every report's start-up).

    chdb imports pyarrow only for its Arrow APIs (ArrowTable results, record-batch streams), which
    the store never uses; it says so and runs without it. pyarrow stays importable afterwards
    (Parquet export imports it when asked).
    """
    if "chdb" in sys.modules or "pyarrow" in sys.modules:
        return
    sys.modules["pyarrow"] = None  # type: ignore[assignment]
    try:
        import chdb  # noqa: F401
        import chdb.state  # noqa: F401  (imported lazily by connect(): where pyarrow is tried)
    except ImportError:
        pass  # no chdb: the store says how to install it
    finally:
        del sys.modules["pyarrow"]


@contextmanager
def open_engine(no_load: bool = False, quiet: bool = False) -> Iterator[Any]:
    """The store for one command: new files loaded first (progress on a terminal), closed after.

    Store, analytics and eval errors raised inside the block become one clean CLI error line.
    """
    from agentel.analytics.questions import AnalyticsError
    from agentel.cli.store import open_cli_store
    from agentel.evals.model import EvalError
    from agentel.store import StoreError
    from agentel.store.session import served

    if not os.environ.get("CLICKHOUSE_URL") and served() is None:  # a running serve: no chdb here
        _import_chdb_lean()
    engine, report = open_cli_store(load_new=not no_load, quiet=quiet)
    if report is not None and report.rows and not quiet:
        click.echo(f"agentel: {report.summary()}", err=True)
    try:
        yield engine
    except (AnalyticsError, EvalError) as exc:
        raise click.ClickException(str(exc)) from None
    except StoreError as exc:
        raise click.ClickException(f"the store could not answer: {exc}") from None
    finally:
        engine.close()


@contextmanager
def telemetry(kind: str, **overrides: Any) -> Iterator[str | None]:
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


def load_own(engine: Any, run_dir: str | None) -> None:
    """Load the files this command just wrote into the open store (idempotent, like ``load``)."""
    if run_dir and os.path.isdir(run_dir):
        from agentel.store.session import load_paths

        load_paths(engine, [run_dir])  # through the owning `agentel serve` when one runs


# --- output ----------------------------------------------------------------------------------------


def note(fmt: str, text: str) -> None:
    """A remark for people (stderr, tables only), never mixed into JSON/CSV output."""
    if fmt == "table":
        click.echo(text, err=True)
