"""The UI tests' harness: a small known store (two runs, a trace tree, checks, an XSS prompt),
`agentel ui` as a process, polling with a deadline."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from agentel.store import apply, open_engine
from agentel.store.engine import Engine
from testsupport import wait_for  # noqa: F401  (the UI tests import it from here)

T0 = datetime(2026, 11, 20, 12, 0, 0, tzinfo=timezone.utc)
XSS = '<script>alert(\'xss\')</script><img src=x onerror="document.body.dataset.pwned=1"><b id="injected">bold</b>'


def _ts(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%S.%f")


def span(
    trace: str,
    span_id: str,
    parent: str,
    name: str,
    start: datetime,
    ms: float,
    run: str,
    attrs: dict[str, str] | None = None,
    error: bool = False,
    status: str = "",
) -> dict[str, Any]:
    return {
        "Timestamp": _ts(start),
        "TraceId": trace,
        "SpanId": span_id,
        "ParentSpanId": parent,
        "SpanName": name,
        "SpanKind": "SPAN_KIND_CLIENT" if attrs else "SPAN_KIND_INTERNAL",
        "ServiceName": "ui-test",
        "ResourceAttributes": {"service.name": "ui-test", "agentel.run_id": run},
        "SpanAttributes": {"run": run, **(attrs or {})},
        "Duration": int(ms * 1e6),
        # old rows spell it STATUS_CODE_*, new ones as the exporter does (Unset|Ok|Error): both occur
        "StatusCode": status or ("STATUS_CODE_ERROR" if error else "STATUS_CODE_UNSET"),
    }


def llm(model: str, prompt: str, answer: str, tin: int, tout: int, cost: str | None) -> dict[str, str]:
    a = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai" if model.startswith("gpt") else "anthropic",
        "gen_ai.request.model": model,
        "gen_ai.response.model": model,
        "gen_ai.usage.input_tokens": str(tin),
        "gen_ai.usage.output_tokens": str(tout),
        "gen_ai.input.messages": json.dumps(
            [{"role": "user", "parts": [{"type": "text", "content": prompt}]}]
        ),
        "gen_ai.output.messages": json.dumps(
            [{"role": "assistant", "parts": [{"type": "text", "content": answer}]}]
        ),
        "gen_ai.system_instructions": json.dumps([{"type": "text", "content": "Be brief."}]),
    }
    if not answer:  # nothing captured (an error, or capture off): no output attribute at all
        del a["gen_ai.output.messages"]
    if cost is not None:
        a["agentel.cost.total_usd"] = cost
    return a


def seed(engine: Engine) -> dict[str, Any]:
    """Insert the known data; returns the ids the tests look for."""
    ta, tb = "a" * 32, "b" * 32
    spans = [
        span(ta, "a000000000000001", "", "agent.run", T0, 3000, "run-alpha", status="Ok"),
        span(
            ta,
            "a000000000000002",
            "a000000000000001",
            "chat gpt-4o-mini",
            T0 + timedelta(milliseconds=100),
            900,
            "run-alpha",
            llm("gpt-4o-mini", "What is 2+2?", "4", 12, 1, "0.00002"),
        ),
        span(
            ta,
            "a000000000000003",
            "a000000000000001",
            "chat claude-3-5-haiku",
            T0 + timedelta(milliseconds=1200),
            1500,
            "run-alpha",
            llm("claude-3-5-haiku", XSS, "I will not run scripts", 40, 8, "0.0001"),
        ),
        span(
            tb,
            "b000000000000001",
            "",
            "chat gpt-4o",
            T0 + timedelta(minutes=5),
            2100,
            "run-beta",
            llm("gpt-4o", "Summarise the report", "", 500, 0, None),
            error=True,
        ),
    ]
    for i in range(4):
        spans.append(
            span(
                tb,
                f"b00000000000001{i}",
                "b000000000000001",
                "chat gpt-4o",
                T0 + timedelta(minutes=5, seconds=i + 1),
                400 + i,
                "run-beta",
                llm("gpt-4o", f"question {i}", f"answer {i}", 100, 20, "0.0005"),
            )
        )
    engine.insert("otel_traces", spans)
    checks = [
        {
            "Timestamp": _ts(T0 + timedelta(seconds=5)),
            "TraceId": ta,
            "SpanId": "a000000000000002",
            "ServiceName": "ui-test",
            "EventName": "gen_ai.evaluation.result",
            "LogAttributes": {
                "event.name": "gen_ai.evaluation.result",
                "gen_ai.evaluation.name": "non_empty",
                "gen_ai.evaluation.score.value": "1",
                "gen_ai.evaluation.score.label": "pass",
            },
        },
        {
            "Timestamp": _ts(T0 + timedelta(seconds=5)),
            "TraceId": ta,
            "SpanId": "a000000000000003",
            "ServiceName": "ui-test",
            "EventName": "gen_ai.evaluation.result",
            "LogAttributes": {
                "event.name": "gen_ai.evaluation.result",
                "gen_ai.evaluation.name": "no_refusal",
                "gen_ai.evaluation.score.value": "0",
                "gen_ai.evaluation.score.label": "fail",
                "gen_ai.evaluation.explanation": "answer refuses",
            },
        },
    ]
    engine.insert("otel_logs", checks)
    return {"trace_a": ta, "trace_b": tb, "xss_span": "a000000000000003", "ok_span": "a000000000000002"}


CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def seeded_store(directory: Path) -> dict[str, Any]:
    """Seed a store under ``directory`` and close it, so another process can own it."""
    engine = open_engine(str(directory))
    try:
        apply(engine)
        return seed(engine)
    finally:
        engine.close()


class UIProcess:
    """`agentel ui --port 0` on a data directory, stopped by its pid."""

    def __init__(self, directory: Path, *args: str, env: dict[str, str] | None = None) -> None:
        env = {**{k: v for k, v in os.environ.items() if k != "CLICKHOUSE_URL"}, **(env or {})}
        env["AGENTEL_DIR"] = str(directory)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "agentel.cli", "ui", "--port", "0", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # the command prints its URL once it is listening
        if "http://" not in line:
            self.proc.kill()
            raise AssertionError(
                f"agentel ui did not start: {line!r} {self.proc.stderr.read() if self.proc.stderr else ''}"
            )
        self.url = line.split()[2].rstrip("/")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGINT)  # Ctrl-C: the command closes the store cleanly
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()
