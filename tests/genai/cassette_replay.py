"""A local HTTP server that answers with the responses recorded in a VCR cassette.

The cassettes under ``cassettes/`` are the upstream GenAI instrumentations' own recorded test
exchanges (see ``cassettes/README.md`` for where each comes from). This module is agentel's own
harness: it replays a cassette's responses, in order, to the real openai / anthropic SDKs pointed
at it, and keeps the request bodies it received. ``cut_at`` makes the server drop the connection
that many bytes into the first response body (a stream failing mid-way).
"""

from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

CASSETTES = Path(__file__).parent / "cassettes"


class Exchange:
    """One recorded request and its response, decoded."""

    def __init__(self, raw: dict[str, Any]) -> None:
        req, resp = raw["request"], raw["response"]
        self.method: str = req["method"]
        self.path: str = urlsplit(req["uri"]).path
        body = req.get("body")
        self.request: Any = json.loads(body) if isinstance(body, (str, bytes)) and body else None
        headers = {k.lower(): v for k, v in (resp.get("headers") or {}).items()}
        data = resp["body"]["string"]
        data = data.encode() if isinstance(data, str) else bytes(data)
        if "gzip" in str(headers.get("content-encoding", "")):
            data = gzip.decompress(data)
        self.body: bytes = data
        ctype = headers.get("content-type") or ["application/json"]
        self.content_type: str = ctype[0] if isinstance(ctype, list) else str(ctype)
        self.status: int = int(resp["status"]["code"])

    def json(self) -> Any:
        return json.loads(self.body)


def load(name: str) -> list[Exchange]:
    """The exchanges of cassette ``name`` (file name without ``.yaml``)."""
    data = yaml.safe_load((CASSETTES / f"{name}.yaml").read_text())
    return [Exchange(raw) for raw in data["interactions"]]


class ReplayServer:
    """Serves a cassette's exchanges in order; ``with ReplayServer(name) as srv: srv.url``."""

    def __init__(self, name: str, *, cut_at: int | None = None) -> None:
        self.exchanges = load(name)
        self.cut_at = cut_at
        self.received: list[Any] = []
        self._clients: list[Any] = []
        self._next = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="cassette-replay", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def closing(self, client: Any) -> Any:
        """``client`` (an SDK client), closed when the server stops."""
        self._clients.append(client)
        return client

    def _take(self, method: str, path: str, body: bytes) -> tuple[Exchange | None, bool]:
        with self._lock:
            self.received.append(json.loads(body) if body else None)
            if self._next >= len(self.exchanges):
                return None, False
            ex = self.exchanges[self._next]
            first = self._next == 0
            self._next += 1
        if ex.method != method or not path.endswith(ex.path.removeprefix("/v1")):
            return None, False
        return ex, first

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                ex, first = server._take("POST", urlsplit(self.path).path, body)
                if ex is None:
                    self.send_response(599)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                payload = ex.body
                cut = server.cut_at if first else None
                self.send_response(ex.status)
                self.send_header("content-type", ex.content_type)
                self.send_header("content-length", str(len(payload)))
                if cut is not None:
                    self.send_header("connection", "close")
                self.end_headers()
                self.wfile.write(payload if cut is None else payload[:cut])
                self.wfile.flush()
                if cut is not None:
                    self.close_connection = True

        return Handler

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        for client in self._clients:
            client.close()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
