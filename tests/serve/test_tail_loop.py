"""The loader loop outlives a failing store and says so once per distinct failure, not per retry."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest

from agentel.serve.tail import Tailer
from agentel.store.engine import StoreError


class _Failing:
    database = "agentel"
    kind = "embedded"

    def __init__(self) -> None:
        self.calls = 0

    def query(self, *_: Any, **__: Any) -> Any:
        self.calls += 1
        raise StoreError("disk on fire")

    def __getattr__(self, name: str) -> Any:
        return self.query


def test_a_failing_store_is_retried_and_reported_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "traces.jsonl").write_text('{"resourceSpans":[]}\n')
    engine = _Failing()
    tailer = Tailer(engine, [str(tmp_path)], interval=0.01)  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="agentel.serve.tail"):
        tailer.start()
        deadline = time.monotonic() + 20
        while engine.calls < 4 and time.monotonic() < deadline:
            tailer.wake()
            time.sleep(0.05)
        tailer.stop()
    assert engine.calls >= 4 and tailer.errors >= 4
    assert [r.getMessage() for r in caplog.records].count(
        "agentel serve: loading failed (retrying): disk on fire"
    ) == 1
