"""A local stand-in for the OpenAI and Anthropic HTTP APIs, for tests, demos and benchmarks.

    with StubLLMServer(latency_s=0.05, failure_rate=0.1, seed=7) as srv:
        openai.OpenAI(base_url=srv.base_url + "/v1", api_key="x")
        anthropic.Anthropic(base_url=srv.base_url, api_key="x")

or ``python -m agentel.testing.stubllm --port 8080``. It listens on 127.0.0.1 (port 0 = OS-chosen) and
answers, with bodies shaped like the real APIs':

- ``POST /v1/chat/completions`` — JSON, or SSE with ``stream=true`` (a final usage chunk only when
  ``stream_options.include_usage``), tool calls when ``tools`` are given;
- ``POST /v1/responses`` — JSON or SSE events, function calls when ``tools`` are given;
- ``POST /v1/embeddings`` — float or base64 vectors;
- ``POST /v1/messages`` — Anthropic Messages, JSON or SSE, ``tool_use``, prompt caching
  (``cache_control``: a write the first time, a read afterwards).

Replies are deterministic: the text depends only on ``seed`` and the request body. Failures:
``failure_rate`` (random 429/500/503, from ``seed``), or per request a model named
``stub-error-<status>``, ``stub-timeout`` (hangs until the client gives up), ``stub-cut-stream``
(the connection drops mid-stream), or the headers ``x-stub-error: <status>`` and
``x-stub-latency: <seconds>``. ``latency_s`` delays every response, ``chunk_delay_s`` every
streamed chunk.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import math
import random
import struct
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["StubLLMServer", "main"]

_WORDS = [
    "the",
    "model",
    "answers",
    "with",
    "a",
    "short",
    "and",
    "plausible",
    "reply",
    "about",
    "data",
    "pipelines",
    "traces",
    "metrics",
    "logs",
    "latency",
    "tokens",
    "cost",
    "cache",
    "evaluation",
    "score",
    "agent",
    "tool",
    "search",
    "result",
    "summary",
    "context",
    "window",
    "request",
    "response",
    "stream",
    "chunk",
    "batch",
    "retry",
    "error",
    "budget",
    "span",
    "event",
    "signal",
    "sample",
    "window",
    "query",
    "table",
    "view",
    "index",
    "partition",
    "merge",
    "sort",
    "filter",
    "group",
    "join",
    "select",
    "count",
    "average",
    "median",
]
_ERROR_TYPES = {
    400: ("invalid_request_error", "invalid_request_error"),
    401: ("invalid_api_key", "authentication_error"),
    403: ("permission_denied", "permission_error"),
    404: ("model_not_found", "not_found_error"),
    408: ("timeout", "timeout_error"),
    422: ("invalid_request_error", "invalid_request_error"),
    429: ("rate_limit_exceeded", "rate_limit_error"),
    500: ("server_error", "api_error"),
    502: ("bad_gateway", "api_error"),
    503: ("service_unavailable", "overloaded_error"),
    529: ("overloaded", "overloaded_error"),
}


def _tokens(text: str) -> int:
    return max(1, math.ceil(len(text) / 4)) if text else 0


def _text_of(value: Any) -> str:
    """All the text in a message content / input structure (for token counts)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return " ".join(_text_of(v) for v in value)
    if isinstance(value, dict):
        return " ".join(
            _text_of(value.get(k)) for k in ("text", "content", "input", "output", "arguments") if k in value
        )
    return str(value)


class _Reply:
    """What to send: a JSON body, or SSE events (name, data) with an optional mid-stream cut."""

    def __init__(
        self, status: int = 200, body: Any = None, events: list[tuple[str | None, Any]] | None = None
    ):
        self.status = status
        self.body = body
        self.events = events
        self.cut_after: int | None = None
        self.headers: dict[str, str] = {}


class StubLLMServer:
    """A threaded HTTP server speaking enough of the OpenAI and Anthropic APIs for real SDKs."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency_s: float = 0.0,
        chunk_delay_s: float = 0.0,
        failure_rate: float = 0.0,
        seed: int = 0,
        hang_s: float = 60.0,
    ) -> None:
        self.host = host
        self.port = port
        self.latency_s = latency_s
        self.chunk_delay_s = chunk_delay_s
        self.failure_rate = failure_rate
        self.seed = seed
        self.hang_s = hang_s
        #: the last requests received: dicts with path, body (parsed JSON) and headers
        self.requests: deque[dict[str, Any]] = deque(maxlen=1000)
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._seen_prefixes: set[str] = set()
        self._ids = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (OpenAI clients add ``/v1``; Anthropic clients use it as is)."""
        return f"http://{self.host}:{self.port}"

    @property
    def openai_base_url(self) -> str:
        return self.base_url + "/v1"

    def start(self) -> StubLLMServer:
        stub = self

        class Handler(_Handler):
            server_stub = stub

        self._server = _Server((self.host, self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="stubllm", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> StubLLMServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # --- helpers --------------------------------------------------------------------------

    def _next_id(self, prefix: str) -> str:
        with self._lock:
            self._ids += 1
            n = self._ids
        return f"{prefix}{hashlib.sha1(f'{self.seed}:{n}'.encode()).hexdigest()[:24]}"

    def _random_failure(self) -> int | None:
        if self.failure_rate <= 0:
            return None
        with self._lock:
            if self._rng.random() >= self.failure_rate:
                return None
            return self._rng.choice((429, 500, 503))

    def _first_time(self, key: str) -> bool:
        with self._lock:
            if key in self._seen_prefixes:
                return False
            self._seen_prefixes.add(key)
            return True

    def _content_id(self, prefix: str, body: dict[str, Any]) -> str:
        """An id that depends only on the seed and the request (tool call ids: replayable)."""
        digest = hashlib.sha256(
            f"{self.seed}:{prefix}:{json.dumps(body, sort_keys=True, default=str)}".encode()
        )
        return prefix + digest.hexdigest()[:24]

    def _words(self, body: dict[str, Any], limit: int | None) -> list[str]:
        text = json.dumps(body, sort_keys=True, default=str)
        digest = hashlib.sha256(text.encode()).hexdigest()
        rng = random.Random(f"{self.seed}:{digest}")
        n = rng.randint(8, 40)
        if limit:
            n = max(1, min(n, int(limit)))
        words = [rng.choice(_WORDS) for _ in range(n)]
        words[0] = words[0].capitalize()
        if "Traceback (most recent call last)" in text:  # a prompt with an error: the answer reads it
            words = ["The", "traceback", "points", "at", *words][: max(n, 4)]
        return words

    @staticmethod
    def _tool_args(schema: Any, words: list[str]) -> dict[str, Any]:
        props = (schema or {}).get("properties") or {"query": {"type": "string"}}
        out: dict[str, Any] = {}
        for i, (name, spec) in enumerate(props.items()):
            kind = (spec or {}).get("type", "string")
            out[name] = {"integer": i + 3, "number": 0.5 + i, "boolean": True}.get(
                kind, words[i % len(words)]
            )
        return out


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], OSError):
            return  # a client that went away (early stream exit, timeout): nothing to report
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server_stub: StubLLMServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    def do_GET(self) -> None:  # noqa: N802
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            self._json(
                200,
                {"object": "list", "data": [{"id": "gpt-4o-mini", "object": "model", "owned_by": "stub"}]},
            )
        else:
            self._json(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})

    def do_POST(self) -> None:  # noqa: N802
        stub = self.server_stub
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._error(400, "request body is not JSON", anthropic=self.path.endswith("/messages"))
            return
        stub.requests.append({"path": self.path, "body": body, "headers": dict(self.headers)})
        anthropic = self.path.rstrip("/").endswith("/messages")
        delay = float(self.headers.get("x-stub-latency") or stub.latency_s)
        if delay > 0 and stub._stopping.wait(delay):
            return
        model = str(body.get("model", ""))
        forced = self.headers.get("x-stub-error")
        status = int(forced) if forced else None
        if status is None and model.startswith("stub-error-"):
            status = int(model.rsplit("-", 1)[1])
        if status is None and model == "stub-timeout":
            stub._stopping.wait(stub.hang_s)
            self.close_connection = True
            return
        if status is None:
            status = stub._random_failure()
        if status is not None:
            self._error(status, f"stub failure {status} (injected)", anthropic)
            return
        path = self.path.split("?")[0].rstrip("/")
        route = {
            "/v1/chat/completions": _chat,
            "/v1/responses": _responses,
            "/v1/embeddings": _embeddings,
            "/v1/messages": _messages,
        }.get(path)
        if route is None:
            self._error(404, f"no route {self.path}", anthropic)
            return
        reply = route(stub, body)
        if model == "stub-cut-stream" and reply.events:
            reply.cut_after = 3
        if reply.events is not None:
            self._sse(reply)
        else:
            self._json(reply.status, reply.body, reply.headers)

    # --- writing --------------------------------------------------------------------------

    def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("x-request-id", self.server_stub._next_id("req_"))
        self.send_header("request-id", self.server_stub._next_id("req_"))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(data)
        except OSError:
            pass

    def _error(self, status: int, message: str, anthropic: bool) -> None:
        code, kind = _ERROR_TYPES.get(status, ("error", "api_error"))
        if anthropic:
            body: Any = {"type": "error", "error": {"type": kind, "message": message}}
        else:
            body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
        headers = {"retry-after": "0"} if status in (429, 503, 529) else {}
        self._json(status, body, headers)

    def _sse(self, reply: _Reply) -> None:
        stub = self.server_stub
        self.send_response(200)
        self.send_header("content-type", "text/event-stream; charset=utf-8")
        self.send_header("cache-control", "no-cache")
        self.send_header("transfer-encoding", "chunked")
        self.send_header("x-request-id", stub._next_id("req_"))
        self.send_header("request-id", stub._next_id("req_"))
        self.end_headers()
        try:
            for n, (name, data) in enumerate(reply.events or ()):
                if reply.cut_after is not None and n >= reply.cut_after:
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                text = data if isinstance(data, str) else json.dumps(data)
                frame = (f"event: {name}\n" if name else "") + f"data: {text}\n\n"
                chunk = frame.encode()
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.flush()
                if stub.chunk_delay_s > 0 and stub._stopping.wait(stub.chunk_delay_s):
                    return
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            self.close_connection = True


# --- OpenAI chat completions -------------------------------------------------------------------


def _openai_prompt_tokens(stub: StubLLMServer, messages: list[Any]) -> tuple[int, int]:
    """(prompt tokens, cached tokens): like OpenAI, a prefix of ≥1024 tokens seen before is cached."""
    total = sum(_tokens(_text_of(m.get("content"))) + 3 for m in messages if isinstance(m, dict)) + 3
    prefix = messages[:-1]
    prefix_tokens = sum(_tokens(_text_of(m.get("content"))) + 3 for m in prefix if isinstance(m, dict))
    cached = 0
    if total >= 1024 and prefix_tokens >= 1024:
        key = "oa:" + hashlib.sha256(json.dumps(prefix, sort_keys=True, default=str).encode()).hexdigest()
        if not stub._first_time(key):
            cached = prefix_tokens // 128 * 128
    return total, cached


def _chat(stub: StubLLMServer, body: dict[str, Any]) -> _Reply:
    messages = body.get("messages") or []
    model = body.get("model") or "gpt-4o-mini"
    resp_model = (
        model if any(ch.isdigit() for ch in model[-10:]) and "-20" in model else f"{model}-2024-07-18"
    )
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    words = stub._words(body, limit)
    prompt, cached = _openai_prompt_tokens(stub, messages)
    tools = body.get("tools") or []
    last_role = messages[-1].get("role") if messages and isinstance(messages[-1], dict) else "user"
    tool_call: dict[str, Any] | None = None
    if tools and body.get("tool_choice") != "none" and last_role != "tool":
        fn = tools[0].get("function", {})
        args = json.dumps(stub._tool_args(fn.get("parameters"), words))
        tool_call = {
            "id": stub._content_id("call_", body),
            "type": "function",
            "function": {"name": fn.get("name"), "arguments": args},
        }
    n = int(body.get("n") or 1)
    text = " ".join(words) + "."
    finish = "tool_calls" if tool_call else ("length" if limit and len(words) >= int(limit) else "stop")
    completion = len(tool_call["function"]["arguments"]) // 4 + 5 if tool_call else len(words) + 1
    usage = {
        "prompt_tokens": prompt,
        "completion_tokens": completion * n,
        "total_tokens": prompt + completion * n,
        "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }
    cid, created = stub._next_id("chatcmpl-"), int(time.time())
    common = {
        "id": cid,
        "created": created,
        "model": resp_model,
        "system_fingerprint": "fp_stub0001",
        "service_tier": "default",
    }
    if not body.get("stream"):
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None if tool_call else text,
            "refusal": None,
            "annotations": [],
        }
        if tool_call:
            message["tool_calls"] = [tool_call]
        choices = [
            {"index": i, "message": message, "logprobs": None, "finish_reason": finish} for i in range(n)
        ]
        return _Reply(body={**common, "object": "chat.completion", "choices": choices, "usage": usage})
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

    def chunk(i: int, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        c: dict[str, Any] = {
            **common,
            "object": "chat.completion.chunk",
            "choices": [{"index": i, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
        }
        if include_usage:
            c["usage"] = None
        return c

    events: list[tuple[str | None, Any]] = []
    for i in range(n):
        events.append(
            (None, chunk(i, {"role": "assistant", "content": "" if not tool_call else None, "refusal": None}))
        )
        if tool_call:
            args = tool_call["function"]["arguments"]
            head = {
                "index": 0,
                "id": tool_call["id"],
                "type": "function",
                "function": {"name": tool_call["function"]["name"], "arguments": ""},
            }
            events.append((None, chunk(i, {"tool_calls": [head]})))
            for k in range(0, len(args), 8):
                events.append(
                    (
                        None,
                        chunk(i, {"tool_calls": [{"index": 0, "function": {"arguments": args[k : k + 8]}}]}),
                    )
                )
        else:
            for k, word in enumerate(words):
                events.append((None, chunk(i, {"content": ("" if k == 0 else " ") + word})))
            events.append((None, chunk(i, {"content": "."})))
        events.append((None, chunk(i, {}, finish)))
    if include_usage:
        events.append((None, {**common, "object": "chat.completion.chunk", "choices": [], "usage": usage}))
    events.append((None, "[DONE]"))
    return _Reply(events=events)


# --- OpenAI responses --------------------------------------------------------------------------


def _responses(stub: StubLLMServer, body: dict[str, Any]) -> _Reply:
    model = body.get("model") or "gpt-4o-mini"
    words = stub._words(body, body.get("max_output_tokens"))
    text = " ".join(words) + "."
    prompt = _tokens(_text_of(body.get("input"))) + _tokens(body.get("instructions") or "") + 3
    tools = [t for t in body.get("tools") or [] if t.get("type") == "function"]
    raw_items = body.get("input")
    items: list[Any] = raw_items if isinstance(raw_items, list) else []
    answered = any(isinstance(i, dict) and i.get("type") == "function_call_output" for i in items)
    rid = stub._next_id("resp_")
    if tools and not answered:
        args = json.dumps(stub._tool_args(tools[0].get("parameters"), words))
        output: list[dict[str, Any]] = [
            {
                "type": "function_call",
                "id": stub._content_id("fc_", body),
                "call_id": stub._content_id("call_", body),
                "name": tools[0].get("name"),
                "arguments": args,
                "status": "completed",
            }
        ]
        completion = len(args) // 4 + 5
    else:
        output = [
            {
                "type": "message",
                "id": stub._next_id("msg_"),
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}],
            }
        ]
        completion = len(words) + 1
    usage = {
        "input_tokens": prompt,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": completion,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": prompt + completion,
    }
    response: dict[str, Any] = {
        "id": rid,
        "object": "response",
        "created_at": int(time.time()),
        "status": "completed",
        "error": None,
        "incomplete_details": None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "model": f"{model}-2024-07-18" if "-20" not in model else model,
        "output": output,
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "reasoning": {"effort": None, "summary": None},
        "service_tier": "default",
        "store": True,
        "temperature": body.get("temperature", 1.0),
        "text": {"format": {"type": "text"}},
        "tool_choice": "auto",
        "tools": body.get("tools") or [],
        "top_p": body.get("top_p", 1.0),
        "truncation": "disabled",
        "usage": usage,
        "user": None,
        "metadata": {},
    }
    if not body.get("stream"):
        return _Reply(body=response)
    seq = iter(range(1_000_000))
    start = {**response, "status": "in_progress", "output": [], "usage": None}
    events: list[tuple[str | None, Any]] = [
        ("response.created", {"type": "response.created", "response": start, "sequence_number": next(seq)}),
        (
            "response.in_progress",
            {"type": "response.in_progress", "response": start, "sequence_number": next(seq)},
        ),
    ]
    item = output[0]
    if item["type"] == "message":
        events.append(
            (
                "response.output_item.added",
                {
                    "type": "response.output_item.added",
                    "output_index": 0,
                    "item": {**item, "status": "in_progress", "content": []},
                    "sequence_number": next(seq),
                },
            )
        )
        part = {"type": "output_text", "text": "", "annotations": []}
        events.append(
            (
                "response.content_part.added",
                {
                    "type": "response.content_part.added",
                    "item_id": item["id"],
                    "output_index": 0,
                    "content_index": 0,
                    "part": part,
                    "sequence_number": next(seq),
                },
            )
        )
        for k, word in enumerate([*words, "."]):
            delta = word if k == 0 or word == "." else " " + word
            events.append(
                (
                    "response.output_text.delta",
                    {
                        "type": "response.output_text.delta",
                        "item_id": item["id"],
                        "output_index": 0,
                        "content_index": 0,
                        "delta": delta,
                        "logprobs": [],
                        "sequence_number": next(seq),
                    },
                )
            )
        events.append(
            (
                "response.output_text.done",
                {
                    "type": "response.output_text.done",
                    "item_id": item["id"],
                    "output_index": 0,
                    "content_index": 0,
                    "text": text,
                    "logprobs": [],
                    "sequence_number": next(seq),
                },
            )
        )
    else:
        events.append(
            (
                "response.output_item.added",
                {
                    "type": "response.output_item.added",
                    "output_index": 0,
                    "item": {**item, "arguments": "", "status": "in_progress"},
                    "sequence_number": next(seq),
                },
            )
        )
        events.append(
            (
                "response.function_call_arguments.delta",
                {
                    "type": "response.function_call_arguments.delta",
                    "item_id": item["id"],
                    "output_index": 0,
                    "delta": item["arguments"],
                    "sequence_number": next(seq),
                },
            )
        )
    events.append(
        (
            "response.output_item.done",
            {
                "type": "response.output_item.done",
                "output_index": 0,
                "item": item,
                "sequence_number": next(seq),
            },
        )
    )
    events.append(
        (
            "response.completed",
            {"type": "response.completed", "response": response, "sequence_number": next(seq)},
        )
    )
    return _Reply(events=events)


# --- OpenAI embeddings -------------------------------------------------------------------------


def _embeddings(stub: StubLLMServer, body: dict[str, Any]) -> _Reply:
    inputs = body.get("input")
    items = inputs if isinstance(inputs, list) and not (inputs and isinstance(inputs[0], int)) else [inputs]
    dims = int(body.get("dimensions") or 8)
    data = []
    for i, text in enumerate(items):
        rng = random.Random(f"{stub.seed}:{text}")
        vec = [round(rng.uniform(-1, 1), 6) for _ in range(dims)]
        value: Any = vec
        if body.get("encoding_format") == "base64":
            value = base64.b64encode(struct.pack(f"<{dims}f", *vec)).decode()
        data.append({"object": "embedding", "index": i, "embedding": value})
    tokens = sum(_tokens(_text_of(t)) for t in items)
    return _Reply(
        body={
            "object": "list",
            "data": data,
            "model": body.get("model") or "text-embedding-3-small",
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
    )


# --- Anthropic messages ------------------------------------------------------------------------


def _anthropic_usage(stub: StubLLMServer, body: dict[str, Any]) -> dict[str, Any]:
    """Input tokens split like Anthropic's: uncached, cache write (first time), cache read (after)."""
    blocks: list[Any] = []
    system = body.get("system")
    if isinstance(system, list):
        blocks.extend(system)
    elif system:
        blocks.append({"type": "text", "text": system})
    for m in body.get("messages") or []:
        c = m.get("content") if isinstance(m, dict) else None
        blocks.extend(c if isinstance(c, list) else [{"type": "text", "text": c or ""}])
    total = sum(_tokens(_text_of(b)) for b in blocks) + 3 * len(body.get("messages") or []) + 4
    marks = [i for i, b in enumerate(blocks) if isinstance(b, dict) and b.get("cache_control")]
    write = read = write_1h = 0
    if marks:
        prefix = blocks[: marks[-1] + 1]
        prefix_tokens = sum(_tokens(_text_of(b)) for b in prefix)
        key = "an:" + hashlib.sha256(json.dumps(prefix, sort_keys=True, default=str).encode()).hexdigest()
        if stub._first_time(key):
            write = prefix_tokens
            if (blocks[marks[-1]].get("cache_control") or {}).get("ttl") == "1h":
                write_1h = write
        else:
            read = prefix_tokens
    return {
        "input_tokens": max(total - write - read, 1),
        "cache_creation_input_tokens": write,
        "cache_read_input_tokens": read,
        "cache_creation": {
            "ephemeral_5m_input_tokens": write - write_1h,
            "ephemeral_1h_input_tokens": write_1h,
        },
        "output_tokens": 0,
        "service_tier": "standard",
    }


def _messages(stub: StubLLMServer, body: dict[str, Any]) -> _Reply:
    model = body.get("model") or "claude-sonnet-4-6"
    words = stub._words(body, body.get("max_tokens"))
    usage = _anthropic_usage(stub, body)
    tools = body.get("tools") or []
    messages = body.get("messages") or []
    last = messages[-1].get("content") if messages and isinstance(messages[-1], dict) else None
    answered = isinstance(last, list) and any(
        isinstance(b, dict) and b.get("type") == "tool_result" for b in last
    )
    text = " ".join(words) + "."
    content: list[dict[str, Any]] = []
    if tools and not answered and (body.get("tool_choice") or {}).get("type") != "none":
        content.append({"type": "text", "text": "Let me look that up."})
        content.append(
            {
                "type": "tool_use",
                "id": stub._content_id("toolu_", body),
                "name": tools[0].get("name"),
                "input": stub._tool_args(tools[0].get("input_schema"), words),
            }
        )
        stop = "tool_use"
        usage["output_tokens"] = len(json.dumps(content[1]["input"])) // 4 + 12
    else:
        content.append({"type": "text", "text": text})
        limit = body.get("max_tokens")
        stop = "max_tokens" if limit and len(words) >= int(limit) else "end_turn"
        usage["output_tokens"] = len(words) + 1
    message = {
        "id": stub._next_id("msg_"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": usage,
    }
    if not body.get("stream"):
        return _Reply(body=message)
    start_usage = {**usage, "output_tokens": 1}
    events: list[tuple[str | None, Any]] = [
        (
            "message_start",
            {
                "type": "message_start",
                "message": {**message, "content": [], "stop_reason": None, "usage": start_usage},
            },
        ),
        ("ping", {"type": "ping"}),
    ]
    for idx, block in enumerate(content):
        if block["type"] == "text":
            events.append(
                (
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": idx,
                        "content_block": {"type": "text", "text": ""},
                    },
                )
            )
            pieces = block["text"].split(" ")
            for k, piece in enumerate(pieces):
                events.append(
                    (
                        "content_block_delta",
                        {
                            "type": "content_block_delta",
                            "index": idx,
                            "delta": {"type": "text_delta", "text": piece if k == 0 else " " + piece},
                        },
                    )
                )
        else:
            events.append(
                (
                    "content_block_start",
                    {"type": "content_block_start", "index": idx, "content_block": {**block, "input": {}}},
                )
            )
            raw = json.dumps(block["input"])
            for k in range(0, len(raw), 10):
                events.append(
                    (
                        "content_block_delta",
                        {
                            "type": "content_block_delta",
                            "index": idx,
                            "delta": {"type": "input_json_delta", "partial_json": raw[k : k + 10]},
                        },
                    )
                )
        events.append(("content_block_stop", {"type": "content_block_stop", "index": idx}))
    events.append(
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop, "stop_sequence": None},
                "usage": {"output_tokens": usage["output_tokens"]},
            },
        )
    )
    events.append(("message_stop", {"type": "message_stop"}))
    return _Reply(events=events)


# --- command line ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """``python -m agentel.testing.stubllm --port 8080``: serve until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m agentel.testing.stubllm", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = OS-chosen (printed)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before every response")
    parser.add_argument("--chunk-delay", type=float, default=0.0, help="seconds between streamed chunks")
    parser.add_argument(
        "--failure-rate", type=float, default=0.0, help="share of requests failing with 429/500/503"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    srv = StubLLMServer(
        host=args.host,
        port=args.port,
        latency_s=args.latency,
        chunk_delay_s=args.chunk_delay,
        failure_rate=args.failure_rate,
        seed=args.seed,
    ).start()
    print(
        f"stub LLM server on {srv.base_url} (OpenAI: {srv.openai_base_url}, Anthropic: {srv.base_url})",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
