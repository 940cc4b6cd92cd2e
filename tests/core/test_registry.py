"""Registries: names, sampling, cardinality bound, generated docs, lint."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import agentel
from agentel import registry, testing
from agentel.cli.core import render_docs

ROOT = Path(__file__).resolve().parents[2]


def test_bad_names_rejected_with_the_fix() -> None:
    with pytest.raises(registry.RegistryError, match="dotted lowercase"):
        agentel.register_event("TrainingStep", "bad")
    with pytest.raises(registry.RegistryError, match="kind 'meter'"):
        agentel.register_metric("app.things", "meter", "1", "bad")


def test_event_emits_log_record_with_event_name() -> None:
    agentel.register_event("app.order.placed", "An order.", keys=("order.id",))
    with testing.capture() as cap:
        agentel.event("app.order.placed", **{"order.id": 7})
    (rec,) = cap.events("app.order.placed")
    assert rec.log_record.attributes["order.id"] == 7
    assert rec.log_record.severity_text == "INFO"


def test_sampling_one_in_n_and_counted() -> None:
    agentel.register_event("app.cache.hit", "Hit.", sample_every=10)
    with testing.capture() as cap:
        for _ in range(100):
            agentel.event("app.cache.hit")
    recs = cap.events("app.cache.hit")
    assert len(recs) == 10
    assert recs[0].log_record.attributes["agentel.sample_rate"] == 10
    assert registry.REGISTRY.sampled_out["app.cache.hit"] >= 90


def test_unregistered_counted_or_rejected_in_strict_mode() -> None:
    with testing.capture() as cap:
        agentel.event("app.never.registered")
        pts = cap.metrics()["agentel.events.unregistered"]
    assert sum(p.value for p in pts) == 1
    with testing.capture(strict_events=True):
        with pytest.raises(registry.UnregisteredEventError, match="register it with agentel.register_event"):
            agentel.event("app.never.registered")


def test_metric_attributes_bounded_to_declared_keys() -> None:
    agentel.register_metric("app.requests", "counter", "{request}", "Requests.", attributes=("route",))
    with testing.capture() as cap:
        for user in range(50):
            agentel.metric("app.requests").add(1, {"route": "/a", "user.id": f"u{user}"})
        pts = cap.metrics()["app.requests"]
    assert len(pts) == 1 and dict(pts[0].attributes) == {"route": "/a"} and pts[0].value == 50


def test_unknown_metric_name_is_a_clear_error() -> None:
    with pytest.raises(registry.RegistryError, match="not registered"):
        agentel.metric("app.nope")


def test_generated_reference_pages_are_fresh() -> None:
    for name, content in render_docs().items():
        path = ROOT / "docs" / "reference" / name
        assert path.exists() and path.read_text() == content, f"{path} is stale: run `make docs`"


def test_lint_reports_unregistered_names(tmp_path: Path) -> None:
    bad = tmp_path / "app.py"
    bad.write_text(
        "import agentel\n"
        "agentel.register_event('app.ok', 'fine')\n"
        "agentel.event('app.ok')\n"
        "agentel.event('app.typo')\n"
        "agentel.metric('agentel.telemetry.dropped')\n"
        "agentel.metric('app.unknown.metric')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "agentel.cli", "lint", str(tmp_path)], capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert "app.py:4: unregistered event 'app.typo'" in proc.stdout
    assert "app.py:6: unregistered metric 'app.unknown.metric'" in proc.stdout
    assert "app.ok" not in proc.stdout
    good = tmp_path / "good"
    good.mkdir()
    (good / "ok.py").write_text("import agentel\nagentel.event('agentel.feedback')\n")
    assert (
        subprocess.run(
            [sys.executable, "-m", "agentel.cli", "lint", str(good)], capture_output=True
        ).returncode
        == 0
    )
