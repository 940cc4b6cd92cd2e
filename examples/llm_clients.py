"""Where the examples' LLM clients point: a local stub server, so they run anywhere, offline.

``AGENTEL_STUB_URL`` (set by ``examples/demo.py``) names a running stub; without it each example
starts its own (``agentel.testing.stubllm``: OpenAI/Anthropic-shaped replies, some injected failures).
The clients are the real ``openai`` and ``anthropic`` SDKs — point them at a real endpoint
(``base_url=``, ``api_key=``) and nothing else in the examples changes.

Against the local stub, each request asks for a latency drawn per model (the stub honours an
``x-stub-latency`` header), so the reports have realistic latency spreads to show.
"""

from __future__ import annotations

import atexit
import json
import math
import os
import random
import threading
from collections import Counter
from typing import Any

import anthropic
import openai

from agentel.testing.stubllm import StubLLMServer

# median seconds per model (lognormal spread): small models answer faster
MEDIAN_LATENCY_S = {
    "gpt-4o-mini-2024-07-18": 0.25,
    "gpt-4.1-mini-2025-04-14": 0.35,
    "gpt-4.1-nano-2025-04-14": 0.15,
    "gpt-4o-2024-08-06": 0.6,
    "claude-3-5-haiku-20241022": 0.3,
}


class Clients:
    """An OpenAI and an Anthropic client on the same endpoint, plus a per-model call tally."""

    def __init__(self, latency_scale: float = 1.0, seed: int = 0) -> None:
        url = os.environ.get("AGENTEL_STUB_URL")
        if not url:
            stub = StubLLMServer(
                failure_rate=float(os.environ.get("AGENTEL_STUB_FAILURE_RATE", "0.06")), seed=seed
            )
            stub.start()
            atexit.register(stub.stop)
            url = stub.base_url
        self.base_url = url.rstrip("/")
        self.openai = openai.OpenAI(
            base_url=self.base_url + "/v1", api_key="sk-local-stub", max_retries=0, timeout=30
        )
        self.anthropic = anthropic.Anthropic(
            base_url=self.base_url, api_key="sk-ant-local-stub", max_retries=0, timeout=30
        )
        self.latency_scale = latency_scale
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        #: calls made and calls that failed, per model (the tests compare reports with these)
        self.calls: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()

    def _headers(self, model: str) -> dict[str, str]:
        with self._lock:
            z = self._rng.gauss(0.0, 0.35)
        seconds = MEDIAN_LATENCY_S.get(model, 0.3) * math.exp(z) * self.latency_scale
        return {"x-stub-latency": f"{seconds:.4f}"}

    def chat(self, model: str, messages: list[dict[str, Any]], max_tokens: int = 120) -> tuple[str, Any]:
        """One chat call (OpenAI SDK, or the Anthropic SDK for claude-*); returns (text, usage)."""
        with self._lock:
            self.calls[model] += 1
        try:
            if model.startswith("claude"):
                system = " ".join(m["content"] for m in messages if m["role"] == "system")
                reply = self.anthropic.messages.create(
                    model=model,
                    max_tokens=max_tokens,
                    system=system or anthropic.NOT_GIVEN,
                    messages=[m for m in messages if m["role"] != "system"],  # type: ignore[misc]
                    extra_headers=self._headers(model),
                )
                text = "".join(b.text for b in reply.content if b.type == "text")
                return text, reply.usage
            resp = self.openai.chat.completions.create(
                model=model,
                messages=messages,  # type: ignore[arg-type]
                max_tokens=max_tokens,
                extra_headers=self._headers(model),
            )
            return resp.choices[0].message.content or "", resp.usage
        except Exception:
            with self._lock:
                self.errors[model] += 1
            raise

    def summary(self) -> dict[str, Any]:
        return {"calls": dict(self.calls), "errors": dict(self.errors)}


def write_summary(path: str | None, data: dict[str, Any]) -> None:
    """Write what an example did as JSON (``--summary``), for the demo and the tests."""
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
