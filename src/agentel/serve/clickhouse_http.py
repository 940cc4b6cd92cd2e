"""ClickHouse's HTTP interface over the served store, so any ClickHouse client can use it.

The part of the protocol real clients speak (clickhouse-connect, clickhouse-go — the
collector's ClickHouse exporter —, Grafana's ClickHouse plugin, curl):

- ``GET``/``POST /`` with the query in ``?query=`` and/or the body (ClickHouse joins them: the
  URL's query, a newline, then the body, so ``INSERT … FORMAT X`` in the URL takes the body as
  its data); ``GET`` is read-only, as on a server.
- URL parameters ``database``, ``default_format``, ``query_id``, ``param_<name>`` (query
  parameters), and any other name as a setting for that query.
- Request bodies compressed with ``Content-Encoding`` gzip, deflate, lz4, zstd, br (when the
  module is installed), and ClickHouse's own block compression (``decompress=1``).
- Responses with ``X-ClickHouse-Query-Id``, ``-Format``, ``-Timezone``, ``-Summary``,
  ``-Server-Display-Name``; errors as ``Code: N. DB::Exception: … (NAME) (version V)`` with
  ``X-ClickHouse-Exception-Code`` and ClickHouse's HTTP status for the code.
- ``/ping`` and ``/`` (GET, no query) answer ``Ok.``; ``/replicas_status`` answers ``Ok.``.
- Authentication: HTTP basic, ``X-ClickHouse-User``/``X-ClickHouse-Key`` headers, or
  ``user``/``password`` URL parameters, against the one user the server was started with.

One agentel-only path, ``POST /agentel/load`` (authenticated like a query): the server's own
loader runs now — over what it watches, or the paths in the JSON body ``{"paths": [...]}`` — and
the load report comes back as JSON. The CLI calls it where it would have loaded files itself, so
a command sees what was written before it started, and only the server ever loads.

Not supported: sessions (``session_id`` is accepted and ignored; a ``SET`` statement changes
nothing), response compression (responses are plain; every client accepts that), the TCP
native protocol, external data. Each request runs alone on the shared engine (chdb is one
session per store), so a long query delays the others; clients see latency, never an error.
"""

from __future__ import annotations

import base64
import hmac
import io
import json
import os
import re
import socket
import threading
import uuid
import zlib
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from agentel.serve.store import LockedEngine, RawResult, first_keyword, split_insert
from agentel.store.engine import StoreError

READ_ONLY_KEYWORDS = frozenset(
    {"SELECT", "WITH", "SHOW", "DESCRIBE", "DESC", "EXISTS", "EXPLAIN", "SET", "USE"}
)
MAX_BODY = 1 << 30  # 1 GiB per request

_CODE = re.compile(r"Code:\s*(\d+)")
_HELLO = re.compile(r"^\s*SELECT\s+displayName\(\),\s*version\(\),\s*revision\(\),\s*timezone\(\)\s*$", re.I)
_NAME = re.compile(r"\(([A-Z][A-Z0-9_]+)\)\s*(?:\(version [^)]*\))?\s*$")

# ClickHouse's exceptionCodeToHTTPStatus, by error name
_STATUS_BY_NAME = {
    "REQUIRED_PASSWORD": 401,
    **dict.fromkeys(
        ("UNKNOWN_USER", "WRONG_PASSWORD", "AUTHENTICATION_FAILED", "SET_NON_GRANTED_ROLE", "ACCESS_DENIED"),
        403,
    ),
    **dict.fromkeys(
        (
            "BAD_ARGUMENTS",
            "CANNOT_COMPILE_REGEXP",
            "CANNOT_PARSE_TEXT",
            "CANNOT_PARSE_ESCAPE_SEQUENCE",
            "CANNOT_PARSE_QUOTED_STRING",
            "CANNOT_PARSE_DATE",
            "CANNOT_PARSE_DATETIME",
            "CANNOT_PARSE_NUMBER",
            "CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING",
            "CANNOT_PARSE_IPV4",
            "CANNOT_PARSE_IPV6",
            "CANNOT_PARSE_INPUT_ASSERTION_FAILED",
            "CANNOT_PARSE_UUID",
            "DUPLICATE_COLUMN",
            "ILLEGAL_COLUMN",
            "UNKNOWN_ELEMENT_IN_AST",
            "UNKNOWN_TYPE_OF_AST_NODE",
            "THERE_IS_NO_COLUMN",
            "TOO_DEEP_AST",
            "TOO_BIG_AST",
            "UNEXPECTED_AST_STRUCTURE",
            "SYNTAX_ERROR",
            "INCORRECT_DATA",
            "TYPE_MISMATCH",
            "VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE",
        ),
        400,
    ),
    **dict.fromkeys(
        (
            "UNKNOWN_TABLE",
            "UNKNOWN_FUNCTION",
            "UNKNOWN_IDENTIFIER",
            "UNKNOWN_TYPE",
            "UNKNOWN_STORAGE",
            "UNKNOWN_DATABASE",
            "UNKNOWN_SETTING",
            "UNKNOWN_DIRECTION_OF_SORTING",
            "UNKNOWN_AGGREGATE_FUNCTION",
            "UNKNOWN_FORMAT",
            "UNKNOWN_DATABASE_ENGINE",
            "UNKNOWN_TYPE_OF_QUERY",
            "UNKNOWN_ROLE",
        ),
        404,
    ),
    "QUERY_IS_TOO_LARGE": 413,
    "NOT_IMPLEMENTED": 501,
    "SOCKET_TIMEOUT": 503,
    "CANNOT_OPEN_FILE": 503,
    "HTTP_LENGTH_REQUIRED": 411,
    "TIMEOUT_EXCEEDED": 408,
    "CANNOT_SCHEDULE_TASK": 503,
    "UNSUPPORTED_MEDIA_TYPE": 415,
}

_CONTENT_TYPES = {
    "TabSeparated": "text/tab-separated-values; charset=UTF-8",
    "TSV": "text/tab-separated-values; charset=UTF-8",
    "CSV": "text/csv; charset=UTF-8; header=absent",
    "CSVWithNames": "text/csv; charset=UTF-8; header=present",
    "JSON": "application/json; charset=UTF-8",
    "JSONCompact": "application/json; charset=UTF-8",
    "JSONEachRow": "application/x-ndjson; charset=UTF-8",
    "JSONCompactEachRow": "application/x-ndjson; charset=UTF-8",
    "Pretty": "text/plain; charset=UTF-8",
}


class ClickHouseError(Exception):
    """An error to answer in ClickHouse's format."""

    def __init__(self, code: int, name: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.name = name

    def text(self, version: str) -> str:
        return f"Code: {self.code}. DB::Exception: {self} ({self.name}) (version {version})\n"


def _engine_error(exc: StoreError) -> ClickHouseError:
    """The engine's ``Code: N. DB::Exception: text (NAME)`` as a ClickHouseError."""
    text = str(exc).strip()
    m = _CODE.search(text)
    code = int(m.group(1)) if m else 1001
    body = text[m.end() :].lstrip(". ") if m else text
    if body.startswith("DB::Exception:"):
        body = body[len("DB::Exception:") :].strip()
    n = _NAME.search(body)
    name = n.group(1) if n else "STD_EXCEPTION"
    if n:
        body = body[: n.start()].rstrip()
    return ClickHouseError(code, name, body)


def decompress(data: bytes, encoding: str) -> bytes:
    """A request body in ``Content-Encoding`` (gzip, deflate, lz4, zstd, br; comma lists)."""
    for enc in reversed([e.strip().lower() for e in encoding.split(",") if e.strip()]):
        if enc in ("identity", "none"):
            continue
        if enc in ("gzip", "x-gzip"):
            data = zlib.decompress(data, 16 + zlib.MAX_WBITS)
        elif enc == "deflate":
            data = zlib.decompress(data)
        elif enc == "lz4":
            import lz4.frame  # clickhouse-connect's own dependency

            data = lz4.frame.decompress(data)
        elif enc == "zstd":
            data = _zstd().decompress(data)
        elif enc == "br":
            import brotli  # type: ignore[import-not-found]

            data = brotli.decompress(data)
        else:
            raise ClickHouseError(
                415,
                "UNSUPPORTED_MEDIA_TYPE",
                f"Unsupported Content-Encoding {enc!r} (use gzip, deflate, lz4 or zstd)",
            )
    return data


def _zstd() -> Any:
    try:
        from compression import zstd  # type: ignore[import-not-found]  # Python 3.14+

        return zstd
    except ImportError:
        pass
    try:
        from backports import zstd  # type: ignore[import-not-found,no-redef]

        return zstd
    except ImportError:
        raise ClickHouseError(
            415, "UNSUPPORTED_MEDIA_TYPE", "zstd bodies need the backports.zstd package"
        ) from None


def decompress_native(data: bytes) -> bytes:
    """ClickHouse's block compression (``decompress=1``): checksum(16) method(1) size(4) raw(4) …"""
    out = io.BytesIO()
    pos = 0
    while pos < len(data):
        if len(data) - pos < 25:
            raise ClickHouseError(432, "UNKNOWN_CODEC", "truncated compressed block")
        method = data[pos + 16]
        size = int.from_bytes(data[pos + 17 : pos + 21], "little")
        raw = int.from_bytes(data[pos + 21 : pos + 25], "little")
        payload = data[pos + 25 : pos + 16 + size]
        if len(payload) != size - 9:
            raise ClickHouseError(432, "UNKNOWN_CODEC", "truncated compressed block")
        if method == 0x82:
            import lz4.block

            out.write(lz4.block.decompress(payload, uncompressed_size=raw))
        elif method == 0x90:
            out.write(_zstd().decompress(payload))
        elif method == 0x02:
            out.write(payload)
        else:
            raise ClickHouseError(432, "UNKNOWN_CODEC", f"unknown compression method 0x{method:02x}")
        pos += 16 + size
    return out.getvalue()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    _compress = False
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once (no 40 ms delayed-ACK stall)
    server_version = "agentel-clickhouse"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's signature
        pass  # quiet: the serve process has its own logging

    # --- plumbing --------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    break
                total += size
                if total > MAX_BODY:
                    raise ClickHouseError(413, "QUERY_IS_TOO_LARGE", "request body over 1 GiB")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ClickHouseError(413, "QUERY_IS_TOO_LARGE", "request body over 1 GiB")
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        if self.command != "HEAD":
            self._headers_buffer.append(b"\r\n" + body)  # type: ignore[attr-defined]  # one write
            self.flush_headers()
        else:
            self.end_headers()

    def _fail(self, err: ClickHouseError, query_id: str = "") -> None:
        status = _STATUS_BY_NAME.get(err.name, 500)
        headers = {
            "Content-Type": "text/plain; charset=UTF-8",
            "X-ClickHouse-Exception-Code": str(err.code),
            "X-ClickHouse-Server-Display-Name": self.server.display_name,
            "X-ClickHouse-Timezone": "UTC",
        }
        if query_id:
            headers["X-ClickHouse-Query-Id"] = query_id
        self._send(status, self._framed(err.text(self.server.version).encode()), headers)

    # --- methods ---------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._handle(post=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._handle(post=False)

    def do_POST(self) -> None:  # noqa: N802
        self._handle(post=True)

    def do_OPTIONS(self) -> None:  # noqa: N802
        self._send(204, b"", {"Allow": "GET, HEAD, POST, OPTIONS"})

    def _handle(self, post: bool) -> None:
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        query_id = params.get("query_id") or str(uuid.uuid4())
        self._compress = params.get("compress") in ("1", "true")
        try:
            body = self._read_body() if post or self.headers.get("Content-Length") else b""
            if path in ("/ping", "/replicas_status") or (path == "/" and not post and "query" not in params):
                self._send(200, b"Ok.\n", {"Content-Type": "text/html; charset=UTF-8"})
                return
            if path == "/agentel/load" and post:
                self._authenticate(params)
                self._load(body)
                return
            if path not in ("/", "/query"):
                raise ClickHouseError(
                    404, "UNKNOWN_HANDLER", f"There is no handle {url.path}. Use / or /ping (agentel serve)"
                )
            self._authenticate(params)
            result = self._execute(params, body, post, query_id)
        except ClickHouseError as err:
            self._fail(err, query_id)
            return
        except StoreError as exc:
            self._fail(_engine_error(exc), query_id)
            return
        except (ValueError, OSError, zlib.error, RuntimeError) as exc:
            self._fail(ClickHouseError(36, "BAD_ARGUMENTS", f"cannot read the request: {exc}"), query_id)
            return
        summary = result.summary()
        headers = {
            "Content-Type": _CONTENT_TYPES.get(result.fmt, "application/octet-stream"),
            "X-ClickHouse-Query-Id": query_id,
            "X-ClickHouse-Format": result.fmt,
            "X-ClickHouse-Timezone": "UTC",
            "X-ClickHouse-Server-Display-Name": self.server.display_name,
            "X-ClickHouse-Summary": json.dumps(summary, separators=(",", ":")),
        }
        self._send(200, self._framed(result.data), headers)

    def _framed(self, body: bytes) -> bytes:
        """With ``compress=1`` every response body (errors too) is in ClickHouse's frames."""
        if self._compress:
            from agentel.serve.ch_native import compress_frames

            return compress_frames(body)
        return body

    def _load(self, body: bytes) -> None:
        loader = self.server.loader
        if loader is None:
            raise ClickHouseError(404, "UNKNOWN_HANDLER", "this server does not load files (no loader)")
        try:
            request = json.loads(body or b"{}")
            paths = [str(p) for p in request.get("paths") or []]
        except (ValueError, AttributeError, TypeError):
            raise ClickHouseError(36, "BAD_ARGUMENTS", 'expected a JSON body {"paths": [...]}') from None
        report = loader(paths or None)
        out = asdict(report) if report is not None else None
        self._send(
            200, json.dumps({"report": out}).encode(), {"Content-Type": "application/json; charset=UTF-8"}
        )

    def _authenticate(self, params: dict[str, str]) -> None:
        user = password = None
        auth = self.headers.get("Authorization") or ""
        if auth.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(auth[6:].strip()).decode()
            except (ValueError, UnicodeDecodeError):
                raise ClickHouseError(
                    516, "AUTHENTICATION_FAILED", "malformed Authorization header"
                ) from None
            user, _, password = decoded.partition(":")
        if self.headers.get("X-ClickHouse-User") is not None:
            user = self.headers.get("X-ClickHouse-User")
            password = self.headers.get("X-ClickHouse-Key") or ""
        if user is None and "user" in params:
            user, password = params["user"], params.get("password", "")
        user = user or "default"
        password = password or ""
        ok_user = hmac.compare_digest(user.encode(), self.server.user.encode())
        ok_password = hmac.compare_digest(password.encode(), self.server.password.encode())
        if not (ok_user and ok_password):
            raise ClickHouseError(
                516,
                "AUTHENTICATION_FAILED",
                f"{user}: Authentication failed: password is incorrect, or there is no user with such name",
            )

    def _execute(self, params: dict[str, str], body: bytes, post: bool, query_id: str) -> RawResult:
        encoding = self.headers.get("Content-Encoding") or ""
        if body and encoding:
            body = decompress(body, encoding)
        if body and params.get("decompress") in ("1", "true"):
            body = decompress_native(body)
        fmt = params.get("default_format") or self.headers.get("X-ClickHouse-Format") or "TabSeparated"
        database = params.get("database") or self.headers.get("X-ClickHouse-Database") or None
        qparams = {k[6:]: v for k, v in params.items() if k.startswith("param_")}
        settings = {k: v for k, v in params.items() if not k.startswith("param_")}
        url_query = params.get("query", "")
        # ClickHouse runs the URL's query followed by the body (a newline between them)
        if url_query and body:
            text = url_query.encode() + b"\n" + body
        else:
            text = url_query.encode() if url_query else body
        if not text.strip():
            raise ClickHouseError(62, "SYNTAX_ERROR", "Empty query")
        insert = split_insert(text)
        if insert is not None:
            if not post:
                raise _readonly()
            head, in_fmt, data = insert
            return self.server.engine.run(
                f"{head} FORMAT {in_fmt}", in_fmt, qparams, data, settings=settings, database=database
            )
        try:
            sql = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ClickHouseError(62, "SYNTAX_ERROR", "the query is not valid UTF-8") from None
        if not post and first_keyword(sql) not in READ_ONLY_KEYWORDS:
            raise _readonly()
        if params.get("client_protocol_version") and _HELLO.match(sql):
            return self._hello(int(params["client_protocol_version"] or 0))
        return self.server.engine.run(sql, fmt, qparams, None, settings=settings, database=database)

    def _hello(self, revision: int) -> RawResult:
        """clickhouse-go's handshake over HTTP: one Native block written for its protocol
        ``revision`` (block info, serialization flags), naming revision 0 as ours, so what it
        reads afterwards is the plain Native the engine writes."""
        from agentel.serve.ch_native import native_block

        tz = str(self.server.engine.query("SELECT timezone()").scalar() or "UTC")
        block = native_block(
            [
                ("displayName()", "String", [self.server.display_name]),
                ("version()", "String", [self.server.version]),
                ("revision()", "UInt32", [0]),
                ("timezone()", "String", [tz]),
            ],
            revision,
        )
        return RawResult(block, "Native", read_rows=1, read_bytes=len(block))


def _readonly() -> ClickHouseError:
    return ClickHouseError(
        164,
        "READONLY",
        "Cannot execute query in readonly mode. For queries over HTTP, method GET implies readonly. "
        "You should use method POST for modifying queries",
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    engine: LockedEngine
    user: str
    password: str
    version: str
    display_name: str
    loader: Callable[[Sequence[str] | None], Any] | None


class ClickHouseHTTPServer:
    """ClickHouse's HTTP interface for ``engine`` on ``host:port`` (0 = chosen by the OS)."""

    def __init__(
        self,
        engine: LockedEngine,
        host: str = "127.0.0.1",
        port: int = 0,
        user: str = "default",
        password: str = "",
        loader: Callable[[Sequence[str] | None], Any] | None = None,
    ) -> None:
        """``loader(paths or None)`` runs the server's file loader now (``/agentel/load``); see
        :func:`tailer_loader`."""
        self.engine = engine
        self.host = host
        self._httpd = _Server((host, port), _Handler)
        self._httpd.engine = engine
        self._httpd.user = user or "default"
        self._httpd.password = password or ""
        self._httpd.version = _version(engine)
        self._httpd.display_name = socket.gethostname()
        self._httpd.loader = loader
        self._thread: threading.Thread | None = None

    @property
    def loader(self) -> Callable[[Sequence[str] | None], Any] | None:
        return self._httpd.loader

    @loader.setter
    def loader(self, value: Callable[[Sequence[str] | None], Any] | None) -> None:
        self._httpd.loader = value

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        host = self.host if self.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def start(self) -> ClickHouseHTTPServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="agentel-clickhouse-http", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._httpd.server_close()


def _version(engine: LockedEngine) -> str:
    try:
        return str(engine.query("SELECT version()").scalar())
    except StoreError:
        return "unknown"


def tailer_loader(engine: LockedEngine, tailer: Any, directory: str) -> Callable[[Sequence[str] | None], Any]:
    """The ``loader`` for a server whose ``tailer`` watches ``directory``: no paths (or paths under
    what it watches) → one pass of the tailer now; other paths → loaded once, under the tailer's
    lock, so two loads never interleave."""
    from agentel.store.loader import load

    root = os.path.realpath(directory)
    watched = [os.path.realpath(p) for p in getattr(tailer, "paths", [root])] or [root]

    def inside(path: str) -> bool:
        real = os.path.realpath(path)
        return any(real == w or real.startswith(w.rstrip(os.sep) + os.sep) for w in watched)

    def run(paths: Sequence[str] | None) -> Any:
        outside = [p for p in (paths or []) if not inside(p)]
        report = tailer.load_now()
        if outside:
            with getattr(tailer, "_lock", None) or nullcontext():
                extra = load(engine, outside)
            report = extra if report is None else _merge(report, extra)
        return report

    return run


def _merge(a: Any, b: Any) -> Any:
    for name in (
        "files",
        "lines",
        "spans",
        "logs",
        "metric_points",
        "bytes_read",
        "pending_bytes",
        "expired",
    ):
        setattr(a, name, getattr(a, name) + getattr(b, name))
    a.skipped = [*a.skipped, *b.skipped]
    a.seconds += b.seconds
    return a
