"""A run id names a folder under AGENTEL_DIR: it is validated (one clear error naming
AGENTEL_RUN_ID and the allowed characters, never quoting the value), and the crash hook — which
runs when configuration may be what failed — never writes outside AGENTEL_DIR nor names a folder
after a personal value."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agentel.config import ConfigError, Settings
from agentel.redaction import crash

BAD_IDS = ["..", ".", "../../..", "../escape", "/tmp/abs", "a/b", "alice@example.com", "x" * 200, "a\nb"]


@pytest.mark.parametrize("run_id", BAD_IDS)
def test_bad_run_ids_are_one_clear_error(run_id: str) -> None:
    with pytest.raises(ConfigError) as err:
        Settings.load(env={"AGENTEL_RUN_ID": run_id})
    msg = str(err.value)
    assert msg.startswith("AGENTEL_RUN_ID:") and "letters, digits" in msg
    assert "\n" not in msg
    if "@" in run_id:
        assert run_id not in msg


@pytest.mark.parametrize("run_id", ["run-1", "2026-01-01_a.b", "R" * 128])
def test_good_run_ids_pass(run_id: str) -> None:
    assert Settings.load(env={"AGENTEL_RUN_ID": run_id}).run_id == run_id


@pytest.mark.parametrize("run_id", ["../../escape", "..", "/tmp/agentel-crash-abs", "alice@example.com"])
def test_crash_hook_stays_inside_agentel_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_id: str
) -> None:
    base = tmp_path / "a" / "b"
    agentel_dir = base / "agentel"
    monkeypatch.setenv("AGENTEL_DIR", str(agentel_dir))
    monkeypatch.setenv("AGENTEL_RUN_ID", run_id)
    before = set(tmp_path.rglob("*"))
    try:
        raise ValueError("the application failed")
    except ValueError as exc:
        crash.record_crash(type(exc), exc, exc.__traceback__)
    written = [p for p in set(tmp_path.rglob("*")) - before if p.is_file()]
    assert written, "the crash was recorded"
    for p in written:
        assert agentel_dir in p.parents, p
        assert "@" not in str(p.relative_to(agentel_dir))
    assert not os.path.exists("/tmp/agentel-crash-abs/logs.jsonl")
