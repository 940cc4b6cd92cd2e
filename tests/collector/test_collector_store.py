"""SDK → OTLP → the built collector → its OTLP-JSON files → `agentel load` → the embedded store:
the analytics views return the example's calls, exactly once, with the SDK's ids and keys."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import llm_workload
from collector_process import CollectorProcess, load_config, without_clickhouse

import agentel


def agentel_cli(*args: str, env_dir: Path) -> subprocess.CompletedProcess[str]:
    import os

    exe = str(Path(sys.executable).with_name("agentel"))
    return subprocess.run(
        [exe, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "AGENTEL_DIR": str(env_dir)},
    )


def test_collector_files_load_into_the_store_and_views_return_the_calls(
    start_collector: Callable[..., CollectorProcess], tmp_path: Path
) -> None:
    collector = start_collector(without_clickhouse(load_config()))
    settings = agentel.configure(
        dir=str(tmp_path / "app"),
        sinks=("otlp",),
        otlp_endpoint=collector.otlp_grpc,
        otlp_protocol="grpc",
        service_name="collector-e2e",
        metrics_interval_s=0,
    )
    llm_workload.run()
    agentel.shutdown()  # flushes spans, logs and metrics into the collector
    collector.stop()  # files are complete once the collector has shut down
    files = collector.dir / "files"
    assert {p.name for p in files.iterdir()} >= {"traces.jsonl", "logs.jsonl", "metrics.jsonl"}

    store_dir = tmp_path / "store"
    loaded = agentel_cli("load", str(files), "--format", "json", env_dir=store_dir)
    assert loaded.returncode == 0, loaded.stderr
    # Loading the same files again adds nothing (the loader is incremental and idempotent).
    again = agentel_cli("load", str(files), "--format", "json", env_dir=store_dir)
    assert again.returncode == 0, again.stderr

    query = agentel_cli(
        "query",
        "SELECT model, provider, input_tokens, output_tokens, is_error, run_id, process_run_id, service_name, "
        "trace_id, span_id, cost FROM llm_logs ORDER BY timestamp",
        "--format",
        "JSONEachRow",
        env_dir=store_dir,
    )
    assert query.returncode == 0, query.stderr
    rows = [json.loads(line) for line in query.stdout.splitlines() if line.strip()]
    calls = [*llm_workload.CALLS, llm_workload.FAILING]
    assert [(r["model"], r["provider"], r["input_tokens"], r["output_tokens"]) for r in rows] == [
        (c.model, c.provider, c.input_tokens, c.output_tokens) for c in calls
    ]
    assert [r["is_error"] for r in rows] == [0] * len(llm_workload.CALLS) + [1]
    assert {r["run_id"] for r in rows} == {llm_workload.RUN}  # the correlation key `run`
    assert {r["process_run_id"] for r in rows} == {settings.run_id}
    assert {r["service_name"] for r in rows} == {"collector-e2e"}
    assert len({r["trace_id"] for r in rows}) == 1  # all inside the run's root span
    assert len({r["span_id"] for r in rows}) == len(rows)
    assert all(r["cost"] is not None and r["cost"] > 0 for r in rows[:-1])  # priced by genai-prices

    # The run's root span and the GenAI metrics came through the same path.
    spans = agentel_cli(
        "query",
        "SELECT count() AS n, countIf(SpanName = 'consortium-run' AND ParentSpanId = '') AS roots "
        "FROM otel_traces",
        "--format",
        "JSONEachRow",
        env_dir=store_dir,
    )
    counts = json.loads(spans.stdout)
    assert counts == {"n": len(rows) + 1, "roots": 1}
    logs = agentel_cli(
        "query",
        # the application's own record; content is captured by default, so each call also has its
        # gen_ai.client.inference.operation.details event
        "SELECT Body, SeverityText, TraceId FROM otel_logs WHERE EventName = ''",
        "--format",
        "JSONEachRow",
        env_dir=store_dir,
    )
    (record,) = [json.loads(line) for line in logs.stdout.splitlines()]
    assert record["Body"] == "call to gpt-4o timed out" and record["SeverityText"] == "WARN"
    assert record["TraceId"] == rows[0]["trace_id"]
    metrics = agentel_cli(
        "query",
        "SELECT MetricName, sum(Count) AS n FROM otel_metrics_histogram "
        "WHERE MetricName = 'gen_ai.client.operation.duration' GROUP BY MetricName",
        "--format",
        "JSONEachRow",
        env_dir=store_dir,
    )
    assert json.loads(metrics.stdout)["n"] == len(rows)


def test_an_instrumented_app_under_agentel_run_reaches_the_store_through_the_collector(
    start_collector: Callable[..., CollectorProcess], tmp_path: Path
) -> None:
    import os

    from agentel.testing.stubllm import StubLLMServer

    collector = start_collector(without_clickhouse(load_config()))
    with StubLLMServer(seed=3) as stub:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AGENTEL_", "OTEL_")) and k != "CLICKHOUSE_URL"
        }
        env.update(
            STUB_LLM_URL=stub.base_url,
            AGENTEL_DIR=str(tmp_path / "app"),
            AGENTEL_SINKS="otlp",
            OTEL_EXPORTER_OTLP_ENDPOINT=collector.otlp_http,
            OTEL_SERVICE_NAME="example-app",
        )
        app = subprocess.run(
            [
                str(Path(sys.executable).with_name("agentel")),
                "run",
                "--",
                sys.executable,
                str(Path(__file__).with_name("example_app.py")),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
    assert app.returncode == 0, app.stderr
    reported = [json.loads(line) for line in app.stdout.splitlines()]
    collector.stop()

    store_dir = tmp_path / "store"
    assert agentel_cli("load", str(collector.dir / "files"), env_dir=store_dir).returncode == 0
    out = agentel_cli(
        "query",
        "SELECT model, provider, input_tokens, output_tokens, run_id, task, service_name FROM llm_logs ORDER BY timestamp",
        "--format",
        "JSONEachRow",
        env_dir=store_dir,
    )
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [(r["model"], r["input_tokens"], r["output_tokens"]) for r in rows] == [
        (c["model"], c["input"], c["output"]) for c in reported
    ]
    assert [r["provider"] for r in rows] == ["openai", "openai", "openai", "anthropic"]
    assert {(r["run_id"], r["task"], r["service_name"]) for r in rows} == {
        ("example-app", "qa", "example-app")
    }
