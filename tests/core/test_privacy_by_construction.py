"""The pipeline cannot be built without the redactor, nor silently behind someone else's provider.

Both are process-wide conditions (a module that fails to import, a global provider set once), so
each case runs in its own interpreter.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import agentel
from agentel import sdk
from agentel.config import ConfigError

SECRET = "hunter2-by-construction"
EMAIL = "someone.private@example.com"


def _run(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AGENTEL_"))}
    env["AGENTEL_DIR"] = str(tmp_path / "data")
    env["AGENTEL_RUN_ID"] = "r1"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path
    )


BROKEN_REDACTION = f"""
import sys
sys.modules["agentel.redaction.processors"] = None  # any import of it now raises ImportError
import agentel
try:
    agentel.configure()
except agentel.ConfigError as exc:
    print("CONFIG-ERROR:", exc)
else:
    with agentel.span("work", password={SECRET!r}, contact={EMAIL!r}):
        pass
    agentel.shutdown()
    print("CONFIGURED")
"""


def test_a_redactor_that_cannot_be_imported_is_a_config_error(tmp_path: Path) -> None:
    proc = _run(BROKEN_REDACTION, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "CONFIG-ERROR:" in proc.stdout, proc.stdout + proc.stderr
    assert "redact" in proc.stdout.lower()
    written = "".join(p.read_text() for p in (tmp_path / "data").rglob("*") if p.is_file())
    assert SECRET not in written and EMAIL not in written


def test_a_redactor_that_cannot_be_built_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from agentel.redaction import processors

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("policy exploded")

    monkeypatch.setattr(processors, "wrap_span_processor", broken)
    with pytest.raises(ConfigError, match="redact"):
        agentel.configure(dir=str(tmp_path))
    assert sdk.current_pipeline() is None


OTHER_PROVIDER = """
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
trace.set_tracer_provider(TracerProvider())
import agentel
try:
    agentel.configure()
except agentel.ConfigError as exc:
    print("CONFIG-ERROR:", exc)
else:
    print("CONFIGURED")
"""


def test_another_tracer_provider_already_set_is_a_config_error(tmp_path: Path) -> None:
    proc = _run(OTHER_PROVIDER, tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "CONFIG-ERROR:" in out, out + proc.stderr
    assert "opentelemetry.sdk.trace.TracerProvider" in out  # names the other provider
    assert "set_tracer_provider" in out  # and the fix
