"""The UI listens on loopback unless told otherwise, and refuses foreign Hosts and forged forms."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ui_seed import UIProcess, seeded_store, wait_for

from agentel.ui.data import Repository
from agentel.ui.server import BindRefused, is_loopback, make_server


class _NoStore:
    """Binding is decided before any query: the repository is never asked."""

    def query(self, *a: Any, **k: Any) -> Any:
        raise AssertionError("no query expected")


def test_non_loopback_host_is_refused_without_the_flag() -> None:
    with pytest.raises(BindRefused, match="--allow-remote"):
        make_server(Repository(_NoStore()), "0.0.0.0", 0)  # type: ignore[arg-type]
    server = make_server(Repository(_NoStore()), "0.0.0.0", 0, allow_remote=True)  # type: ignore[arg-type]
    server.server_close()
    server = make_server(Repository(_NoStore()), "127.0.0.1", 0)  # type: ignore[arg-type]
    assert server.url.startswith("http://127.0.0.1:") and server.server_address[1] != 0
    server.server_close()
    assert is_loopback("localhost") and is_loopback("::1") and not is_loopback("192.168.1.2")


def test_cli_refuses_a_remote_host(tmp_path: Any) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CLICKHOUSE_URL"}
    env["AGENTEL_DIR"] = str(tmp_path / "d")
    r = subprocess.run(
        [sys.executable, "-m", "agentel.cli", "ui", "--host", "0.0.0.0", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode != 0 and "--allow-remote" in r.stderr


def _request(url: str, method: str, path: str, headers: dict[str, str], body: str = "") -> int:
    host, port = url.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request(method, path, body=body, headers=headers)
    status = conn.getresponse().status
    conn.close()
    return status


def test_foreign_host_and_forged_posts_are_rejected(ui: tuple[UIProcess, dict[str, Any], Any]) -> None:
    proc, ids, _ = ui
    netloc = proc.url.split("//")[1]
    assert _request(proc.url, "GET", "/", {"Host": netloc}) == 200
    assert _request(proc.url, "GET", "/", {"Host": "attacker.example:80"}) == 421  # DNS rebinding
    form = f"trace={ids['trace_a']}&span={ids['ok_span']}&verdict=good"
    ctype = {"Content-Type": "application/x-www-form-urlencoded", "Host": netloc}
    assert _request(proc.url, "POST", "/feedback", ctype, form + "&csrf=wrong") == 403
    assert _request(proc.url, "POST", "/feedback", {**ctype, "Origin": "http://evil.example"}, form) == 403


def test_feedback_for_an_unknown_call_is_refused(ui: tuple[UIProcess, dict[str, Any], Any]) -> None:
    proc, ids, _ = ui
    netloc = proc.url.split("//")[1]
    conn = http.client.HTTPConnection(*netloc.split(":"), timeout=10)
    conn.request("GET", f"/call?trace={ids['trace_a']}&span={ids['ok_span']}")
    page = conn.getresponse().read().decode()
    conn.close()
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token
    form = f"csrf={token.group(1)}&trace={ids['trace_a']}&span=ffffffffffffffff&verdict=good"
    ctype = {"Content-Type": "application/x-www-form-urlencoded", "Host": netloc}
    assert _request(proc.url, "POST", "/feedback", ctype, form) == 404


def test_open_flag_opens_the_printed_url_in_the_browser(tmp_path: Path) -> None:
    opened = tmp_path / "opened.txt"
    browser_cmd = tmp_path / "fake-browser.sh"  # what $BROWSER names is what webbrowser runs
    browser_cmd.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    browser_cmd.chmod(0o755)
    directory = tmp_path / "store"
    seeded_store(directory)
    proc = UIProcess(directory, "--open", env={"BROWSER": f"{browser_cmd} %s"})
    try:
        wait_for(lambda: opened.exists() and opened.read_text().strip(), timeout=20)
        assert opened.read_text().strip() == proc.url + "/"
    finally:
        proc.stop()
