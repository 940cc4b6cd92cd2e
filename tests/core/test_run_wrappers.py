"""opentelemetry-instrument picks agentel as distro+configurator; `agentel run` is the short form."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

APP = """
import logging
import agentel
with agentel.context(run="wrapped"):
    with agentel.span("app-work"):
        logging.getLogger("app").warning("inside")
"""


def _bin(name: str) -> str:
    return os.path.join(os.path.dirname(sys.executable), name)


def _read_spans(run_dir: Path) -> list[dict]:
    spans = []
    for line in (run_dir / "traces.jsonl").read_text().splitlines():
        for rs in json.loads(line)["resourceSpans"]:
            for ss in rs["scopeSpans"]:
                spans.extend(ss["spans"])
    return spans


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env["AGENTEL_DIR"] = str(tmp_path / "data")
    env["AGENTEL_RUN_ID"] = "wrapped-run"
    return env


def test_opentelemetry_instrument_uses_agentel(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(APP)
    env = _env(tmp_path) | {"OTEL_PYTHON_DISTRO": "agentel", "OTEL_PYTHON_CONFIGURATOR": "agentel"}
    proc = subprocess.run(
        [_bin("opentelemetry-instrument"), sys.executable, str(app)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    run_dir = tmp_path / "data" / "wrapped-run"
    spans = _read_spans(run_dir)
    work = next(s for s in spans if s["name"] == "app-work")
    assert {"key": "run", "value": {"stringValue": "wrapped"}} in work["attributes"]
    assert "inside" in (run_dir / "logs.jsonl").read_text()


def test_agentel_run_short_form(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(APP)
    env = _env(tmp_path)
    proc = subprocess.run(
        [_bin("agentel"), "run", "--", "python", str(app)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert any(s["name"] == "app-work" for s in _read_spans(tmp_path / "data" / "wrapped-run"))


def test_agentel_run_names_a_bad_setting_and_runs_the_program_without_agentel(tmp_path: Path) -> None:
    env = _env(tmp_path) | {"AGENTEL_SINKS": "fiels"}
    proc = subprocess.run(
        [_bin("agentel"), "run", "--", "python", "-c", "print('ran')"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0
    assert "AGENTEL_SINKS: unknown sink 'fiels'" in proc.stderr and "ran" in proc.stdout
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_program_configure_under_wrapper_does_not_crash(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(
        "import agentel\nagentel.configure(console='off', dir='elsewhere')\nwith agentel.span('still-recorded'):\n    pass\nprint('ok')\n"
    )
    proc = subprocess.run(
        [_bin("agentel"), "run", "--", "python", str(app)],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stderr
    assert "ignored: already configured by the agentel run" in proc.stderr
    assert any(s["name"] == "still-recorded" for s in _read_spans(tmp_path / "data" / "wrapped-run"))
