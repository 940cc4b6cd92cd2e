"""The collector distribution's own ClickHouse exporter writes into a served store.

The shipped collector config, unchanged except for its ClickHouse endpoint
(``CLICKHOUSE_ENDPOINT=http://127.0.0.1:PORT`` of a running `agentel serve`, with the user and
password from serve.json). clickhouse-go speaks HTTP with lz4 (``compress=1``/``decompress=1``:
ClickHouse's checksummed frames both ways), its handshake query, ``DESCRIBE TABLE`` and
``INSERT … FORMAT Native``; traces, logs and metrics sent to the collector must land in the
served store's tables — and reach the views agentel reads (llm_logs).
"""

from __future__ import annotations

import json
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serve_proc import ServeProcess, wait_for

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "collector"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from collector_process import CollectorProcess, collector_binary, load_config  # noqa: E402

TRACE_ID = "5b8efff798038103d269b633813fc60c"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServeProcess, CollectorProcess]]:
    binary = collector_binary()
    if not binary.exists():
        pytest.skip(
            f"agentel collector binary not built at {binary}: run `make collector` (`make test` builds it)"
        )
    base = tmp_path_factory.mktemp("served-collector")
    srv = ServeProcess(base / "agentel")
    info = srv.info
    (base / "collector").mkdir()
    col = CollectorProcess(
        binary,
        load_config(),
        base / "collector",
        env={
            "CLICKHOUSE_ENDPOINT": info["clickhouse"],
            "CLICKHOUSE_USERNAME": info["user"],
            "CLICKHOUSE_PASSWORD": info["password"],
            "CLICKHOUSE_DATABASE": info["database"],
        },
    )
    try:
        col.start()
        yield srv, col
    finally:
        col.stop()
        assert srv.stop() == 0, srv.stderr()


def _post(url: str, body: dict[str, Any]) -> None:
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.status == 200


def _resource(service: str) -> dict[str, Any]:
    return {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]}


def test_traces_logs_and_metrics_arrive_through_the_exporter(
    pair: tuple[ServeProcess, CollectorProcess],
) -> None:
    srv, col = pair
    now = time.time_ns()
    attrs = [
        {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
        {"key": "gen_ai.request.model", "value": {"stringValue": "model-via-exporter"}},
        {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "21"}},
        {"key": "gen_ai.usage.output_tokens", "value": {"intValue": "8"}},
    ]
    spans = [
        {
            "traceId": TRACE_ID,
            "spanId": f"{i + 1:016x}",
            "name": "chat model-via-exporter",
            "kind": 3,
            "startTimeUnixNano": str(now - 2_000_000_000 + i),
            "endTimeUnixNano": str(now - 1_000_000_000 + i),
            "attributes": attrs,
        }
        for i in range(3)
    ]
    _post(
        col.otlp_http + "/v1/traces",
        {
            "resourceSpans": [
                {
                    "resource": _resource("exporter-app"),
                    "scopeSpans": [{"scope": {"name": "t"}, "spans": spans}],
                }
            ]
        },
    )
    _post(
        col.otlp_http + "/v1/logs",
        {
            "resourceLogs": [
                {
                    "resource": _resource("exporter-app"),
                    "scopeLogs": [
                        {
                            "scope": {"name": "t"},
                            "logRecords": [
                                {
                                    "timeUnixNano": str(now),
                                    "severityText": "INFO",
                                    "body": {"stringValue": "log via exporter"},
                                }
                            ],
                        }
                    ],
                }
            ]
        },
    )
    point = {
        "timeUnixNano": str(now),
        "asDouble": 2.5,
        "attributes": [{"key": "k", "value": {"stringValue": "v"}}],
    }
    _post(
        col.otlp_http + "/v1/metrics",
        {
            "resourceMetrics": [
                {
                    "resource": _resource("exporter-app"),
                    "scopeMetrics": [
                        {
                            "scope": {"name": "t"},
                            "metrics": [
                                {"name": "exporter.gauge", "gauge": {"dataPoints": [point]}},
                                {
                                    "name": "exporter.sum",
                                    "sum": {
                                        "dataPoints": [
                                            {**point, "asDouble": 7.0, "startTimeUnixNano": str(now - 10**9)}
                                        ],
                                        "aggregationTemporality": 2,
                                        "isMonotonic": True,
                                    },
                                },
                                {
                                    "name": "exporter.histogram",
                                    "histogram": {
                                        "dataPoints": [
                                            {
                                                "timeUnixNano": str(now),
                                                "startTimeUnixNano": str(now - 10**9),
                                                "count": "3",
                                                "sum": 6.0,
                                                "bucketCounts": ["1", "2"],
                                                "explicitBounds": [1.5],
                                            }
                                        ],
                                        "aggregationTemporality": 2,
                                    },
                                },
                            ],
                        }
                    ],
                }
            ]
        },
    )

    def count(sql: str) -> int:
        return int(srv.scalar(sql) or 0)

    svc = "ServiceName = 'exporter-app'"
    # the exporter batches (flush_timeout 5 s in the shipped config) and retries: wait for it
    wait_for(
        lambda: count(f"SELECT count() FROM otel_traces WHERE {svc}") == 3, 90, "3 spans via the exporter"
    )
    wait_for(lambda: count(f"SELECT count() FROM otel_logs WHERE {svc}") == 1, 90, "the log record")
    wait_for(lambda: count(f"SELECT count() FROM otel_metrics_gauge WHERE {svc}") == 1, 90, "the gauge point")
    wait_for(lambda: count(f"SELECT count() FROM otel_metrics_sum WHERE {svc}") == 1, 90, "the sum point")
    wait_for(
        lambda: count(f"SELECT count() FROM otel_metrics_histogram WHERE {svc}") == 1,
        90,
        "the histogram point",
    )
    assert srv.scalar(f"SELECT Body FROM otel_logs WHERE {svc}") == "log via exporter"
    assert srv.scalar(f"SELECT Value FROM otel_metrics_sum WHERE {svc}") == "7"
    assert srv.scalar(f"SELECT toString(BucketCounts) FROM otel_metrics_histogram WHERE {svc}") == "[1,2]"
    # agentel's views see the exporter's rows like any other
    assert count("SELECT count() FROM llm_logs WHERE model = 'model-via-exporter'") == 3
    assert srv.scalar("SELECT sum(input_tokens) FROM llm_logs WHERE model = 'model-via-exporter'") == "63"
    # nothing failed on the way: the exporter logged no export error
    log = col.log_path.read_text(errors="replace")
    assert "Exporting failed" not in log and "permanent error" not in log.lower(), col.log_tail()
