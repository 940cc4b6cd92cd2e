"""The stub LLM server itself: deterministic replies, injected failures and latency, the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from agentel.testing.stubllm import StubLLMServer


def _post(
    url: str, body: dict[str, Any], headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(
        url, json.dumps(body).encode(), {"content-type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello"}]}


def test_replies_depend_only_on_the_seed_and_the_request() -> None:
    with StubLLMServer(seed=3) as a, StubLLMServer(seed=3) as b, StubLLMServer(seed=4) as c:
        ra = _post(a.openai_base_url + "/chat/completions", CHAT)[1]
        rb = _post(b.openai_base_url + "/chat/completions", CHAT)[1]
        rc = _post(c.openai_base_url + "/chat/completions", CHAT)[1]
    text = [r["choices"][0]["message"]["content"] for r in (ra, rb, rc)]
    assert text[0] == text[1] != text[2]
    assert ra["usage"]["total_tokens"] == ra["usage"]["prompt_tokens"] + ra["usage"]["completion_tokens"]


def test_failure_rate_and_forced_errors() -> None:
    with StubLLMServer(failure_rate=1.0, seed=1) as srv:
        codes = {_post(srv.openai_base_url + "/chat/completions", CHAT)[0] for _ in range(12)}
    assert codes <= {429, 500, 503} and len(codes) > 1
    with StubLLMServer() as srv:
        status, body = _post(
            srv.base_url + "/v1/messages", {"model": "x", "messages": []}, {"x-stub-error": "529"}
        )
        assert status == 529 and body["type"] == "error" and body["error"]["type"] == "overloaded_error"
        status, body = _post(srv.openai_base_url + "/chat/completions", {**CHAT, "model": "stub-error-404"})
        assert status == 404 and body["error"]["code"] == "model_not_found"
        assert len(srv.requests) == 2 and srv.requests[-1]["body"]["model"] == "stub-error-404"


def test_latency_is_added_per_response() -> None:
    with StubLLMServer(latency_s=0.2) as srv:
        start = time.perf_counter()
        _post(srv.openai_base_url + "/embeddings", {"model": "text-embedding-3-small", "input": "x"})
        assert time.perf_counter() - start >= 0.2


def test_sse_streams_end_with_done_and_carry_usage_only_when_asked() -> None:
    with StubLLMServer() as srv:
        for include in (False, True):
            body = {**CHAT, "stream": True, "stream_options": {"include_usage": include}}
            req = urllib.request.Request(
                srv.openai_base_url + "/chat/completions",
                json.dumps(body).encode(),
                {"content-type": "application/json"},
            )
            with urllib.request.urlopen(req, timeout=10) as resp:
                lines = [ln for ln in resp.read().decode().splitlines() if ln.startswith("data: ")]
            assert lines[-1] == "data: [DONE]"
            chunks = [json.loads(ln[6:]) for ln in lines[:-1]]
            assert any(c.get("usage") for c in chunks) is include


def test_the_command_line_serves_until_stopped() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "agentel.testing.stubllm", "--port", "0", "--seed", "5"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = line.split()[4]
        assert url.startswith("http://127.0.0.1:")
        status, body = _post(
            url + "/v1/messages",
            {"model": "claude-haiku-4-5", "max_tokens": 20, "messages": [{"role": "user", "content": "hi"}]},
        )
        assert status == 200 and body["type"] == "message" and body["usage"]["output_tokens"] > 0
    finally:
        os.kill(proc.pid, signal.SIGINT)
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()
    assert proc.returncode == 0


@pytest.mark.parametrize("path", ["/v1/unknown", "/v2/chat/completions"])
def test_unknown_routes_are_404(path: str) -> None:
    with StubLLMServer() as srv:
        assert _post(srv.base_url + path, CHAT)[0] == 404
