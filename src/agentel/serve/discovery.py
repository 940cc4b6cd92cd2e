"""How clients find a running ``agentel serve``: ``AGENTEL_DIR/serve.json``.

The server writes it atomically (temp file + rename, mode 0600: it carries the ClickHouse
interface's credentials) once its listeners are up; clients read it and trust it only while
the pid it names is alive, so a server killed with ``kill -9`` leaves a file nobody follows.
This module imports nothing heavy: the CLI reads it on every start.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields
from typing import Any

FILENAME = "serve.json"


@dataclass
class ServerInfo:
    """What ``serve.json`` says: the process and the URLs (with credentials) of what it serves."""

    pid: int
    started: float  # unix seconds
    dir: str  # absolute AGENTEL_DIR it owns
    ui: str = ""  # http://127.0.0.1:PORT
    otlp: str = ""  # http://127.0.0.1:PORT (OTLP/HTTP base; /v1/traces …)
    otlp_grpc: str = ""  # http://127.0.0.1:PORT (OTLP/gRPC)
    clickhouse: str = ""  # http://127.0.0.1:PORT (ClickHouse HTTP interface)
    user: str = "default"
    password: str = ""
    database: str = "agentel"

    def clickhouse_url(self) -> str:
        """A ``CLICKHOUSE_URL`` for the store's server engine: http://user:password@host:port/database."""
        from urllib.parse import quote, urlsplit

        parts = urlsplit(self.clickhouse)
        auth = quote(self.user, safe="") + (":" + quote(self.password, safe="") if self.password else "")
        return f"{parts.scheme or 'http'}://{auth}@{parts.netloc}/{self.database}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ServerInfo:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def path_of(directory: str) -> str:
    return os.path.join(directory, FILENAME)


def write_server_info(directory: str, info: ServerInfo) -> str:
    """Write ``directory/serve.json`` atomically with mode 0600; returns its path."""
    os.makedirs(directory, exist_ok=True)
    target = path_of(directory)
    fd, tmp = tempfile.mkstemp(prefix=".serve.", suffix=".json", dir=directory)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(asdict(info), fh, indent=2)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target


def read_server_info(directory: str) -> ServerInfo | None:
    """``serve.json`` as written, live or not; None when missing or unreadable."""
    try:
        with open(path_of(directory), encoding="utf-8") as fh:
            data = json.load(fh)
        if not isinstance(data, dict):
            return None
        info = ServerInfo.from_dict(data)
        info.pid = int(info.pid)
        return info
    except (OSError, ValueError, TypeError):
        return None


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists (a zombie counts as dead)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            state = fh.read().rsplit(")", 1)[-1].split()[0]
        return state not in ("Z", "X")
    except (OSError, IndexError):
        return True  # no /proc (macOS): kill(0) said it exists


def read_live_server(directory: str) -> ServerInfo | None:
    """The server named by ``directory/serve.json`` if its pid is alive, else None."""
    info = read_server_info(directory)
    if info is None or not pid_alive(info.pid):
        return None
    return info


def remove_server_info(directory: str, pid: int | None = None) -> None:
    """Remove ``serve.json`` (only if it names ``pid``, when given): a stopping server's last act."""
    if pid is not None:
        info = read_server_info(directory)
        if info is not None and info.pid != pid:
            return
    try:
        os.unlink(path_of(directory))
    except FileNotFoundError:
        pass
