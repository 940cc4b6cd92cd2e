"""The server engine without a server: clickhouse-connect clients on its in-process chdb backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def chdb_client_factory(path: str) -> Callable[..., Any]:
    """A ``connect`` for ServerEngine: clickhouse-connect clients on an in-process chdb at ``path``
    (connection arguments — host, port, user — have no meaning there and are ignored)."""
    import clickhouse_connect

    def connect(**kw: Any) -> Any:
        return clickhouse_connect.get_client(
            interface="chdb", path=path, database=kw.get("database"), settings=kw.get("settings")
        )

    return connect
