"""Issue 16 item 5: agentel's instrumentors hook openai/anthropic when the application imports them.

Under ``opentelemetry-instrument`` and ``agentel run`` neither SDK is imported at start-up (an app that
never imports anthropic pays nothing for it), and an app that imports openai and anthropic later
still gets every call instrumented.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentel.testing.stubllm import StubLLMServer

APP = """
import sys
print("AT-START", "openai" in sys.modules, "anthropic" in sys.modules, flush=True)
import openai, anthropic
base = sys.argv[1]
oai = openai.OpenAI(base_url=base + "/v1", api_key="x", max_retries=0)
oai.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
for _ in oai.chat.completions.create(
    model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], stream=True,
    stream_options={"include_usage": True},
):
    pass
oai.embeddings.create(model="text-embedding-3-small", input="hi")
ant = anthropic.Anthropic(base_url=base, api_key="x", max_retries=0)
ant.messages.create(model="claude-3-5-haiku-latest", max_tokens=20,
                    messages=[{"role": "user", "content": "hi"}])
"""


def _bin(name: str) -> str:
    return os.path.join(os.path.dirname(sys.executable), name)


def _genai_spans(run_dir: Path) -> list[str]:
    names = []
    for line in (run_dir / "traces.jsonl").read_text().splitlines():
        for rs in json.loads(line)["resourceSpans"]:
            for ss in rs["scopeSpans"]:
                for s in ss["spans"]:
                    keys = {a["key"] for a in s["attributes"]}
                    if "gen_ai.operation.name" in keys:
                        names.append(s["name"])
    return sorted(names)


@pytest.mark.parametrize("wrapper", ["opentelemetry-instrument", "agentel run"])
def test_sdks_are_hooked_on_import_not_at_start_up(tmp_path: Path, wrapper: str) -> None:
    app = tmp_path / "app.py"
    app.write_text(APP)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AGENTEL_"))}
    env |= {"AGENTEL_DIR": str(tmp_path / "data"), "AGENTEL_RUN_ID": "lazy", "AGENTEL_CONSOLE": "off"}
    env |= {"OTEL_PYTHON_DISTRO": "agentel", "OTEL_PYTHON_CONFIGURATOR": "agentel"}
    with StubLLMServer() as srv:
        if wrapper == "agentel run":
            argv = [_bin("agentel"), "run", "--", "python", str(app), srv.base_url]
        else:
            argv = [_bin("opentelemetry-instrument"), sys.executable, str(app), srv.base_url]
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "AT-START False False" in proc.stdout, proc.stdout
    assert _genai_spans(tmp_path / "data" / "lazy") == sorted(
        [
            "chat gpt-4o-mini",
            "chat gpt-4o-mini",
            "embeddings text-embedding-3-small",
            "chat claude-3-5-haiku-latest",
        ]
    )


def test_instrument_before_import_then_uninstrument_patches_nothing() -> None:
    code = """
import sys
from agentel.genai.instrumentors.anthropic import AnthropicInstrumentor
AnthropicInstrumentor().instrument()
assert "anthropic" not in sys.modules
AnthropicInstrumentor().uninstrument()
import anthropic.resources.messages.messages as m
print(type(m.Messages.__dict__["create"]).__name__)
AnthropicInstrumentor().instrument()
print(type(m.Messages.__dict__["create"]).__name__)
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AGENTEL_"))}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["function", "FunctionWrapper"]


def test_agentel_run_execs_the_program_in_its_own_place(tmp_path: Path) -> None:
    """No wrapper interpreter in between: the program has the pid `agentel run` was started with."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AGENTEL_"))}
    env |= {"AGENTEL_DIR": str(tmp_path / "data"), "AGENTEL_CONSOLE": "off"}
    code = "import os, sys; print(os.getpid(), 'opentelemetry.sdk.trace' in sys.modules)"
    proc = subprocess.Popen(
        [_bin("agentel"), "run", "--", "python", "-c", code], env=env, stdout=subprocess.PIPE, text=True
    )
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0
    assert out.split() == [str(proc.pid), "True"]  # same process, and agentel configured it
