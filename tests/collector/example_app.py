"""An instrumented example application for the collector tests: real openai and anthropic SDK
clients (pointed at agentel's stub LLM server), no telemetry code of its own. Run it under
`agentel run -- python example_app.py`; with OTEL_EXPORTER_OTLP_ENDPOINT set, its calls go to the
collector. Prints the usage each call reported, one JSON line per call, for the test to compare."""

from __future__ import annotations

import json
import os

import anthropic
import openai

import agentel

base = os.environ["STUB_LLM_URL"]
oai = openai.OpenAI(base_url=base + "/v1", api_key="sk-test", max_retries=0, timeout=10)
ant = anthropic.Anthropic(base_url=base, api_key="sk-ant-test", max_retries=0, timeout=10)

with agentel.context(run="example-app", task="qa"):
    for i in range(3):
        r = oai.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": f"question number {i}"}]
        )
        print(
            json.dumps(
                {"model": r.model, "input": r.usage.prompt_tokens, "output": r.usage.completion_tokens}
            )
        )
    m = ant.messages.create(
        model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": "one more question"}]
    )
    print(json.dumps({"model": m.model, "input": m.usage.input_tokens, "output": m.usage.output_tokens}))
