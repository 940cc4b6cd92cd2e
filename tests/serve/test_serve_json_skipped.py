"""serve.json (left behind by a killed server) sits in AGENTEL_DIR next to the telemetry; the
loader every command runs must not take it for a telemetry file."""

from __future__ import annotations

import json
from pathlib import Path

from agentel.store.loader import iter_files


def test_the_loader_does_not_list_serve_json(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "traces.jsonl").write_text("")
    (tmp_path / "serve.json").write_text(json.dumps({"pid": 1, "ui": "http://127.0.0.1:1"}, indent=2))
    assert [Path(p).name for p in iter_files([str(tmp_path)])] == ["traces.jsonl"]
