"""`agentel serve` under bad input and faults: malformed and oversized OTLP bodies, a second serve,
a stale serve.json, kill -9 mid-ingest, an application running while no server is up."""

from __future__ import annotations

import gzip
import http.client
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from serve_proc import AGENTEL_APP, ServeProcess, clean_env, run_app, wait_for

pytestmark = pytest.mark.slow  # starts, kills and restarts agentel serve


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _span_request(name: str, span_id: int) -> bytes:
    return json.dumps(
        {
            "resourceSpans": [
                {
                    "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "faults"}}]},
                    "scopeSpans": [
                        {
                            "spans": [
                                {
                                    "traceId": "f" * 32,
                                    "spanId": f"{span_id:016x}",
                                    "name": name,
                                    "startTimeUnixNano": str(time.time_ns()),
                                    "endTimeUnixNano": str(time.time_ns() + 1000),
                                }
                            ]
                        }
                    ],
                }
            ]
        }
    ).encode()


def test_bad_bodies_get_400_or_413_with_a_reason_and_are_counted(tmp_path: Path) -> None:
    srv = ServeProcess(tmp_path / "d")
    try:
        url = srv.otlp
        status, body = _post(
            url + "/v1/traces", b"\x0a\xff\xff garbage", {"Content-Type": "application/x-protobuf"}
        )
        assert status == 400
        from google.rpc import status_pb2

        assert "protobuf" in status_pb2.Status.FromString(body).message
        status, body = _post(url + "/v1/logs", b"{not json", {"Content-Type": "application/json"})
        assert status == 400 and "not JSON" in json.loads(body)["message"]
        status, body = _post(
            url + "/v1/metrics",
            b"definitely not gzip",
            {"Content-Type": "application/json", "Content-Encoding": "gzip"},
        )
        assert status == 400 and "gzip" in json.loads(body)["message"]
        # a gzip bomb: small on the wire, too large once decompressed
        bomb = gzip.compress(b"\0" * (129 * 1024 * 1024), compresslevel=9)
        status, body = _post(
            url + "/v1/traces", bomb, {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        )
        assert status == 413 and "decompressed" in json.loads(body)["message"]
        # a declared length over the limit is refused before the body is read
        host, port = url.split("//")[1].split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.putrequest("POST", "/v1/traces")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(64 * 1024 * 1024))
        conn.endheaders()
        resp = conn.getresponse()
        assert resp.status == 413 and b"larger than" in resp.read()
        conn.close()
        status, _ = _post(url + "/v1/traces", b"{}", {"Content-Type": "text/plain"})
        assert status == 415
        with urllib.request.urlopen(url + "/stats", timeout=10) as r:
            stats = json.loads(r.read())
        assert stats["bad_request"] >= 4 and stats["too_large"] == 2, stats
        # and it still serves
        status, _ = _post(
            url + "/v1/traces", _span_request("after-bad-bodies", 1), {"Content-Type": "application/json"}
        )
        assert status == 200
        wait_for(
            lambda: srv.scalar("SELECT count() FROM otel_traces WHERE SpanName = 'after-bad-bodies'") == "1"
        )
        assert srv.proc.poll() is None
    finally:
        assert srv.stop() == 0, srv.stderr()


def test_a_second_serve_is_refused_naming_the_first(tmp_path: Path) -> None:
    first = ServeProcess(tmp_path / "d")
    try:
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "agentel.cli",
                "serve",
                "--ui-port",
                "0",
                "--otlp-port",
                "0",
                "--clickhouse-port",
                "0",
            ],
            env=clean_env(tmp_path / "d"),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert r.returncode != 0
        assert f"pid {first.proc.pid}" in r.stderr and first.info["ui"] in r.stderr and first.otlp in r.stderr
        assert json.loads((tmp_path / "d" / "serve.json").read_text())["pid"] == first.proc.pid
    finally:
        first.stop()


def test_agentel_ui_opens_the_running_server_instead_of_starting_another(tmp_path: Path) -> None:
    first = ServeProcess(tmp_path / "d")
    try:
        r = subprocess.run(
            [sys.executable, "-m", "agentel.cli", "ui", "--no-open"],
            env=clean_env(tmp_path / "d"),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert r.returncode == 0, r.stderr
        assert first.info["ui"] in r.stdout and f"pid {first.proc.pid}" in r.stdout
    finally:
        first.stop()


def test_a_stale_serve_json_is_replaced(tmp_path: Path) -> None:
    directory = tmp_path / "d"
    directory.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = {
        "pid": dead.pid,
        "started": 1.0,
        "dir": str(directory),
        "ui": "http://127.0.0.1:1",
        "otlp": "",
        "clickhouse": "",
    }
    (directory / "serve.json").write_text(json.dumps(stale))
    srv = ServeProcess(directory)
    try:
        assert srv.info["pid"] == srv.proc.pid
        assert f"stale serve.json (pid {dead.pid}" in srv.stderr()
        assert "corrupt" not in srv.stderr()  # serve.json is never taken for telemetry
    finally:
        srv.stop()


def test_remote_hosts_need_allow_remote_and_a_password(tmp_path: Path) -> None:
    base = [sys.executable, "-m", "agentel.cli", "serve", "--host", "0.0.0.0"]
    r = subprocess.run(base, env=clean_env(tmp_path / "d"), capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "--allow-remote" in r.stderr
    r = subprocess.run(
        [*base, "--allow-remote"], env=clean_env(tmp_path / "d"), capture_output=True, text=True, timeout=120
    )
    assert r.returncode != 0 and "password" in r.stderr
    assert not (tmp_path / "d" / "clickhouse").exists()  # refused before taking the store


def test_kill_9_mid_ingest_loses_nothing_acknowledged_and_the_app_never_waits(tmp_path: Path) -> None:
    directory = tmp_path / "d"
    srv = ServeProcess(directory)
    acked: list[str] = []
    stop = threading.Event()

    def sender() -> None:
        i = 0
        while not stop.is_set():
            i += 1
            name = f"acked-{i}"
            try:
                status, _ = _post(
                    srv.otlp + "/v1/traces", _span_request(name, i), {"Content-Type": "application/json"}
                )
            except (OSError, http.client.HTTPException):
                return  # the server is gone: this one was never acknowledged
            if status == 200:
                acked.append(name)

    t = threading.Thread(target=sender)
    t.start()
    wait_for(lambda: len(acked) >= 40, what="40 acknowledged requests")
    srv.kill9()
    stop.set()
    t.join(30)
    assert (directory / "serve.json").exists()  # left behind by kill -9: stale from now on

    # while no server runs, an agentel application is not slowed down and its files still fill
    wall = run_app(AGENTEL_APP, directory, "model-while-down", "2")
    assert wall < 30
    assert any("model-while-down" in p.read_text() for p in directory.glob("*/traces.jsonl"))

    again = ServeProcess(directory)
    try:
        names = set(acked)
        wait_for(
            lambda: (
                int(
                    again.scalar(
                        "SELECT uniqExact(SpanName) FROM otel_traces WHERE ServiceName = 'faults' "
                        f"AND SpanName IN ({','.join(repr(n) for n in sorted(names))})"
                    )
                )
                == len(names)
            ),
            what=f"all {len(names)} acknowledged spans after the restart",
        )
        wait_for(
            lambda: again.scalar("SELECT count() FROM llm_logs WHERE model = 'model-while-down'") == "2",
            what="the calls written while the server was down",
        )
        wait_for(lambda: "agentel serve: caught up: loaded" in again.stderr(), what="the catch-up summary")
    finally:
        again.stop()


def test_a_torn_last_line_does_not_swallow_the_next_request(tmp_path: Path) -> None:
    directory = tmp_path / "d"
    day = time.strftime("%Y-%m-%d", time.gmtime())
    torn = directory / "otlp" / day / "traces.jsonl"
    torn.parent.mkdir(parents=True)
    torn.write_bytes(_span_request("complete-before-crash", 7) + b"\n" + _span_request("torn", 8)[:40])
    srv = ServeProcess(directory)
    try:
        status, _ = _post(
            srv.otlp + "/v1/traces", _span_request("after-restart", 9), {"Content-Type": "application/json"}
        )
        assert status == 200
        wait_for(
            lambda: (
                srv.scalar(
                    "SELECT count() FROM otel_traces WHERE SpanName IN ('complete-before-crash', 'after-restart')"
                )
                == "2"
            ),
            what="the complete line and the new request",
        )
        assert "corrupt line" in wait_for(lambda: srv.stderr() or None, what="the torn line reported")
    finally:
        srv.stop()


def test_off_loopback_every_listener_asks_for_the_password(tmp_path: Path) -> None:
    srv = ServeProcess(tmp_path / "d", "--host", "0.0.0.0", "--allow-remote", "--password", "pw-123")
    try:
        import base64

        assert srv.info["ui"].startswith("http://127.0.0.1:")
        for url in (srv.ui + "/", srv.otlp + "/stats"):
            try:
                urllib.request.urlopen(url, timeout=30)
                raise AssertionError(f"{url} answered without the password")
            except urllib.error.HTTPError as exc:
                assert exc.code == 401
        auth = "Basic " + base64.b64encode(b"anyone:pw-123").decode()
        with urllib.request.urlopen(
            urllib.request.Request(srv.ui + "/", headers={"Authorization": auth})
        ) as r:
            assert r.status == 200
        status, _ = _post(
            srv.otlp + "/v1/traces",
            _span_request("remote-with-password", 5),
            {"Content-Type": "application/json", "Authorization": "Bearer pw-123"},
        )
        assert status == 200
        status, _ = _post(
            srv.otlp + "/v1/traces", _span_request("no-password", 6), {"Content-Type": "application/json"}
        )
        assert status == 401
    finally:
        srv.stop()
