"""Seeding a store by running the examples, and what they said they did (shared by the analytics tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentel.testing.stubllm import StubLLMServer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = {
    "consortium": ["--prompts", "3", "--latency-scale", "0.05"],
    "evolution": ["--generations", "3", "--population", "4", "--latency-scale", "0.05"],
    "generation_monitor": ["--samples", "6", "--latency-scale", "0.05"],
    "training_loop": ["--epochs", "2", "--steps", "30", "--diverge"],
}


@dataclass
class Seeded:
    dir: Path
    summaries: dict[str, dict[str, Any]]

    def calls(self, *examples: str) -> dict[str, int]:
        """LLM calls per model the given examples (default: all) say they made."""
        out: dict[str, int] = {}
        for name in examples or tuple(self.summaries):
            for model, n in self.summaries[name].get("calls", {}).items():
                out[model] = out.get(model, 0) + n
        return out

    def errors(self, *examples: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for name in examples or tuple(self.summaries):
            for model, n in self.summaries[name].get("errors", {}).items():
                out[model] = out.get(model, 0) + n
        return out


def run_examples(
    directory: Path, failure_rate: float = 0.1, capture_content: bool = True
) -> dict[str, dict[str, Any]]:
    """Run the examples side by side on a stub server; their summaries by name."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AGENTEL_", "OTEL_")) and k != "CLICKHOUSE_URL"
    }
    with StubLLMServer(failure_rate=failure_rate, seed=13) as stub:
        env.update(
            AGENTEL_DIR=str(directory),
            AGENTEL_STUB_URL=stub.base_url,
            AGENTEL_RAISE_INTERNAL_ERRORS="1",
            AGENTEL_CAPTURE_CONTENT="1" if capture_content else "0",
        )
        procs = {}
        for name, args in EXAMPLES.items():
            summary = directory.parent / f"{directory.name}-{name}.json"
            procs[name] = (
                subprocess.Popen(
                    [sys.executable, str(ROOT / "examples" / f"{name}.py"), *args, "--summary", str(summary)],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                ),
                summary,
            )
        out = {}
        for name, (p, summary) in procs.items():
            text, _ = p.communicate(timeout=240)
            assert p.returncode == 0, f"examples/{name}.py failed:\n{text}"
            out[name] = json.loads(summary.read_text())
    return out
