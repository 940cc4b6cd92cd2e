"""What the test suites share: the example data seed, the CLI in-process, a clean environment for
child processes, and waiting on a condition with a deadline.

The example data is made ONCE per session (the ``example_data`` fixture in tests/conftest.py) by
running ``examples/demo.py --quick``: the real main job (stub LLM server, the four examples with
the real SDKs, ``agentel load``, the reports and plots). The analytics and CLI suites read it;
tests that use it are marked ``slow`` (not in ``make test-fast``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


@dataclass
class ExampleData:
    """The seeded store's folder, the demo's output, and what each example says it did."""

    dir: Path
    output: str
    summaries: dict[str, dict[str, Any]]

    def calls(self, *examples: str) -> dict[str, int]:
        """LLM calls per model the given examples (default: all) say they made."""
        return self._per_model("calls", examples)

    def errors(self, *examples: str) -> dict[str, int]:
        """Failed LLM calls per model the given examples (default: all) say they saw."""
        return self._per_model("errors", examples)

    def _per_model(self, key: str, examples: tuple[str, ...]) -> dict[str, int]:
        out: dict[str, int] = {}
        for name in examples or tuple(self.summaries):
            for model, n in self.summaries[name].get(key, {}).items():
                out[model] = out.get(model, 0) + n
        return out


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a child process: no AGENTEL_*/OTEL_*/CLICKHOUSE_URL from the test run."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AGENTEL_", "OTEL_")) and k != "CLICKHOUSE_URL"
    }
    env["AGENTEL_RAISE_INTERNAL_ERRORS"] = "1"
    env.update(extra)
    return env


def run_demo(base: Path) -> ExampleData:
    """Run ``examples/demo.py --quick`` into ``base/agentel``; fails with its output if it fails."""
    directory, summaries = base / "agentel", base / "summaries"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "demo.py"),
            "--quick",
            "--dir",
            str(directory),
            "--summaries",
            str(summaries),
        ],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"examples/demo.py failed:\n{proc.stdout}\n{proc.stderr}"
    return ExampleData(
        directory,
        proc.stdout,
        {p.stem: json.loads(p.read_text()) for p in summaries.glob("*.json")},
    )


def invoke_cli(*args: str, env: Mapping[str, str] | None = None) -> Any:
    """``agentel ARGS`` in-process; the click Result. Exceptions other than an exit are raised."""
    from click.testing import CliRunner

    from agentel.cli import cli

    result = CliRunner().invoke(cli, list(args), env=dict(env) if env else None)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def wait_for(
    fn: Callable[[], T | None], timeout: float = 10.0, what: str = "condition", interval: float = 0.05
) -> T:
    """Poll ``fn`` until it returns something truthy (returned); fail after ``timeout`` s naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)
