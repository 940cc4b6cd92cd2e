"""The loader loop's scan stays cheap on a long history: after a full walk, a poll looks only at
recently active directories and files (plus the roots), yet finds new runs and appended files."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from agentel.serve import tail
from agentel.serve.tail import Tailer


def _history(root: Path, runs: int) -> None:
    old = time.time() - 3600
    for i in range(runs):
        d = root / f"run{i:04d}"
        d.mkdir()
        for name in ("traces.jsonl", "logs.jsonl"):
            (d / name).write_text("{}\n")
            os.utime(d / name, (old, old))
        os.utime(d, (old, old))
    os.utime(root, (old, old))


def test_a_poll_does_not_walk_a_cold_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _history(tmp_path, 300)
    t = Tailer(None, [str(tmp_path)])  # type: ignore[arg-type]
    first = t.changed()
    assert len(first) == 600  # the first pass sees everything (catch-up)
    t._seen.update({p: t._sig(p) for p in first})  # as if loaded

    calls = {"n": 0}
    real_stat = os.stat

    def counting(path: Any, *a: Any, **k: Any) -> os.stat_result:
        calls["n"] += 1
        return real_stat(path, *a, **k)

    monkeypatch.setattr(tail.os, "stat", counting)
    assert t.changed() == []
    assert calls["n"] < 20, calls  # roots and hot entries only, not 300 dirs and 600 files

    # a new run (its directory appears under the root) is found by the next poll
    new = tmp_path / "run-new"
    new.mkdir()
    (new / "traces.jsonl").write_text("{}\n")
    assert t.changed() == [str(new / "traces.jsonl")]

    # a file the receiver names is looked at at once; an old file that grows is found by the next
    # full walk
    old_file = tmp_path / "run0007" / "traces.jsonl"
    with open(old_file, "a") as fh:
        fh.write("{}\n")
    t.wake(str(old_file))
    assert str(old_file) in t.changed()
    other = tmp_path / "run0008" / "logs.jsonl"
    with open(other, "a") as fh:
        fh.write("{}\n")
    t._next_full = 0.0
    assert str(other) in t.changed()


def test_a_load_asked_for_from_outside_walks_everything(tmp_path: Path) -> None:
    """The CLI's /agentel/load must see a file appended in a cold directory just before it asked."""

    class _Engine:
        database = "agentel"
        kind = "served"

    _history(tmp_path, 5)
    t = Tailer(_Engine(), [str(tmp_path)])  # type: ignore[arg-type]
    t._seen.update({p: t._sig(p) for p in t.changed()})
    t._next_full = time.monotonic() + 3600
    cold = tmp_path / "run0002" / "traces.jsonl"
    with open(cold, "a") as fh:
        fh.write("{}\n")
    assert t.changed() == []  # the loop's poll does not see it yet
    loaded: list[list[str]] = []
    monkey = pytest.MonkeyPatch()
    monkey.setattr(tail, "load", lambda engine, paths: loaded.append(list(paths)) or _report())
    try:
        t.load_now()
    finally:
        monkey.undo()
    assert loaded == [[str(cold)]]


def _report() -> Any:
    from agentel.store.loader import LoadReport

    return LoadReport()
