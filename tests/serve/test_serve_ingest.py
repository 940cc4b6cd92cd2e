"""`agentel serve` driven by real applications: an agentel program writing files, a plain
OpenTelemetry SDK program exporting OTLP/HTTP, and raw OTLP bodies (JSON, gzip, partial success)."""

from __future__ import annotations

import gzip
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_proc import AGENTEL_APP, GRPC_APP, OTEL_APP, ServeProcess, run_app, wait_for

pytestmark = pytest.mark.slow  # starts agentel serve and applications as processes


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    srv = ServeProcess(tmp_path_factory.mktemp("serve") / "d")
    yield srv
    assert srv.stop() == 0, srv.stderr()
    assert not (srv.directory / "serve.json").exists()  # a clean stop removes its discovery file


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_serve_json_is_private_and_names_every_listener(served: ServeProcess) -> None:
    path = served.directory / "serve.json"
    assert path.stat().st_mode & 0o777 == 0o600
    info = served.info
    for key in ("ui", "otlp", "clickhouse"):
        assert info[key].startswith("http://127.0.0.1:"), info
    assert info["password"] and info["dir"] == str(served.directory.resolve())


def test_an_agentel_application_writing_files_becomes_queryable(served: ServeProcess) -> None:
    run_app(AGENTEL_APP, served.directory, "model-from-files", "3")
    assert list(served.directory.glob("*/traces.jsonl")), "the application wrote no files"
    wait_for(
        lambda: served.scalar("SELECT count() FROM llm_logs WHERE model = 'model-from-files'") == "3",
        what="the application's three calls in llm_logs",
    )


def test_a_plain_opentelemetry_application_exporting_otlp_http(served: ServeProcess) -> None:
    run_app(OTEL_APP, served.directory, "model-from-otlp", env={"OTEL_EXPORTER_OTLP_ENDPOINT": served.otlp})
    wait_for(
        lambda: (
            served.scalar(
                "SELECT count() FROM llm_logs WHERE model = 'model-from-otlp' AND service_name = 'plain-otel-app'"
            )
            == "1"
        ),
        what="the plain OTel SDK's call in llm_logs",
    )
    assert (
        served.scalar("SELECT input_tokens + output_tokens FROM llm_logs WHERE model = 'model-from-otlp'")
        == "24"
    )
    wait_for(
        lambda: (
            served.scalar(
                "SELECT count() FROM otel_logs WHERE Body = 'plain log line model-from-otlp' "
                "AND ServiceName = 'plain-otel-app' AND TraceId != ''"
            )
            == "1"
        ),
        what="the plain OTel SDK's log record in otel_logs",
    )
    wait_for(
        lambda: (
            served.scalar(
                "SELECT sum(Value) FROM otel_metrics_sum WHERE MetricName = 'plain.requests' "
                "AND ServiceName = 'plain-otel-app'"
            )
            == "5"
        ),
        what="the plain OTel SDK's counter in otel_metrics_sum",
    )
    # the sender does not run agentel: the server applied the SDK's redaction policy
    stored = served.scalar(
        "SELECT SpanAttributes['db.password'] FROM otel_traces WHERE SpanName = 'chat model-from-otlp'"
    )
    assert "hunter2" not in stored and stored.startswith("[REDACTED"), stored
    on_disk = "".join(p.read_text() for p in served.directory.glob("otlp/*/traces.jsonl"))
    assert "model-from-otlp" in on_disk and "hunter2" not in on_disk


def test_a_plain_opentelemetry_application_exporting_otlp_grpc(served: ServeProcess) -> None:
    assert served.info["otlp_grpc"].startswith("http://127.0.0.1:")
    run_app(GRPC_APP, served.directory, "model-from-grpc", served.info["otlp_grpc"])
    wait_for(
        lambda: (
            served.scalar(
                "SELECT count() FROM llm_logs WHERE model = 'model-from-grpc' AND service_name = 'grpc-otel-app'"
            )
            == "1"
        ),
        what="the gRPC sender's call in llm_logs",
    )


def test_pages_answer_304_while_the_store_is_unchanged(served: ServeProcess) -> None:
    import urllib.request

    with urllib.request.urlopen(served.ui + "/calls", timeout=30) as r:
        etag = r.headers["ETag"]
        assert etag and f'content="{etag.strip(chr(34))}"' in r.read().decode()
    req = urllib.request.Request(served.ui + "/calls", headers={"If-None-Match": etag})
    try:
        urllib.request.urlopen(req, timeout=30)
        raise AssertionError("expected 304 Not Modified")
    except urllib.error.HTTPError as exc:
        assert exc.code == 304


def _json_request(name: str, trace_id: str = "ab" * 16, span_id: str = "cd" * 8) -> dict:
    return {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": "json-sender"}}]
                },
                "scopeSpans": [
                    {
                        "scope": {"name": "raw"},
                        "spans": [
                            {
                                "traceId": trace_id,
                                "spanId": span_id,
                                "name": name,
                                "kind": 3,
                                "startTimeUnixNano": "1796300000000000000",
                                "endTimeUnixNano": "1796300000500000000",
                                "attributes": [
                                    {"key": "gen_ai.request.model", "value": {"stringValue": name}}
                                ],
                            }
                        ],
                    }
                ],
            }
        ]
    }


def test_gzip_json_and_partial_success(served: ServeProcess) -> None:
    good = _json_request("json-gzip-good", span_id="1" * 16)
    bad = _json_request("json-bad-id", trace_id="not-hex")
    body = {"resourceSpans": good["resourceSpans"] + bad["resourceSpans"]}
    status, out = _post(
        served.otlp + "/v1/traces",
        gzip.compress(json.dumps(body).encode()),
        {"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert status == 200, out
    partial = json.loads(out)["partialSuccess"]
    assert partial["rejectedSpans"] == "1" and "traceId" in partial["errorMessage"]
    wait_for(
        lambda: served.scalar("SELECT count() FROM otel_traces WHERE SpanName = 'json-gzip-good'") == "1",
        what="the accepted span",
    )
    assert served.scalar("SELECT count() FROM otel_traces WHERE SpanName = 'json-bad-id'") == "0"


def test_an_accepted_request_is_on_disk_before_the_answer(served: ServeProcess) -> None:
    status, _ = _post(
        served.otlp + "/v1/traces",
        json.dumps(_json_request("durable-before-ack", span_id="2" * 16)).encode(),
        {"Content-Type": "application/json"},
    )
    assert status == 200
    files = list(Path(served.directory).glob("otlp/*/traces.jsonl"))
    assert any("durable-before-ack" in f.read_text() for f in files)


def test_watch_loads_another_directory_as_it_grows(tmp_path: Path) -> None:
    """--watch: e.g. a collector's file exporter directory outside AGENTEL_DIR."""
    elsewhere = tmp_path / "collector-files"
    elsewhere.mkdir()
    srv = ServeProcess(tmp_path / "d", "--watch", str(elsewhere))
    try:
        line = json.dumps(_json_request("from-watched-dir", span_id="3" * 16)) + "\n"
        (elsewhere / "traces.jsonl").write_text(line)
        wait_for(
            lambda: srv.scalar("SELECT count() FROM otel_traces WHERE SpanName = 'from-watched-dir'") == "1",
            what="the watched file's span",
        )
        with open(elsewhere / "traces.jsonl", "a") as fh:
            fh.write(json.dumps(_json_request("appended-later", span_id="4" * 16)) + "\n")
        wait_for(
            lambda: srv.scalar("SELECT count() FROM otel_traces WHERE SpanName = 'appended-later'") == "1",
            what="the appended span",
        )
    finally:
        srv.stop()


def test_a_chunked_body_is_accepted(served: ServeProcess) -> None:
    import http.client

    body = json.dumps(_json_request("sent-in-chunks", span_id="5" * 16)).encode()
    host, port = served.otlp.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.request(
        "POST",
        "/v1/traces",
        body=iter([body[:50], body[50:]]),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        encode_chunked=True,
    )
    resp = conn.getresponse()
    assert resp.status == 200, resp.read()
    conn.close()
    wait_for(
        lambda: served.scalar("SELECT count() FROM otel_traces WHERE SpanName = 'sent-in-chunks'") == "1",
        what="the chunked request's span",
    )
