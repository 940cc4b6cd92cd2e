"""The CLI tests' store: seeded once per session by running `examples/demo.py --quick`, i.e. the
real main job (stub LLM server, the examples with the real SDKs, load, reports, plots)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_demo import Demo
from click.testing import CliRunner, Result

from agentel.cli import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    base = tmp_path_factory.mktemp("demo")
    directory, summaries = base / "agentel", base / "summaries"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AGENTEL_", "OTEL_")) and k != "CLICKHOUSE_URL"
    }
    env["AGENTEL_RAISE_INTERNAL_ERRORS"] = "1"
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
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"demo failed:\n{proc.stdout}\n{proc.stderr}"
    return Demo(
        directory,
        proc.stdout,
        {p.stem: json.loads(p.read_text()) for p in summaries.glob("*.json")},
    )


@pytest.fixture()
def agentel(demo: Demo, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run ``agentel ARGS`` in-process against the demo's store; returns the click Result."""
    monkeypatch.setenv("AGENTEL_DIR", str(demo.dir))

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        result = CliRunner().invoke(cli, list(args), env=env)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    return run
