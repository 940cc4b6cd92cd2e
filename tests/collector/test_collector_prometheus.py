"""A real Prometheus server scrapes the collector's Prometheus exporter and the SDK's endpoint;
PromQL over its HTTP API returns the GenAI token and duration series from both paths."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path

import llm_workload
import pytest
from collector_process import CollectorProcess, PrometheusServer, load_config, wait_for, without_clickhouse

import agentel

SERVICE = "prom-e2e"


@pytest.fixture
def prometheus_server(tmp_path: Path) -> Iterator[Callable[..., PrometheusServer]]:
    servers: list[PrometheusServer] = []

    def make(scrape_configs: list[dict[str, object]]) -> PrometheusServer:
        servers.append(PrometheusServer(tmp_path / f"prometheus-{len(servers)}", scrape_configs))
        return servers[-1]

    yield make
    for s in servers:
        s.stop()


def test_promql_returns_token_and_duration_series_from_collector_and_sdk(
    start_collector: Callable[..., CollectorProcess],
    prometheus_server: Callable[..., PrometheusServer],
    tmp_path: Path,
) -> None:
    collector = start_collector(without_clickhouse(load_config()))
    app_dir = tmp_path / "app"
    settings = agentel.configure(
        dir=str(app_dir),
        service_name=SERVICE,
        otlp_endpoint=collector.otlp_http,
        prometheus_port=0,
        metrics_interval_s=1,
    )
    prom = prometheus_server(
        [
            {
                # The collector's exporter carries job/instance from service.name/service.instance.id.
                "job_name": "agentel-collector",
                "honor_labels": True,
                "static_configs": [{"targets": [f"127.0.0.1:{collector.ports['prometheus']}"]}],
            },
            {
                # Every agentel process with a scrape port announces itself in AGENTEL_DIR.
                "job_name": "agentel-sdk",
                "file_sd_configs": [
                    {"files": [str(app_dir / "prometheus-targets" / "*.json")], "refresh_interval": "1s"}
                ],
            },
        ]
    )
    check = prom.check_config()
    assert check.returncode == 0, check.stdout + check.stderr
    prom.start()

    llm_workload.run()
    expected = llm_workload.expected_tokens()
    calls = len(llm_workload.CALLS) + 1  # the failing call is timed too

    def tokens_by_type(selector: str) -> dict[str, float] | None:
        rows = prom.query(f"sum by (gen_ai_token_type) (gen_ai_client_token_usage_sum{{{selector}}})")
        got = {r["metric"].get("gen_ai_token_type", ""): r["value"] for r in rows}
        return got if got == {k: float(v) for k, v in expected.items()} else None

    def call_count(selector: str) -> float | None:
        rows = prom.query(f"sum(gen_ai_client_operation_duration_seconds_count{{{selector}}})")
        return rows[0]["value"] if rows and rows[0]["value"] == calls else None

    via_collector = f'job="{SERVICE}"'
    via_sdk = f'job="agentel-sdk",run_id="{settings.run_id}"'
    for selector in (via_collector, via_sdk):
        wait_for(lambda s=selector: tokens_by_type(s), timeout=30, what=f"token sums for {{{selector}}}")
        wait_for(lambda s=selector: call_count(s), timeout=30, what=f"call count for {{{selector}}}")

    # The collector path keeps one series per process (instance = the SDK's run id).
    instances = prom.query(f"count by (instance) (gen_ai_client_token_usage_count{{{via_collector}}})")
    assert [r["metric"]["instance"] for r in instances] == [settings.run_id]
    by_model = prom.query(
        f"sum by (gen_ai_request_model) (gen_ai_client_token_usage_sum{{{via_sdk},gen_ai_token_type='input'}})"
    )
    assert {r["metric"]["gen_ai_request_model"]: r["value"] for r in by_model} == {
        "gpt-4o-mini": 220.0,
        "gpt-4o": 300.0,
        "claude-sonnet-4-5": 420.0,
    }
    for selector in (via_collector, via_sdk):
        (p95,) = prom.query(
            f"histogram_quantile(0.95, sum by (le) (gen_ai_client_operation_duration_seconds_bucket{{{selector}}}))"
        )
        assert math.isfinite(p95["value"]) and p95["value"] >= 0
    errors = prom.query(f'sum(gen_ai_client_operation_duration_seconds_count{{{via_sdk},error_type!=""}})')
    assert errors and errors[0]["value"] == 1.0
    health = {t["labels"]["job"]: t["health"] for t in prom.targets()}
    assert health == {"agentel-collector": "up", "agentel-sdk": "up"}
    agentel.shutdown()
    collector.stop()
