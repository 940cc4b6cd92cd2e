"""A run id names a folder under AGENTEL_DIR: it is validated (one clear error naming
AGENTEL_RUN_ID and the allowed characters, never quoting the value), and the crash hook — which
runs when configuration may be what failed — never writes outside AGENTEL_DIR nor names a folder
after a personal value."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agentel.redaction import crash

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
