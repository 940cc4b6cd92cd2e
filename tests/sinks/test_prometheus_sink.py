"""The Prometheus sink: textfile written atomically and promtool-clean, scrape endpoint on demand."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import threading
import urllib.request
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

import agentel
from agentel.sinks import prometheus as prom
from testsupport import wait_for

T = TypeVar("T")

GENAI = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "openai",
    "gen_ai.request.model": "gpt-4o-mini",
}


def promtool() -> str:
    path = shutil.which("promtool")
    assert path, "promtool not found: run `make system-deps` (installs Debian's prometheus package)"
    return path


# Shaped like the GenAI metrics (same units, buckets, attributes) under test-only names, so these
# tests do not depend on which module registers the real ones.
_ATTRS = (*GENAI, "gen_ai.token.type")
agentel.register_metric(
    "test.client.token.usage",
    "histogram",
    "{token}",
    "Tokens per call.",
    attributes=_ATTRS,
    buckets=(1, 4, 16, 64, 256, 1024, 4096, 16384, 65536),
)
agentel.register_metric(
    "test.client.operation.duration",
    "histogram",
    "s",
    "Call duration.",
    attributes=tuple(GENAI),
    buckets=(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12),
)


def record_llm_call(input_tokens: int = 120, output_tokens: int = 30, seconds: float = 0.7) -> None:
    tokens = agentel.metric("test.client.token.usage")
    tokens.record(input_tokens, {**GENAI, "gen_ai.token.type": "input"})
    tokens.record(output_tokens, {**GENAI, "gen_ai.token.type": "output"})
    agentel.metric("test.client.operation.duration").record(seconds, GENAI)


def test_textfile_is_rewritten_every_interval_and_promtool_clean(tmp_path: Path) -> None:
    agentel.configure(dir=str(tmp_path), sinks=("prometheus",), metrics_interval_s=1)
    record_llm_call()
    textfile = tmp_path / "metrics.prom"
    wait_for(
        lambda: textfile.exists() and "test_client_token_usage_count" in textfile.read_text(),
        what="textfile",
    )
    # The next interval picks up new measurements without any flush call.
    record_llm_call(input_tokens=80)
    wait_for(
        lambda: re.search(
            r'test_client_token_usage_count\{[^}]*gen_ai_token_type="input"[^}]*\} 2\.0',
            textfile.read_text(),
        ),
        what="second interval",
    )
    text = textfile.read_text()
    assert "test_client_operation_duration_seconds_bucket{" in text
    assert (
        'test_client_token_usage_sum{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o-mini",gen_ai_token_type="input"} 200.0'
        in text
    )
    check = subprocess.run(
        [promtool(), "check", "metrics"], input=text.encode(), capture_output=True, timeout=30
    )
    assert check.returncode == 0 and not check.stdout.strip() and not check.stderr.strip(), check
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_textfile_written_on_shutdown_even_without_interval(tmp_path: Path) -> None:
    agentel.configure(dir=str(tmp_path), sinks=("prometheus",), metrics_interval_s=0)
    record_llm_call()
    assert not (tmp_path / "metrics.prom").exists()
    agentel.shutdown()
    assert "test_client_token_usage_bucket" in (tmp_path / "metrics.prom").read_text()


def test_no_port_means_no_socket(tmp_path: Path) -> None:
    agentel.configure(dir=str(tmp_path), sinks=("prometheus",), metrics_interval_s=0)
    from agentel import sdk

    readers = sdk._pipeline.metric_readers if sdk._pipeline else []
    assert not [r for r in readers if isinstance(r, prom.PrometheusScrapeReader)]
    assert not (tmp_path / prom.TARGETS_DIR).exists()


def test_scrape_endpoint_on_os_chosen_port_is_discoverable_and_closed_on_shutdown(tmp_path: Path) -> None:
    settings = agentel.configure(
        dir=str(tmp_path), prometheus_port=0, service_name="scrape-test", metrics_interval_s=0
    )
    record_llm_call()
    targets_file = tmp_path / prom.TARGETS_DIR / f"{settings.run_id}.json"
    (entry,) = json.loads(targets_file.read_text())
    assert entry["labels"] == {"run_id": settings.run_id, "service_name": "scrape-test"}
    (target,) = entry["targets"]
    body = urllib.request.urlopen(f"http://{target}/metrics", timeout=5).read().decode()
    assert re.search(r'test_client_token_usage_count\{[^}]*gen_ai_token_type="output"[^}]*\} 1\.0', body)
    assert "target_info{" in body and 'service_name="scrape-test"' in body
    # Each scrape is a fresh collection.
    record_llm_call()
    body = urllib.request.urlopen(f"http://{target}/metrics", timeout=5).read().decode()
    assert re.search(r'test_client_token_usage_count\{[^}]*gen_ai_token_type="output"[^}]*\} 2\.0', body)
    check = subprocess.run(
        [promtool(), "check", "metrics"], input=body.encode(), capture_output=True, timeout=30
    )
    assert check.returncode == 0, check
    host, port = target.rsplit(":", 1)
    agentel.shutdown()
    assert not targets_file.exists()
    with pytest.raises(OSError), socket.create_connection((host, int(port)), timeout=2):
        pass


def test_counters_and_gauges_follow_collector_naming(tmp_path: Path) -> None:
    agentel.register_metric("test.jobs.done", "counter", "{job}", "Jobs finished.", attributes=("queue",))
    agentel.register_metric("test.queue.fill", "gauge", "1", "Queue fill ratio.", attributes=("queue",))
    agentel.configure(dir=str(tmp_path), sinks=("prometheus",), metrics_interval_s=0)
    agentel.metric("test.jobs.done").add(3, {"queue": "a"})
    agentel.metric("test.queue.fill").set(0.5, {"queue": "a"})
    agentel.force_flush()
    text = (tmp_path / "metrics.prom").read_text()
    assert "# TYPE test_jobs_done_total counter" in text
    assert 'test_jobs_done_total{queue="a"} 3.0' in text
    assert 'test_queue_fill_ratio{queue="a"} 0.5' in text


def test_atomic_replace_never_shows_a_partial_file(tmp_path: Path) -> None:
    path = str(tmp_path / "metrics.prom")
    payloads = [(f"# payload {i}\n" + "x_total 1\n" * (1 + (i * 7919) % 5000)).encode() for i in range(60)]
    prom.write_atomically(path, payloads[0])
    stop = threading.Event()
    seen: list[bytes] = []

    def reader() -> None:
        while not stop.is_set():
            with open(path, "rb") as fh:
                seen.append(fh.read())

    t = threading.Thread(target=reader)
    t.start()
    try:
        for p in payloads:
            prom.write_atomically(path, p)
    finally:
        stop.set()
        t.join()
    valid = set(payloads)
    assert seen and all(s in valid for s in seen)


@pytest.mark.parametrize(
    ("name", "unit", "kind", "expected"),
    [
        ("gen_ai.client.token.usage", "{token}", "histogram", "gen_ai_client_token_usage"),
        ("gen_ai.client.operation.duration", "s", "histogram", "gen_ai_client_operation_duration_seconds"),
        ("agentel.cost.usd", "USD", "counter", "agentel_cost_usd_USD_total"),
        ("http.requests.total", "1", "counter", "http_requests_total"),
        ("cpu.utilization", "1", "gauge", "cpu_utilization_ratio"),
        ("net.io", "By/s", "counter", "net_io_bytes_per_second_total"),
        ("latency.seconds", "s", "histogram", "latency_seconds"),
        ("2xx.responses", "", "gauge", "_2xx_responses"),
    ],
)
def test_names_match_the_collector_translator(name: str, unit: str, kind: str, expected: str) -> None:
    assert prom.prometheus_name(name, unit, kind) == expected


@given(st.text(min_size=1, max_size=40), st.sampled_from(["", "s", "{x}", "By/s", "1", "ms", "weird unit"]))
def test_any_name_becomes_a_valid_prometheus_name(name: str, unit: str) -> None:
    out = prom.prometheus_name(name, unit, "gauge")
    assert out == "" or re.fullmatch(r"[a-zA-Z_:][a-zA-Z0-9_:]*", out)


@given(st.text(min_size=1, max_size=40))
def test_any_attribute_key_becomes_a_valid_label(key: str) -> None:
    assert re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", prom._label_name(key))


def test_a_taken_port_skips_the_endpoint_without_breaking_the_application(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agentel._internal import errors

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match=f"AGENTEL_PROMETHEUS_PORT={port}: cannot listen"):
            agentel.configure(dir=str(tmp_path / "strict"), prometheus_port=port, metrics_interval_s=0)
        agentel.shutdown()
        monkeypatch.setattr(errors, "RAISE", False)  # what applications get: log once, count, go on
        agentel.configure(dir=str(tmp_path), prometheus_port=port, metrics_interval_s=0)
        record_llm_call()
        agentel.shutdown()
    assert errors.internal_error_counts().get("sinks.prometheus.listen", 0) >= 1
    assert "test_client_token_usage_bucket" in (tmp_path / "metrics.prom").read_text()  # textfile still works
