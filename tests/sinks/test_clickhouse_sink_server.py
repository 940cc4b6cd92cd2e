"""CLICKHOUSE_URL turns on the direct sink: configure() → spans and events → the server engine →
the collector's tables and the typed views, schema made on first contact.

The "server" is the server engine's clickhouse-connect client on clickhouse-connect's in-process
chdb backend (no ClickHouse server can be installed here); with CLICKHOUSE_URL set, the store suite
also runs against a real one.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

import agentel
from agentel.store import engine as engine_mod

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))
from store_engines import chdb_client_factory  # noqa: E402

sys.path.pop(0)


def test_clickhouse_url_sends_spans_and_events_to_the_server_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    connect = chdb_client_factory(str(tmp_path / "server"))

    class ServerOnChdb(engine_mod.ServerEngine):
        def __init__(self, url: str, connect_: Any = None, **kw: Any) -> None:
            super().__init__(url, connect=connect, **kw)

    monkeypatch.setattr(engine_mod, "ServerEngine", ServerOnChdb)
    url = "http://agentel:secret@clickhouse.invalid:8123/telemetry"
    settings = agentel.configure(dir=str(tmp_path / "app"), clickhouse_url=url, metrics_interval_s=0)
    assert "clickhouse" in settings.sinks
    with agentel.span(
        "chat gpt-4o-mini",
        **{
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": "gpt-4o-mini",
            "gen_ai.usage.input_tokens": 12,
            "gen_ai.usage.output_tokens": 3,
        },
    ):
        agentel.event("agentel.feedback", **{"agentel.feedback.good": True})
    agentel.force_flush()
    agentel.shutdown()

    server = ServerOnChdb(url)
    try:
        assert server.database == "telemetry"
        assert server.query("SELECT model, input_tokens, output_tokens FROM llm_logs").rows == [
            ("gpt-4o-mini", 12, 3)
        ]
        assert server.query("SELECT good FROM feedback").rows == [(1,)]
        assert server.query("SELECT count() FROM agentel_schema_migrations").scalar() >= 8
    finally:
        server.close()
