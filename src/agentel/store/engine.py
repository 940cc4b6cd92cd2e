"""The store's tiny interface, with two engines: embedded chdb (default) and a ClickHouse server.

Both run the same DDL and the same queries (server-side parameters ``{name:Type}``). chdb allows
one process per data path, so the embedded engine takes an exclusive ``flock`` on
``<dir>/clickhouse.lock`` first: a second process waits up to ``wait_s`` and then fails with a
message saying who holds it — it never opens (and never corrupts) a store in use.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from agentel.config import hide_credentials, resolve

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class StoreError(RuntimeError):
    """A store operation failed; the message names what and how to fix it."""


class StoreBusyError(StoreError):
    """The embedded store is opened by another process."""


@dataclass
class Result:
    """Column names and rows of a query."""

    columns: list[str]
    rows: list[tuple[Any, ...]]

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None


class Engine(Protocol):
    """What every engine offers: execute DDL/DML, query with parameters, insert rows."""

    database: str
    kind: str

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> None: ...

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> Result: ...

    def query_raw(self, sql: str, fmt: str, params: Mapping[str, Any] | None = None) -> bytes: ...

    def insert(self, table: str, rows: Iterable[Mapping[str, Any]]) -> int: ...

    def insert_jsonl(self, table: str, payload: bytes) -> None: ...

    def close(self) -> None: ...


def _split_statements(sql: str) -> list[str]:
    """Split a .sql file on ';' at line ends (our DDL keeps ';' out of string literals)."""
    out: list[str] = []
    buf: list[str] = []
    for line in sql.splitlines():
        if line.strip().startswith("--") and not buf:
            continue
        buf.append(line)
        if line.rstrip().endswith(";"):
            stmt = "\n".join(buf).strip().rstrip(";").strip()
            if stmt:
                out.append(stmt)
            buf = []
    tail = "\n".join(buf).strip()
    if tail:
        out.append(tail)
    return out


def count_statements(sql: str) -> int:
    """How many SQL statements ``sql`` holds: ``;`` outside quotes and comments separates them
    (a trailing ``;`` and comments alone make none)."""
    n, i, size, started = 0, 0, len(sql), False
    while i < size:
        c = sql[i]
        if c in "'\"`":
            j = i + 1
            while j < size and sql[j] != c:
                j += 2 if sql[j] == "\\" else 1
            i, started = j + 1, True
            continue
        if sql.startswith("--", i) or c == "#":
            j = sql.find("\n", i)
            i = size if j < 0 else j
            continue
        if sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            i = size if j < 0 else j + 2
            continue
        if c == ";":
            n += started
            started = False
        elif not c.isspace():
            started = True
        i += 1
    return n + started


def _one_statement(sql: str) -> None:
    """chdb runs every statement of a multi-statement string and glues their outputs together:
    refuse it with one clear line, as a server does."""
    n = count_statements(sql)
    if n > 1:
        raise StoreError(
            f"one statement at a time: this query holds {n} statements separated by ';' (run them one by one)"
        )


class EmbeddedEngine:
    """chdb, in-process, data under ``<dir>/clickhouse``."""

    kind = "embedded"

    def __init__(self, data_dir: str, database: str = "agentel", wait_s: float = 30.0) -> None:
        self.path = os.path.abspath(os.path.join(data_dir, "clickhouse"))
        self.database = database
        try:
            os.makedirs(self.path, exist_ok=True)
            self._lock_fd: int | None = _acquire(os.path.join(data_dir, "clickhouse.lock"), self.path, wait_s)
        except OSError as exc:
            raise StoreError(
                f"the store directory {os.path.abspath(data_dir)} is not writable ({exc.strerror}): "
                "the embedded store keeps its data and a lock there; set AGENTEL_DIR to a writable "
                "folder, or point CLICKHOUSE_URL at a ClickHouse server"
            ) from None
        try:
            import chdb
        except ImportError:  # pragma: no cover - extra missing
            raise StoreError("the embedded store needs chdb: pip install 'agentel[local]'") from None
        self._conn = chdb.connect(self.path)
        self._conn.query(f"CREATE DATABASE IF NOT EXISTS {database}")
        self._conn.query(f"USE {database}")  # plain SQL a user writes names tables unqualified
        self._conn.query("SET session_timezone = 'UTC'")  # timestamps are written and read as UTC

    def _run(self, sql: str, fmt: str, params: Mapping[str, Any] | None) -> Any:
        try:
            return self._conn.query(sql, fmt, params=_bind(params) if params else None)
        except Exception as exc:
            raise StoreError(_clean(exc)) from None

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> None:
        self._run(sql, "Null", params)

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> Result:
        _one_statement(sql)
        raw = self._run(sql, "JSONCompact", params)
        data = json.loads(raw.bytes() or b'{"meta":[],"data":[]}')
        return Result([m["name"] for m in data["meta"]], [tuple(r) for r in data["data"]])

    def query_raw(self, sql: str, fmt: str, params: Mapping[str, Any] | None = None) -> bytes:
        _one_statement(sql)
        return bytes(self._run(sql, fmt, params).bytes())

    def insert(self, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
        lines = [json.dumps(r, separators=(",", ":"), default=str) for r in rows]
        if lines:
            self.insert_jsonl(table, ("\n".join(lines) + "\n").encode())
        return len(lines)

    def insert_jsonl(self, table: str, payload: bytes) -> None:
        if not payload:
            return
        # FORMAT with inline data: the engine parses JSONEachRow itself (its own reader, fast)
        sql = f"INSERT INTO {table} SETTINGS date_time_input_format='best_effort' FORMAT JSONEachRow\n"
        try:
            self._conn.query(sql + payload.decode("utf-8"), "Null")
        except Exception as exc:
            raise StoreError(_clean(exc)) from None

    def close(self) -> None:
        try:
            self._conn.close()
        finally:
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None


class ServerEngine:
    """A ClickHouse server through clickhouse-connect, from ``CLICKHOUSE_URL``."""

    kind = "server"

    def __init__(
        self, url: str, connect: Callable[..., Any] | None = None, *, timeout_s: float | None = None
    ) -> None:
        """``connect`` makes a clickhouse-connect client from keyword arguments (default
        ``clickhouse_connect.get_client``; the tests pass one backed by chdb). ``timeout_s`` bounds
        connecting and each request (a server that accepts and never answers); default: the
        client's own (10 s to connect, 300 s per request)."""
        parts = urlsplit(url)
        shown = hide_credentials(url)  # errors never quote the password
        if parts.scheme not in ("http", "https", "clickhouse", "tcp") or not parts.hostname:
            raise StoreError(
                f"CLICKHOUSE_URL: expected protocol://user:password@host:port/database, got {shown!r}"
            )
        try:
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError:
            raise StoreError(f"CLICKHOUSE_URL: bad port in {shown!r} (expected 1-65535)") from None
        self.database = (parts.path or "/").strip("/") or "agentel"
        if not _IDENT.match(self.database):
            raise StoreError(
                f"CLICKHOUSE_URL: database {self.database!r}: use letters, digits and '_' (in {shown!r})"
            )
        if connect is None:
            try:
                import clickhouse_connect
            except ImportError:  # pragma: no cover
                raise StoreError(
                    "the server engine needs clickhouse-connect: pip install 'agentel[server]'"
                ) from None
            connect = clickhouse_connect.get_client
        secure = parts.scheme == "https"
        # clickhouse-connect speaks ClickHouse's HTTP interface, whatever the URL's protocol says
        where: dict[str, Any] = dict(
            host=parts.hostname,
            port=parts.port or (8443 if secure else 8123),
            username=unquote(parts.username or "default"),
            password=unquote(parts.password or ""),
            secure=secure,
        )
        if timeout_s is not None:
            where.update(connect_timeout=timeout_s, send_receive_timeout=timeout_s)
        try:
            admin = connect(**where)
            admin.command(f"CREATE DATABASE IF NOT EXISTS {self.database}")
            admin.close()
            self._client = connect(**where, database=self.database, settings={"session_timezone": "UTC"})
        except Exception as exc:
            hint = " (agentel reaches ClickHouse over HTTP: port 8123, or 8443 with https)"
            raise StoreError(
                f"CLICKHOUSE_URL: cannot reach {parts.hostname}:{where['port']}: {_clean(exc)}"
                + (hint if parts.scheme in ("tcp", "clickhouse") else "")
            ) from None

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> None:
        try:
            self._client.command(sql, parameters=dict(params) if params else None)
        except Exception as exc:
            raise StoreError(_clean(exc)) from None

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> Result:
        try:
            r = self._client.query(sql, parameters=dict(params) if params else None)
        except Exception as exc:
            raise StoreError(_clean(exc)) from None
        return Result(list(r.column_names), [tuple(row) for row in r.result_rows])

    def query_raw(self, sql: str, fmt: str, params: Mapping[str, Any] | None = None) -> bytes:
        try:
            return bytes(self._client.raw_query(sql, parameters=dict(params) if params else None, fmt=fmt))
        except Exception as exc:
            raise StoreError(_clean(exc)) from None

    def insert(self, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
        lines = [json.dumps(r, separators=(",", ":"), default=str) for r in rows]
        if lines:
            self.insert_jsonl(table, ("\n".join(lines) + "\n").encode())
        return len(lines)

    def insert_jsonl(self, table: str, payload: bytes) -> None:
        if not payload:
            return
        try:
            self._client.raw_insert(
                table,
                insert_block=payload,
                fmt="JSONEachRow",
                settings={"date_time_input_format": "best_effort"},
            )
        except Exception as exc:
            raise StoreError(_clean(exc)) from None

    def close(self) -> None:
        self._client.close()


def _literal(value: Any) -> str:
    """A value inside an array/tuple parameter, as ClickHouse's parameter parser reads it."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        inner = ",".join(_literal(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _escaped(value: str) -> str:
    """A top-level string parameter in ClickHouse's escaped form (as clickhouse-connect sends it):
    a value ending in a backslash, or holding ``\\t``, is the value as typed, not an escape."""
    return "".join("\\" + c if c in _MUST_ESCAPE else c for c in value)


_MUST_ESCAPE = frozenset("\\'`\t\n")


def _bind(params: Mapping[str, Any]) -> dict[str, Any]:
    """chdb passes parameters through ``str()``; arrays and tuples need ClickHouse's own literal
    form (quoted strings), and strings its escaped form, as clickhouse-connect sends them to a server."""
    return {
        k: _literal(v) if isinstance(v, (list, tuple)) else _escaped(v) if isinstance(v, str) else v
        for k, v in params.items()
    }


def _clean(exc: BaseException) -> str:
    text = str(exc).strip()
    # chdb/clickhouse messages carry a stack trace after the first line
    first = text.split("\n", 1)[0]
    return first[:2000]


def _acquire(lock_path: str, data_path: str, wait_s: float) -> int:
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = ""
                try:
                    with open(lock_path) as fh:
                        holder = fh.read().strip()
                except OSError:
                    pass
                os.close(fd)
                raise StoreBusyError(
                    f"the embedded store at {data_path} is in use by another agentel process"
                    f"{f' (pid {holder})' if holder else ''}; wait for it to finish (or pass a longer --wait), "
                    "or point CLICKHOUSE_URL at a ClickHouse server for concurrent access"
                ) from None
            time.sleep(0.1)


def open_engine(
    data_dir: str | None = None,
    url: str | None = None,
    wait_s: float = 30.0,
) -> Engine:
    """The server engine when ``url`` (or CLICKHOUSE_URL) is set, else the embedded one."""
    url = url if url is not None else os.environ.get("CLICKHOUSE_URL") or None
    if url:
        return ServerEngine(url)
    data_dir = data_dir or resolve("dir")[0]
    return EmbeddedEngine(data_dir, wait_s=wait_s)


def columns_of(engine: Engine, table: str) -> Sequence[str]:
    """Column names of ``table`` (for tests and schema checks)."""
    r = engine.query(
        "SELECT name FROM system.columns WHERE database = {db:String} AND table = {t:String} ORDER BY position",
        {"db": engine.database, "t": table},
    )
    return [row[0] for row in r.rows]
