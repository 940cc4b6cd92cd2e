"""serve.json: written atomically and privately, trusted only while its pid lives, and what makes
the CLI a client of the running server (store.session.served)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentel.serve.discovery import (
    ServerInfo,
    read_live_server,
    read_server_info,
    remove_server_info,
    write_server_info,
)
from agentel.store.session import served


def _info(directory: Path, pid: int) -> ServerInfo:
    return ServerInfo(
        pid=pid,
        started=1.0,
        dir=str(directory.resolve()),
        ui="http://127.0.0.1:1",
        otlp="http://127.0.0.1:2",
        clickhouse="http://127.0.0.1:3",
        user="default",
        password="p@ss:w/rd",
    )


def test_written_private_and_read_back(tmp_path: Path) -> None:
    path = write_server_info(str(tmp_path), _info(tmp_path, os.getpid()))
    assert Path(path).stat().st_mode & 0o777 == 0o600
    assert read_live_server(str(tmp_path)) == _info(tmp_path, os.getpid())
    assert [p.name for p in tmp_path.iterdir()] == ["serve.json"]  # no temp file left behind
    # credentials with URL-special characters survive into the engine URL
    assert _info(tmp_path, 1).clickhouse_url() == "http://default:p%40ss%3Aw%2Frd@127.0.0.1:3/agentel"


def test_a_dead_pid_is_not_a_server(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    write_server_info(str(tmp_path), _info(tmp_path, child.pid))
    assert read_server_info(str(tmp_path)) is not None
    assert read_live_server(str(tmp_path)) is None


def test_missing_or_garbled_file(tmp_path: Path) -> None:
    assert read_live_server(str(tmp_path)) is None
    (tmp_path / "serve.json").write_text("{not json")
    assert read_live_server(str(tmp_path)) is None
    (tmp_path / "serve.json").write_text('["a list"]')
    assert read_live_server(str(tmp_path)) is None


def test_remove_only_our_own(tmp_path: Path) -> None:
    write_server_info(str(tmp_path), _info(tmp_path, os.getpid()))
    remove_server_info(str(tmp_path), pid=os.getpid() + 1)
    assert (tmp_path / "serve.json").exists()
    remove_server_info(str(tmp_path), pid=os.getpid())
    assert not (tmp_path / "serve.json").exists()


def test_the_cli_follows_a_live_server_of_its_own_directory_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine, other = tmp_path / "mine", tmp_path / "other"
    mine.mkdir()
    other.mkdir()
    write_server_info(str(mine), _info(mine, os.getpid()))
    write_server_info(str(other), _info(mine, os.getpid()))  # a copied file naming another dir
    monkeypatch.setenv("AGENTEL_DIR", str(mine))
    assert served() is not None and served(str(mine)) is not None
    assert served(str(other)) is None
    monkeypatch.setenv("AGENTEL_NO_SERVE", "1")
    assert served() is None
    monkeypatch.delenv("AGENTEL_NO_SERVE")
    monkeypatch.setenv("CLICKHOUSE_URL", "http://u:p@db:8123/x")  # another store: it wins
    assert served() is None
