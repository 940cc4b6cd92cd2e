"""Starting and stopping ``agentel serve``: the store, the listeners, ``serve.json``, signals.

Start-up order: refuse if ``serve.json`` names a live server for this directory; take the
embedded store (its ``flock``) and apply the schema; bind the UI, the OTLP receiver and the
ClickHouse interface (a default port already taken falls back to one the OS picks; a port given
explicitly must be free); write ``serve.json``; start the loader loop, which first catches up
with whatever the files gained while nobody was serving. Stopping (SIGINT, SIGTERM) runs the
same steps backwards: stop accepting OTLP, stop the loader after its current pass, stop the
HTTP interfaces, remove ``serve.json`` (if it is still ours), close the store.
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from agentel.serve.discovery import (
    ServerInfo,
    read_live_server,
    read_server_info,
    remove_server_info,
    write_server_info,
)

log = logging.getLogger("agentel.serve")

DEFAULT_UI_PORT = 8765
DEFAULT_OTLP_PORT = 4318
DEFAULT_OTLP_GRPC_PORT = 4317
DEFAULT_CLICKHOUSE_PORT = 8124


class ServeError(RuntimeError):
    """``agentel serve`` cannot start; the message says why and what to do."""


class AlreadyServing(ServeError):
    """Another live ``agentel serve`` owns this directory."""

    def __init__(self, info: ServerInfo) -> None:
        self.info = info
        super().__init__(
            f"agentel serve is already running for {info.dir} (pid {info.pid}): UI {info.ui or '-'}, "
            f"OTLP {info.otlp or '-'}, ClickHouse {info.clickhouse or '-'}; use it, or stop it first (kill {info.pid})"
        )


@dataclass
class ServeOptions:
    """What to serve and where. A port of None means the default, or any free one if it is taken."""

    directory: str
    host: str = "127.0.0.1"
    ui_port: int | None = None
    otlp_port: int | None = None
    otlp_grpc_port: int | None = None
    grpc: bool = True
    clickhouse_port: int | None = None
    watch: Sequence[str] = ()
    allow_remote: bool = False
    user: str = "default"
    password: str = ""
    wait_s: float = 30.0
    interval: float = 0.2
    ui: bool = True
    clickhouse: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def check_bind(opts: ServeOptions) -> None:
    """Refuse a non-loopback host without ``allow_remote`` and a password (before touching the store)."""
    from agentel.ui.server import is_loopback

    if is_loopback(opts.host):
        return
    if not opts.allow_remote:
        raise ServeError(
            f"--host {opts.host}: refusing to serve prompts and answers on a non-loopback interface; "
            "pass --allow-remote (and --password) to do it on purpose"
        )
    if not opts.password:
        raise ServeError(
            f"--host {opts.host} --allow-remote: a password is required off loopback "
            "(--password or AGENTEL_SERVE_PASSWORD); the UI, the OTLP receiver and the ClickHouse "
            "interface then ask for it"
        )


def _listen(what: str, flag: str, port: int | None, default: int, make: Callable[[int], Any]) -> Any:
    if port is None:
        try:
            return make(default)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise ServeError(f"{what}: cannot listen on port {default} ({exc.strerror})") from None
            print(
                f"agentel serve: port {default} is taken, {what} listens on a free port instead",
                file=sys.stderr,
            )
            port = 0
    try:
        return make(port)
    except OSError as exc:
        raise ServeError(
            f"{flag} {port}: {what} cannot listen ({exc.strerror}); pick another port or 0"
        ) from None


def _url(host: str, port: int) -> str:
    """The URL a local client uses (a wildcard bind is reached on loopback)."""
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    return f"http://{'[' + host + ']' if ':' in host else host}:{port}"


class Server:
    """One ``agentel serve``: build with options, :meth:`start`, :meth:`wait`, :meth:`stop`."""

    def __init__(self, opts: ServeOptions) -> None:
        self.opts = opts
        self.directory = os.path.abspath(opts.directory)
        self.engine: Any = None
        self.ui: Any = None
        self.otlp: Any = None
        self.otlp_grpc: Any = None
        self.clickhouse: Any = None
        self.tailer: Any = None
        self.info: ServerInfo | None = None
        self.stale: ServerInfo | None = None
        self._stop = threading.Event()
        self._stopped = False

    # --- start -----------------------------------------------------------------------------

    def _refuse_if_served(self) -> None:
        live = read_live_server(self.directory)
        if live is not None and live.pid != os.getpid():
            raise AlreadyServing(live)

    def _open_store(self) -> Any:
        from agentel.serve.store import LockedEngine
        from agentel.store.engine import EmbeddedEngine, StoreBusyError, StoreError
        from agentel.store.schema import SchemaOptions, apply
        from agentel.store.session import ttl_days_setting

        deadline = time.monotonic() + self.opts.wait_s
        while True:
            self._refuse_if_served()
            try:
                engine = EmbeddedEngine(self.directory, wait_s=0.0)
                break
            except StoreBusyError as exc:
                if time.monotonic() >= deadline:
                    raise ServeError(str(exc)) from None
                time.sleep(0.2)  # a CLI command has it for a moment, or another serve is starting
            except StoreError as exc:
                raise ServeError(str(exc)) from None
        try:
            ttl, configured = ttl_days_setting()
            apply(engine, SchemaOptions(database=engine.database, ttl_days=ttl), set_ttl=configured)
        except BaseException:
            engine.close()
            raise
        return LockedEngine(engine)

    def start(self) -> ServerInfo:
        opts = self.opts
        check_bind(opts)
        os.makedirs(self.directory, exist_ok=True)
        self._refuse_if_served()
        old = read_server_info(self.directory)
        if old is not None:
            self.stale = old  # its pid is gone (else we would have refused): replaced below
        password = opts.password or secrets.token_urlsafe(18)
        from agentel.serve.otlp import OTLPReceiver, Redaction

        try:
            redaction = Redaction.from_environment()
        except Exception as exc:  # a bad policy file or setting: say which
            raise ServeError(f"redaction policy: {exc}") from None
        self.engine = self._open_store()
        try:
            return self._start_listeners(password, redaction, OTLPReceiver)
        except BaseException:
            self._shutdown()
            raise

    def _start_listeners(self, password: str, redaction: Any, receiver_cls: Any) -> ServerInfo:
        from agentel.serve.tail import Tailer
        from agentel.store.session import keep_within_budget

        opts = self.opts
        remote_password = password if opts.password and opts.allow_remote else ""
        self.tailer = Tailer(
            self.engine,
            [self.directory, *opts.watch],
            interval=opts.interval,
            budget=lambda: keep_within_budget(self.engine),
            on_loaded=self._loaded,
        )
        self.otlp = _listen(
            "the OTLP receiver",
            "--otlp-port",
            opts.otlp_port,
            DEFAULT_OTLP_PORT,
            lambda p: receiver_cls(
                self.directory,
                opts.host,
                p,
                redaction=redaction,
                on_appended=self.tailer.wake,
                password=remote_password,
            ),
        )
        if opts.grpc:
            from agentel.serve.otlp_grpc import OTLPGrpcServer

            self.otlp_grpc = _listen(
                "the OTLP/gRPC receiver",
                "--otlp-grpc-port",
                opts.otlp_grpc_port,
                DEFAULT_OTLP_GRPC_PORT,
                lambda p: OTLPGrpcServer(self.otlp, opts.host, p),
            )
        if opts.ui:
            from agentel.ui.server import make_server
            from agentel.ui.service import repository_for

            repo = repository_for(self.engine)
            self.ui = _listen(
                "the UI",
                "--ui-port",
                opts.ui_port,
                DEFAULT_UI_PORT,
                lambda p: make_server(
                    repo, opts.host, p, allow_remote=opts.allow_remote, password=remote_password
                ),
            )
        if opts.clickhouse:
            from agentel.serve.clickhouse_http import ClickHouseHTTPServer, tailer_loader

            self.clickhouse = _listen(
                "the ClickHouse interface",
                "--clickhouse-port",
                opts.clickhouse_port,
                DEFAULT_CLICKHOUSE_PORT,
                lambda p: _bound_clickhouse(
                    ClickHouseHTTPServer(self.engine, opts.host, p, opts.user, password)
                ),
            )
            # the CLI asks the server to load what was written before it ran (/agentel/load)
            self.clickhouse.loader = tailer_loader(self.engine, self.tailer, self.directory)
        if self.ui is not None:
            self.ui.start_background()
        self.otlp.start()
        if self.otlp_grpc is not None:
            self.otlp_grpc.start()
        host = opts.host
        self.info = ServerInfo(
            pid=os.getpid(),
            started=time.time(),
            dir=self.directory,
            ui=_url(host, self.ui.server_address[1]) if self.ui is not None else "",
            otlp=_url(host, self.otlp.port),
            otlp_grpc=_url(host, self.otlp_grpc.port) if self.otlp_grpc is not None else "",
            clickhouse=str(self.clickhouse.url).rstrip("/") if self.clickhouse is not None else "",
            user=opts.user,
            password=password,
            database=self.engine.database,
        )
        write_server_info(self.directory, self.info)
        self.tailer.start()
        return self.info

    def _loaded(self, report: Any) -> None:
        """Say what the first pass caught up with (files written while no server ran); live
        passes are quiet."""
        if self.tailer is not None and self.tailer.passes == 0:
            print(f"agentel serve: caught up: {report.summary()}", file=sys.stderr, flush=True)

    # --- run and stop --------------------------------------------------------------------

    def request_stop(self, *_: object) -> None:
        self._stop.set()

    def install_signal_handlers(self) -> None:
        """SIGINT and SIGTERM stop the server cleanly (main thread only)."""
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        try:
            signal.signal(signal.SIGHUP, self.request_stop)
        except (AttributeError, ValueError):  # pragma: no cover - no SIGHUP on this platform
            pass

    def wait(self) -> None:
        while not self._stop.wait(0.5):
            pass

    def stop(self) -> None:
        self._stop.set()
        self._shutdown()

    def _shutdown(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        started = self.info is not None  # listeners serve only once start() got that far
        for step in (
            lambda: self.otlp_grpc and self.otlp_grpc.stop(),
            lambda: self.otlp and (self.otlp.stop() if started else self.otlp.server_close()),
            lambda: self.tailer and self.tailer.stop(),
            lambda: self.clickhouse and self.clickhouse.stop(),
            lambda: self.ui and ((self.ui.shutdown() if started else None), self.ui.server_close()),
            lambda: remove_server_info(self.directory, os.getpid()) if self.info else None,
            lambda: self.engine and self.engine.close(),
        ):
            try:
                step()
            except Exception:  # noqa: BLE001 - keep stopping the rest
                log.exception("agentel serve: error while stopping")


def _bound_clickhouse(server: Any) -> Any:
    """Start the ClickHouse interface (it binds on start), so a taken port fails here."""
    server.start()
    return server
