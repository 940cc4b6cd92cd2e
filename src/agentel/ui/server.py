"""The HTTP side: routing, binding rules, request checks. Pages come from ``pages``, data from ``data``.

Binding: 127.0.0.1 unless told otherwise, and any non-loopback address needs ``allow_remote`` —
the UI shows prompts and answers, so exposing it is a decision, not a default. Requests must name
a local Host (DNS-rebinding) and a POST must carry the page's token and a same-origin Origin
(another site cannot record feedback through the user's browser). With a password (``agentel serve
--allow-remote --password``) every request needs it (HTTP basic auth, any user name).

Live pages: every page carries the store's data version (``<meta name="agentel-version">``, also its
``ETag``), computed from the active parts of the store's tables — any insert, from the loader, the
OTLP receiver, the ClickHouse interface or a feedback form, changes it. ``ui.js`` re-requests the
page every second with ``If-None-Match``; an unchanged store answers 304 without running the page's
queries, a changed one returns the page, whose ``<main>`` replaces the old one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import logging
import secrets
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from agentel.store.engine import StoreError
from agentel.ui import pages
from agentel.ui.data import PAGE_SIZE, Repository
from agentel.ui.markup import url

log = logging.getLogger("agentel.ui")
_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
_CSP = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'"
DEFAULT_WINDOW = "7d"
_FILTERS = ("model", "run", "since", "until", "status", "feedback", "failing")


class BindRefused(ValueError):
    """The UI was asked to listen on a non-loopback interface without ``allow_remote``."""

    def __init__(self, host: str) -> None:
        super().__init__(
            f"--host {host}: refusing to serve prompts and answers on a non-loopback interface; "
            "pass --allow-remote to do it on purpose (and put authentication in front)"
        )


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost'."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class UIServer(ThreadingHTTPServer):
    """The server, holding the repository and the per-process form token."""

    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], repo: Repository, *, allow_remote: bool, password: str = ""
    ) -> None:
        self.repo = repo
        self.allow_remote = allow_remote
        self.password = password
        self.csrf = secrets.token_urlsafe(24)
        super().__init__(address, Handler)

    def data_version(self, if_none_match: str = "") -> str:
        """A short token that changes whenever the store's data does ('' when it cannot be read).

        On a shared engine (``agentel serve``) busy with a long statement — a big load — a poll
        does not queue behind it: after a short wait the version the poller already has is
        returned (a 304, and it asks again a second later).
        """
        engine = self.repo.engine
        lock = getattr(engine, "lock", None)
        held = False
        if lock is not None and if_none_match:
            if not lock.acquire(timeout=0.5):
                return if_none_match.strip('"')
            held = True
        try:
            r = engine.query(
                "SELECT count(), sum(rows), toString(max(modification_time)) FROM system.parts "
                "WHERE database = {db:String} AND active",
                {"db": engine.database},
            )
        except Exception:  # noqa: BLE001 - no version means no 304, never an error page
            return ""
        finally:
            if held and lock is not None:
                lock.release()
        return hashlib.sha1(repr(r.rows).encode()).hexdigest()[:16]

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = str(host)
        return f"http://{'[' + host + ']' if ':' in host else host}:{port}/"

    def start_background(self) -> threading.Thread:
        """Serve in a daemon thread (tests, ``--open``); stop with ``shutdown()``."""
        t = threading.Thread(target=self.serve_forever, name="agentel-ui", daemon=True)
        t.start()
        return t


def make_server(
    repo: Repository,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    allow_remote: bool = False,
    password: str = "",
) -> UIServer:
    """A bound (not yet serving) UI server; port 0 picks a free port (see ``.url``)."""
    if not is_loopback(host) and not allow_remote:
        raise BindRefused(host)
    return UIServer((host, port), repo, allow_remote=allow_remote, password=password)


class Handler(BaseHTTPRequestHandler):
    server: UIServer
    server_version = "agentel-ui"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # quiet: the terminal shows the URL, not an access log

    # --- plumbing --------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", _CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _html(self, markup: str, status: int = 200) -> None:
        self._send(status, markup.encode("utf-8"), "text/html; charset=utf-8")

    def _page(self, markup: str, version: str) -> None:
        """A page carrying the data version it was rendered from (meta tag and ETag)."""
        if not version:
            self._html(markup)
            return
        markup = markup.replace("</head>", f'<meta name="agentel-version" content="{version}"></head>', 1)
        self._send(200, markup.encode("utf-8"), "text/html; charset=utf-8", {"ETag": f'"{version}"'})

    def _auth_ok(self) -> bool:
        password = self.server.password
        if not password:
            return True
        scheme, _, value = (self.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() == "basic":
            try:
                given = base64.b64decode(value.strip()).decode("utf-8").partition(":")[2]
            except (binascii.Error, UnicodeDecodeError):
                given = ""
            if secrets.compare_digest(given.encode(), password.encode()):
                return True
        self._send(
            401,
            b"password required",
            "text/plain; charset=utf-8",
            {"WWW-Authenticate": 'Basic realm="agentel"'},
        )
        return False

    def _host_ok(self) -> bool:
        if self.server.allow_remote:
            return True
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        return is_loopback(host)

    def _query(self) -> dict[str, str]:
        q = parse_qs(urlsplit(self.path).query, keep_blank_values=False)
        return {k: v[-1] for k, v in q.items()}

    # --- GET -------------------------------------------------------------------------------

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if not self._host_ok():
            self._html(
                pages.error_page("Bad host", "requests must name a loopback host"),
                HTTPStatus.MISDIRECTED_REQUEST,
            )
            return
        if not self._auth_ok():
            return
        path = urlsplit(self.path).path
        q = self._query()
        repo = self.server.repo
        version = ""
        if path in ("/", "/calls", "/call", "/trace", "/leaderboard", "/cost", "/evals", "/feedback"):
            version = self.server.data_version(self.headers.get("If-None-Match") or "")
            if version and self.headers.get("If-None-Match") == f'"{version}"':
                self._send(304, b"", "text/html; charset=utf-8", {"ETag": f'"{version}"'})
                return
        try:
            if path == "/":
                self._page(pages.runs_page(repo.runs()), version)
            elif path == "/calls":
                filters = {k: q[k] for k in _FILTERS if q.get(k)}
                if q.get("q", "").strip():  # full-text search: the matching calls, the match marked
                    filters["q"] = q["q"].strip()
                    hits = repo.search(filters)
                    self._page(pages.search_page(hits, filters, repo.models()), version)
                else:
                    calls = repo.calls(filters, q.get("after", ""))
                    self._page(pages.calls_page(calls, filters, repo.models(), PAGE_SIZE), version)
            elif path == "/call":
                call = repo.call(q.get("trace", ""), q.get("span", ""))
                if call is None:
                    self._html(pages.error_page("Not found", "no such call in the store"), 404)
                else:
                    self._page(pages.call_page(call, self.server.csrf, q.get("notice", "")), version)
            elif path == "/trace":
                trace_id = q.get("trace", "")
                spans = repo.trace(trace_id) if trace_id else []
                if not spans:
                    self._html(pages.error_page("Not found", pages.no_trace_message(trace_id)), 404)
                else:
                    self._page(pages.trace_page(trace_id, spans), version)
            elif path in ("/leaderboard", "/cost"):
                # Aggregates over every call grow with the store: a recent window by default.
                since = q.get("since", DEFAULT_WINDOW)
                window = "" if since == "all" else since
                if path == "/leaderboard":
                    self._page(pages.leaderboard_page(repo.leaderboard(window), since), version)
                else:
                    by_day, by_model = repo.cost(window)
                    self._page(pages.cost_page(by_day, by_model, since), version)
            elif path in ("/evals", "/feedback"):
                since = q.get("since", DEFAULT_WINDOW)
                filters = {k: q[k] for k in ("check", "model", "verdict") if q.get(k)}
                scope = {**filters, "since": "" if since == "all" else since}
                if path == "/evals":
                    by_check, by_day = repo.evals(scope)
                    checks = sorted({r["check_name"] for r in by_check} | {filters.get("check", "")} - {""})
                    page = pages.evals_page(
                        by_check, by_day, {**filters, "since": since}, checks, repo.models()
                    )
                else:
                    rows = repo.feedback_list(scope)
                    page = pages.feedback_page(rows, {**filters, "since": since}, repo.models())
                self._page(page, version)
            elif path.startswith("/static/"):
                self._static(path[len("/static/") :])
            else:
                self._html(pages.error_page("Not found", path), 404)
        except ValueError as exc:
            self._html(pages.error_page("Bad filter", str(exc)), 400)
        except StoreError as exc:
            # Bad filter input (an unparseable date) lands here: say what, keep serving.
            self._html(pages.error_page("Query failed", str(exc)[:500]), 400)
        except Exception as exc:  # a bug in a page must not take the server down; show what failed
            log.exception("agentel ui: %s failed", path)
            self._html(pages.error_page("Internal error", f"{type(exc).__name__}: {exc}"[:500]), 500)

    def _static(self, name: str) -> None:
        ext = "." + name.rsplit(".", 1)[-1] if "." in name else ""
        if "/" in name or name.startswith(".") or ext not in _STATIC_TYPES:
            self._html(pages.error_page("Not found", name), 404)
            return
        f = resources.files("agentel.ui") / "static" / name
        if not f.is_file():
            self._html(pages.error_page("Not found", name), 404)
            return
        self._send(200, f.read_bytes(), _STATIC_TYPES[ext])

    # --- POST ------------------------------------------------------------------------------

    def do_POST(self) -> None:
        if not self._auth_ok():
            return
        if not self._host_ok() or urlsplit(self.path).path != "/feedback":
            self._html(pages.error_page("Not found", self.path), 404)
            return
        origin = self.headers.get("Origin")
        if origin and origin != "null" and urlsplit(origin).netloc != self.headers.get("Host"):
            self._html(pages.error_page("Forbidden", "cross-origin form"), 403)
            return
        length = min(int(self.headers.get("Content-Length") or 0), 1_000_000)
        form = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode("utf-8", "replace")).items()}
        if not secrets.compare_digest(form.get("csrf", ""), self.server.csrf):
            self._html(pages.error_page("Forbidden", "stale form: reload the page and submit again"), 403)
            return
        trace, span = form.get("trace", ""), form.get("span", "")
        verdict = form.get("verdict", "")
        good = True if verdict == "good" else False if verdict == "bad" else None
        comment, reference = form.get("comment", "").strip(), form.get("reference_answer", "").strip()
        if self.server.repo.call(trace, span) is None:
            self._html(pages.error_page("Not found", "no such call in the store: feedback not recorded"), 404)
            return
        if good is None and not comment and not reference:
            notice = "nothing recorded: choose good or bad, or write a comment or a reference answer"
        else:
            try:
                self.server.repo.record_feedback(
                    trace, span, good=good, comment=comment, reference_answer=reference
                )
            except StoreError as exc:
                self._html(pages.error_page("Feedback not recorded", str(exc)[:500]), 500)
                return
            notice = "feedback recorded"
        self._send(303, b"", "text/plain", {"Location": url("/call", trace=trace, span=span, notice=notice)})
