"""A bad setting is one clear line naming the variable — never a traceback, never a credential —
and under the run wrappers the program still runs, without agentel (issue 12 items 4 and 11)."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import agentel
from agentel.config import ConfigError, Settings

PASSWORD = "s3cretPW-never-printed"
BAD_URLS = (
    f"http://user:{PASSWORD}@host:99999/db",  # bad port
    f"ftp://user:{PASSWORD}@host/db",  # bad scheme
    f"http://user:{PASSWORD}@:8123/db",  # no host
    f"http://user:{PASSWORD}@host:8123/bad-db",  # bad database name
    f"http://user:{PASSWORD}@host:8123/db?password={PASSWORD}",  # also as a query parameter
)


def _bin(name: str) -> str:
    return os.path.join(os.path.dirname(sys.executable), name)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AGENTEL_", "CLICKHOUSE_"))}
    env["AGENTEL_DIR"] = str(tmp_path / "data")
    return env | extra


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


APP = """
import agentel
agentel.configure()
with agentel.span("work"):
    pass
print("app ran")
"""


def test_configure_with_a_malformed_variable_is_one_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "import agentel\nagentel.configure()\nprint('not reached')"],
        env=_env(tmp_path, AGENTEL_METRICS_INTERVAL_S="abc"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "not reached" not in proc.stdout
    lines = _lines(proc.stderr)
    assert len(lines) == 1, proc.stderr
    assert "AGENTEL_METRICS_INTERVAL_S" in lines[0] and "'abc'" in lines[0]


@pytest.mark.parametrize("wrapper", ["opentelemetry-instrument", "agentel-run"])
def test_a_bad_setting_under_a_wrapper_runs_the_program_uninstrumented(tmp_path: Path, wrapper: str) -> None:
    app = tmp_path / "app.py"
    app.write_text(APP)
    env = _env(tmp_path, AGENTEL_METRICS_INTERVAL_S="abc")
    if wrapper == "agentel-run":
        argv = [_bin("agentel"), "run", sys.executable, str(app)]
    else:
        env |= {"OTEL_PYTHON_DISTRO": "agentel", "OTEL_PYTHON_CONFIGURATOR": "agentel"}
        argv = [_bin("opentelemetry-instrument"), sys.executable, str(app)]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "app ran" in proc.stdout
    lines = _lines(proc.stderr)
    assert len(lines) == 1, proc.stderr
    assert "AGENTEL_METRICS_INTERVAL_S" in lines[0] and "without agentel" in lines[0]
    assert not (tmp_path / "data").exists() or not list((tmp_path / "data").rglob("traces.jsonl"))


@pytest.mark.parametrize("raw", ["nan", "NaN", "inf", "-inf", "infinity"])
def test_non_finite_numbers_are_rejected(raw: str) -> None:
    for var in ("AGENTEL_METRICS_INTERVAL_S", "AGENTEL_ALERT_WINDOW_S", "OTEL_TRACES_SAMPLER_ARG"):
        with pytest.raises(ConfigError, match=var):
            Settings.load(env={var: raw})


def test_non_finite_arguments_are_rejected() -> None:
    for value in (math.nan, math.inf):
        with pytest.raises(ConfigError, match="metrics_interval_s"):
            agentel.configure(metrics_interval_s=value)


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_malformed_clickhouse_url_never_prints_its_password(url: str, tmp_path: Path) -> None:
    try:
        Settings.load(env={"CLICKHOUSE_URL": url})
    except ConfigError as exc:
        assert PASSWORD not in str(exc) and "CLICKHOUSE_URL" in str(exc)
    from agentel.cli import cli

    runner = CliRunner()
    for args in (["doctor"], ["runs"]):
        result = runner.invoke(cli, args, env={"CLICKHOUSE_URL": url, "AGENTEL_DIR": str(tmp_path)})
        assert PASSWORD not in result.output, (args, result.output)
        assert PASSWORD not in repr(result.exception), (args, result.exception)
    proc = subprocess.run(
        [sys.executable, "-c", "import agentel\nagentel.configure()"],
        env=_env(tmp_path, CLICKHOUSE_URL=url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert PASSWORD not in proc.stdout + proc.stderr


def test_agentel_run_never_prints_the_clickhouse_password(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text("print('app ran')\n")
    proc = subprocess.run(
        [_bin("agentel"), "run", sys.executable, str(app)],
        env=_env(tmp_path, CLICKHOUSE_URL=BAD_URLS[0]),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert PASSWORD not in proc.stdout + proc.stderr
    assert "app ran" in proc.stdout
