"""configure() records everything it installs in the process; shutdown() undoes all of it."""

from __future__ import annotations

import atexit
import logging
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import agentel
from agentel import alerts, sdk
from agentel._internal import feed, lifecycle, state
from agentel.testing import InMemorySpanExporter

_ATEXIT: list[Any] = []  # what is registered with atexit while the test watches


def _watch_atexit(monkeypatch: pytest.MonkeyPatch) -> None:
    register, unregister = atexit.register, atexit.unregister

    def watched_register(fn: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(fn, "__module__", "").startswith("agentel"):  # libraries' own once-only hooks aside
            _ATEXIT.append(fn)
        return register(fn, *args, **kwargs)

    def watched_unregister(fn: Any) -> None:
        _ATEXIT[:] = [f for f in _ATEXIT if f != fn]
        unregister(fn)

    monkeypatch.setattr(atexit, "register", watched_register)
    monkeypatch.setattr(atexit, "unregister", watched_unregister)


def _process_state() -> dict[str, Any]:
    root = logging.getLogger()
    return {
        "root handlers": list(root.handlers),
        "root level": root.level,
        "Thread.start": threading.Thread.start,
        "Thread.run": threading.Thread.run,
        "ThreadPoolExecutor.submit": ThreadPoolExecutor.submit,
        "sys.excepthook": sys.excepthook,
        "threading.excepthook": threading.excepthook,
        "threads": sorted(t.name for t in threading.enumerate()),
        "atexit callbacks": list(_ATEXIT),
        "fork handlers": lifecycle.fork_handlers(),
        "settings in force": state.settings(),
        "alert monitor running": alerts._default is not None and alerts._default.running,
    }


def _configure_everything(tmp_path: Path) -> None:
    agentel.configure(
        dir=str(tmp_path),
        sinks=("files", "console", "prometheus"),
        prometheus_port=0,
        clickhouse_url="http://default:pw@127.0.0.1:9/agentel",
        log_level="debug",
        metrics_interval_s=1,
        alerts=True,
        span_exporters=[InMemorySpanExporter()],
    )


def test_shutdown_leaves_the_process_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A first round imports every sink's libraries: what *importing* a module does (e.g. a
    # library's own atexit hook) is once per process and not configure()'s to undo.
    _configure_everything(tmp_path / "warm-up")
    agentel.shutdown()
    logging.getLogger().setLevel(logging.WARNING)
    _watch_atexit(monkeypatch)
    before = _process_state()
    _configure_everything(tmp_path)
    during = _process_state()
    installed = sdk.current_pipeline().installed.names  # type: ignore[union-attr]
    for what in ("logging handler", "root logger level", "thread propagation", "atexit", "alert monitor"):
        assert what in installed
    changed = {k for k in before if before[k] != during[k]}
    assert {"root handlers", "root level", "Thread.start", "threads", "atexit callbacks"} <= changed
    assert {"fork handlers", "settings in force", "alert monitor running"} <= changed
    assert "agentel-alerts" in during["threads"]
    with agentel.span("work"):
        pass
    agentel.shutdown()
    after = _process_state()
    assert after == before, {k: (before[k], after[k]) for k in before if before[k] != after[k]}


def test_the_alert_monitor_runs_from_configure_to_shutdown(tmp_path: Path) -> None:
    agentel.configure(dir=str(tmp_path), alerts=True, metrics_interval_s=1)
    monitor = alerts.monitor()
    assert monitor.running
    with agentel.llm_call(provider="openai", model="gpt-4o") as call:
        call.set_usage(10, 5)
    assert monitor.stats().calls == 1  # fed through the SDK's span feed
    agentel.shutdown()
    assert not monitor.running
    assert not [t for t in threading.enumerate() if t.name == "agentel-alerts"]


def test_alerts_subscribe_to_the_feed_and_add_no_processor(tmp_path: Path) -> None:
    agentel.configure(dir=str(tmp_path), metrics_interval_s=0)
    pipeline = sdk.current_pipeline()
    assert pipeline is not None
    before = list(pipeline.span_processors)
    assert [type(p) for p in before][:2] == [sdk.EnrichingSpanProcessor, feed.SpanFeed]
    assert before[-1] is pipeline.span_door
    monitor = alerts.start(interval_s=0)
    assert pipeline.span_processors == before
    assert len(feed.consumers()) == 1
    monitor.stop()
    assert feed.consumers() == ()


def test_the_pipeline_record_is_what_the_providers_hold(tmp_path: Path) -> None:
    """The public record (read by the structural redaction test) cannot drift from the providers:
    this is the one test that reads the SDK's private fields to prove it."""
    agentel.configure(dir=str(tmp_path), metrics_interval_s=0)
    p = sdk.current_pipeline()
    assert p is not None
    assert list(p.tracer_provider._active_span_processor._span_processors) == p.span_processors
    assert list(p.logger_provider._multi_log_record_processor._log_record_processors) == p.log_processors
    assert list(p.meter_provider._sdk_config.views) == p.views
