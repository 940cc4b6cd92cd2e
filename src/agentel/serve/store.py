"""The served store: one embedded engine shared by every thread of ``agentel serve``.

chdb runs one session per data directory, so the server keeps exactly one ``EmbeddedEngine`` and
serialises every call on it with a re-entrant lock (the file loader, the OTLP receiver, the UI
and the ClickHouse HTTP interface all go through here). ``LockedEngine`` implements the store's
``Engine`` protocol, plus :meth:`LockedEngine.raw` / :meth:`LockedEngine.run` for the HTTP
interface: a statement in any format, per-request settings/database/parameters, and
``INSERT … FORMAT X`` with the data as bytes, streamed into chdb's own input-format parser
(``send_insert``: no temp file, no re-encoding, any format — Native, RowBinary, Arrow, Parquet,
JSONEachRow, CSV …).

Because the chdb session is shared, per-request settings and the request's database are applied
with ``SET``/``USE`` and restored afterwards, under the lock; a client's own ``SET``/``USE``
statement (meaningless without a session over HTTP) is accepted and has no effect.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from agentel.store.engine import Engine, Result, StoreError

# What clickhouse-connect asks on every connect: answers that cannot change while the server runs
# (the settings query alone takes ~40 ms in chdb), kept after the first time.
STATIC_QUERIES = frozenset(
    {
        "SELECT version(), timezone()",
        "SELECT name, value, readonly FROM system.settings LIMIT 10000",
        "SELECT 1 AS check",
        "SELECT version()",
        "SELECT timezone()",
    }
)

# Settings that belong to the HTTP layer (or that a shared session must not take): never SET.
HTTP_ONLY = frozenset(
    {
        "query",
        "database",
        "default_format",
        "user",
        "password",
        "query_id",
        "session_id",
        "session_timeout",
        "session_check",
        "compress",
        "decompress",
        "buffer_size",
        "wait_end_of_query",
        "role",
        "quota_key",
        "client_protocol_version",
        "readonly",
        "enable_http_compression",
        "http_zlib_compression_level",
        "http_native_compression_disable_checksumming_on_decompress",
        "send_progress_in_http_headers",
        "http_headers_progress_interval_ms",
        "http_wait_end_of_query",
        "http_response_buffer_size",
        "cancel_http_readonly_queries_on_client_close",
        "add_http_cors_header",
        "max_query_size",  # we parse the query ourselves; the embedded engine keeps its limit
        "log_queries",
        "allow_experimental_analyzer",
        "opentelemetry_start_trace_probability",
        "async_insert",  # the embedded store inserts synchronously: acknowledged means stored
        "wait_for_async_insert",
    }
)

_COMMENTS = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*", re.S)
_FIRST_WORD = re.compile(r"[A-Za-z]+")
# INSERT INTO … FORMAT Name <data>: the statement head ends after the format name
_INSERT_FORMAT = re.compile(rb"\bFORMAT\s+([A-Za-z][A-Za-z0-9_]*)[ \t]*(?:\r?\n|[ \t]|\Z)", re.I)
_TRAILING_FORMAT = re.compile(r"\bFORMAT\s+([A-Za-z][A-Za-z0-9_]*)\s*;?\s*\Z", re.I)
_SETTING_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def first_keyword(sql: str) -> str:
    """The statement's first keyword, upper-cased ('' for an empty statement)."""
    head = _COMMENTS.match(sql)
    rest = sql[head.end() :] if head else sql
    m = _FIRST_WORD.match(rest)
    return m.group(0).upper() if m else ""


def split_insert(text: bytes) -> tuple[str, str, bytes] | None:
    """``INSERT … FORMAT X\\n<data>`` → (statement head without FORMAT, X, data); None when the
    text is not an INSERT with a FORMAT clause (``INSERT … VALUES``/``SELECT`` run as SQL)."""
    probe = text[:65536].decode("latin-1")
    if first_keyword(probe) != "INSERT":
        return None
    m = _INSERT_FORMAT.search(text, 0, 65536)
    if m is None:
        return None
    head = text[: m.start()].decode("utf-8", errors="strict").strip()
    # VALUES before FORMAT means the word FORMAT was in the data
    if re.search(r"\bVALUES\b", head, re.I) or re.search(r"\bSELECT\b", head, re.I):
        return None
    data = text[m.end() :]
    return head, m.group(1).decode("ascii"), data


def output_format(sql: str, default: str) -> str:
    """The format a statement's result comes in: its own ``FORMAT`` clause, else ``default``."""
    m = _TRAILING_FORMAT.search(sql)
    return m.group(1) if m else default


@dataclass
class RawResult:
    """A statement's output bytes and the counters of ``X-ClickHouse-Summary``."""

    data: bytes
    fmt: str
    read_rows: int = 0
    read_bytes: int = 0
    written_rows: int = 0
    written_bytes: int = 0
    elapsed_ns: int = 0

    def summary(self) -> dict[str, str]:
        return {
            "read_rows": str(self.read_rows),
            "read_bytes": str(self.read_bytes),
            "written_rows": str(self.written_rows),
            "written_bytes": str(self.written_bytes),
            "total_rows_to_read": str(self.read_rows),
            "result_rows": "0",
            "result_bytes": str(len(self.data)),
            "elapsed_ns": str(self.elapsed_ns),
        }


def _setting_literal(value: Any) -> str:
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


class LockedEngine:
    """An ``EmbeddedEngine`` shared by threads: every call holds one re-entrant lock."""

    kind = "embedded"

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.database = engine.database
        self.lock = threading.RLock()
        self._baseline: dict[str, str] = {}  # the session's own value of each setting asked for
        self._applied: dict[str, str] = {}  # settings a request left set (kept while the next agree)
        self._static: dict[tuple[str, str, tuple[tuple[str, str], ...]], RawResult] = {}
        self.queries = 0  # statements run through raw()/run(), for the server's status

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def path(self) -> str:
        return str(getattr(self._engine, "path", ""))

    # --- the Engine protocol -------------------------------------------------------------
    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> None:
        with self.lock:
            self._baseline_session()
            self._engine.execute(sql, params)

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> Result:
        with self.lock:
            self._baseline_session()
            return self._engine.query(sql, params)

    def query_raw(self, sql: str, fmt: str, params: Mapping[str, Any] | None = None) -> bytes:
        with self.lock:
            self._baseline_session()
            return self._engine.query_raw(sql, fmt, params)

    def insert(self, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
        with self.lock:
            self._baseline_session()
            return self._engine.insert(table, rows)

    def insert_jsonl(self, table: str, payload: bytes) -> None:
        with self.lock:
            self._baseline_session()
            self._engine.insert_jsonl(table, payload)

    def close(self) -> None:
        with self.lock:
            self._engine.close()

    # --- the HTTP interface --------------------------------------------------------------
    def raw(
        self,
        sql: str,
        fmt: str,
        params: Mapping[str, Any] | None = None,
        body: bytes | None = None,
        *,
        settings: Mapping[str, str] | None = None,
        database: str | None = None,
    ) -> bytes:
        """Run one statement; its output in ``fmt`` (unless the SQL names its own FORMAT).

        With ``body``, ``sql`` is ``INSERT INTO t [(cols)] [SETTINGS …] [FORMAT X]`` and ``body``
        is the data, in X (else in ``fmt``)."""
        return self.run(sql, fmt, params, body, settings=settings, database=database).data

    def run(
        self,
        sql: str,
        fmt: str,
        params: Mapping[str, Any] | None = None,
        body: bytes | None = None,
        *,
        settings: Mapping[str, str] | None = None,
        database: str | None = None,
    ) -> RawResult:
        conn = getattr(self._engine, "_conn", None)
        if conn is None:
            raise StoreError("the served store needs the embedded engine")
        keyword = first_keyword(sql)
        if body is None and keyword in ("SET", "USE"):
            # over HTTP without a session these change nothing beyond the statement itself;
            # on the shared chdb session they would leak into every other client
            return RawResult(b"", fmt)
        static_key = None
        if body is None and not params and not database and sql.strip() in STATIC_QUERIES:
            static_key = (sql.strip(), fmt, tuple(sorted((settings or {}).items())))
            hit = self._static.get(static_key)
            if hit is not None:
                self.queries += 1
                return hit
        with self.lock, self._session(conn, settings or {}, database):
            self.queries += 1
            if static_key is not None:
                result = self._run(conn, sql, fmt, params, None)
                self._static[static_key] = result
                return result
            return self._run(conn, sql, fmt, params, body)

    def _run(
        self, conn: Any, sql: str, fmt: str, params: Mapping[str, Any] | None, body: bytes | None
    ) -> RawResult:
        start = time.perf_counter_ns()
        try:
            if body is not None:
                head = sql.strip().rstrip(";")
                m = _TRAILING_FORMAT.search(head)
                in_fmt = fmt
                if m:
                    in_fmt, head = m.group(1), head[: m.start()].rstrip()
                with conn.send_insert(head, in_fmt) as ins:
                    if body:
                        ins.append(body)
                    res = ins.finish()
                return RawResult(
                    b"",
                    in_fmt,
                    written_rows=int(res.rows_written),
                    written_bytes=int(res.bytes_written),
                    elapsed_ns=time.perf_counter_ns() - start,
                )
            out_fmt = output_format(sql, fmt)
            r = conn.query(sql, fmt, params=dict(params) if params else None)
            return RawResult(
                bytes(r.bytes() or b""),
                out_fmt,
                read_rows=_int(r, "rows_read"),
                read_bytes=_int(r, "bytes_read"),
                written_rows=_int(r, "rows_written"),
                written_bytes=_int(r, "bytes_written"),
                elapsed_ns=time.perf_counter_ns() - start,
            )
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(_message(exc)) from None

    def _baseline_session(self) -> None:
        """Back to the session's own settings before an Engine-protocol call (loader, UI)."""
        if self._applied:
            self._converge(getattr(self._engine, "_conn", None), {})

    def _converge(self, conn: Any, wanted: Mapping[str, str]) -> None:
        """Make the shared session carry exactly ``wanted`` over its baseline, with as few ``SET``
        as possible: clients send the same settings with every request (clickhouse-connect sends
        date_time_input_format, session_timezone …), so they stay set between requests and are
        put back only when a request without them — or an Engine-protocol call — comes."""
        for name in [n for n in self._applied if n not in wanted]:
            _set(conn, f"SET {name} = {_setting_literal(self._baseline[name])}")
            del self._applied[name]
        for name, value in wanted.items():
            if self._applied.get(name, self._baseline[name]) == value:
                continue
            _set(conn, f"SET {name} = {_setting_literal(value)}")
            if value == self._baseline[name]:
                self._applied.pop(name, None)
            else:
                self._applied[name] = value

    def _learn(self, conn: Any, names: list[str]) -> None:
        """The session's baseline value of settings not seen before (an unknown name is an error)."""
        import json

        try:
            got = conn.query(
                "SELECT name, value FROM system.settings WHERE name IN {names:Array(String)}",
                "JSONCompact",
                params={"names": "[" + ",".join(_setting_literal(n) for n in names) + "]"},
            )
        except Exception as exc:
            raise StoreError(_message(exc)) from None
        for name, value in json.loads(got.bytes() or b'{"data":[]}')["data"]:
            # the value in force now, minus what a request left set: the baseline
            self._baseline.setdefault(name, value)
        for name in names:
            if name not in self._baseline:
                raise StoreError(f"Code: 115. DB::Exception: Unknown setting '{name}'. (UNKNOWN_SETTING)")

    @contextmanager
    def _session(self, conn: Any, settings: Mapping[str, str], database: str | None) -> Iterator[None]:
        """The request's settings and database on the shared session (settings stay for the next
        request that agrees — see :meth:`_converge`; the database is put back at once)."""
        wanted = {k: str(v) for k, v in settings.items() if k not in HTTP_ONLY}
        for name in wanted:
            if not _SETTING_NAME.match(name):
                raise StoreError(f"Code: 115. DB::Exception: Unknown setting '{name}'. (UNKNOWN_SETTING)")
        missing = [k for k in wanted if k not in self._baseline]
        if missing:
            self._learn(conn, missing)
        self._converge(conn, wanted)
        switched = False
        try:
            if database and database != self.database:
                _set(conn, f"USE `{database.replace('`', '')}`")
                switched = True
            yield
        finally:
            if switched:
                conn.query(f"USE `{self.database}`", "Null")


def _set(conn: Any, sql: str) -> None:
    try:
        conn.query(sql, "Null")
    except Exception as exc:
        raise StoreError(_message(exc)) from None


def _int(result: Any, name: str) -> int:
    try:
        return int(getattr(result, name)())
    except Exception:
        return 0


def _message(exc: BaseException) -> str:
    text = str(exc).strip()
    for prefix in ("Streaming insert append failed: ", "Streaming insert finish failed: "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text.split("\n", 1)[0][:4000]
