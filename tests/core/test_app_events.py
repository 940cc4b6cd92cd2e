"""Issue 18 item 10: an application's own events and metrics (`agentel docs --module myapp.telemetry`)
go into its generated reference, and the keys declared in `register_event` are enforced: undeclared
keys are dropped and counted, or rejected in strict mode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import agentel
from agentel.registry import REGISTRY, UndeclaredKeyError
from agentel.testing import capture
from testsupport import invoke_cli

APP = """
import agentel

agentel.register_event("myapp.batch_done", "A batch of the app finished.", keys=["myapp.size", "myapp.shard"])
agentel.register_metric("myapp.batches", "counter", "{batch}", "Batches the app finished.", attributes=["myapp.shard"])
"""


@pytest.fixture()
def app_module(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "myapp_telemetry.py"
    path.write_text(APP)
    yield path
    REGISTRY.events.pop("myapp.batch_done", None)  # the suite's own reference pages stay as they are
    REGISTRY.metrics.pop("myapp.batches", None)


def test_docs_module_documents_the_apps_events_and_metrics(app_module: Path, tmp_path: Path) -> None:
    out = tmp_path / "reference"
    result = invoke_cli("docs", "--module", str(app_module), "--out", str(out))
    assert result.exit_code == 0, result.output
    events, metrics = (out / "events.md").read_text(), (out / "metrics.md").read_text()
    assert "`myapp.batch_done`" in events and "`myapp.size`, `myapp.shard`" in events
    assert "`gen_ai.evaluation.result`" in events  # the built-in ones too
    assert "`myapp.batches`" in metrics
    bad = invoke_cli("docs", "--module", "no_such_module_xyz", "--out", str(out))
    assert bad.exit_code == 2 and "--module" in bad.output and "no_such_module_xyz" in bad.output


def test_undeclared_keys_are_dropped_and_counted(app_module: Path) -> None:
    invoke_cli("docs", "--module", str(app_module), "--out", str(app_module.parent / "ref"))
    before = REGISTRY.dropped_event_keys["myapp.batch_done:myapp.secret_note"]
    with capture() as cap:
        agentel.event("myapp.batch_done", **{"myapp.size": 3, "myapp.secret_note": "x", "myapp.shard": "a"})
        [rec] = cap.events("myapp.batch_done")
    attrs = dict(rec.log_record.attributes or {})
    assert "myapp.secret_note" not in attrs and attrs["myapp.size"] == 3 and attrs["myapp.shard"] == "a"
    assert REGISTRY.dropped_event_keys["myapp.batch_done:myapp.secret_note"] == before + 1


def test_undeclared_keys_are_rejected_in_strict_mode(app_module: Path) -> None:
    invoke_cli("docs", "--module", str(app_module), "--out", str(app_module.parent / "ref"))
    with capture(strict_events=True):
        with pytest.raises(UndeclaredKeyError, match="myapp.secret_note"):
            agentel.event("myapp.batch_done", **{"myapp.size": 3, "myapp.secret_note": "x"})
        agentel.event("myapp.batch_done", **{"myapp.size": 3})  # declared keys only: fine
