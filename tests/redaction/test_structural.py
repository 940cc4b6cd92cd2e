"""Structure: every exporter configure() builds — built-in sinks and user-supplied ones — is
reachable only through the redacting processors, and every one of them receives redacted data."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk._logs.export import LogRecordExporter, LogRecordExportResult
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

import agentel
from agentel import sdk
from agentel.redaction import RedactingLogRecordProcessor, RedactingSpanProcessor
from agentel.sinks.otlp_json import encode_logs, encode_spans
from agentel.testing import InMemoryLogExporter, InMemorySpanExporter

SECRET_EMAIL = "structural.secret@example.com"
SECRET_VALUE = "Zq9-structural-password-value"


def _reachable(
    root: Any, kinds: tuple[type, ...], seen: set[int] | None = None, depth: int = 0
) -> Iterator[Any]:
    """Every object of ``kinds`` reachable from ``root`` through attributes, lists and dicts."""
    seen = set() if seen is None else seen
    if id(root) in seen or depth > 8:
        return
    seen.add(id(root))
    if isinstance(root, kinds):
        yield root
    if isinstance(root, (str, bytes, int, float, bool, type(None))):
        return
    if isinstance(root, (list, tuple, set, frozenset)):
        children: list[Any] = list(root)
    elif isinstance(root, dict):
        children = list(root.values())
    else:
        try:
            children = list(vars(root).values())
        except TypeError:
            return
    for child in children:
        if child.__class__.__module__.startswith(("threading", "logging", "queue", "_thread")):
            continue
        yield from _reachable(child, kinds, seen, depth + 1)


def _sinks_available() -> tuple[str, ...]:
    sinks = ["files", "console", "otlp", "prometheus"]
    if importlib.util.find_spec("agentel.sinks.clickhouse") is not None:
        sinks.append("clickhouse")
    return tuple(sinks)


@pytest.fixture
def every_sink(tmp_path: Path, otlp_receiver: Any) -> Iterator[dict[str, Any]]:
    """configure() with every sink this build has, plus user exporters."""
    user_spans, user_logs = InMemorySpanExporter(), InMemoryLogExporter()
    overrides: dict[str, Any] = {
        "sinks": _sinks_available(),
        "dir": str(tmp_path),
        "console": "jsonl",
        "otlp_endpoint": otlp_receiver.endpoint,
        "metrics_interval_s": 0,
    }
    if "clickhouse" in overrides["sinks"]:
        overrides["clickhouse_url"] = "http://default:pw@127.0.0.1:9/agentel"
    agentel.configure(span_exporters=[user_spans], log_exporters=[user_logs], **overrides)
    pipeline = sdk.current_pipeline()
    assert pipeline is not None
    yield {"pipeline": pipeline, "user_spans": user_spans, "user_logs": user_logs}
    agentel.shutdown()  # while the receiver still listens


def test_every_span_exporter_sits_behind_the_redacting_processor(every_sink: dict[str, Any]) -> None:
    pipeline = every_sink["pipeline"]
    assert every_sink["user_spans"] in pipeline.span_exporters
    assert len(pipeline.span_exporters) >= len(_sinks_available()) - 1  # prometheus has no span exporter
    provider_procs = list(pipeline.span_processors)  # the pipeline's record of what it installed
    doors = [p for p in provider_procs if isinstance(p, RedactingSpanProcessor)]
    assert doors == [pipeline.span_door]
    for proc in provider_procs:
        found = set(map(id, _reachable(proc, (SpanExporter,))))
        if proc is pipeline.span_door:
            missing = [e for e in pipeline.span_exporters if id(e) not in found]
            assert not missing, f"exporters not behind the redacting processor: {missing}"
        else:
            assert not found, f"{type(proc).__name__} reaches an exporter without redaction"


def test_every_log_exporter_sits_behind_the_redacting_processor(every_sink: dict[str, Any]) -> None:
    pipeline = every_sink["pipeline"]
    assert every_sink["user_logs"] in pipeline.log_exporters
    provider_procs = list(pipeline.log_processors)
    doors = [p for p in provider_procs if isinstance(p, RedactingLogRecordProcessor)]
    assert doors == [pipeline.log_door]
    for proc in provider_procs:
        found = set(map(id, _reachable(proc, (LogRecordExporter,))))
        if proc is pipeline.log_door:
            missing = [e for e in pipeline.log_exporters if id(e) not in found]
            assert not missing, f"exporters not behind the redacting processor: {missing}"
        else:
            assert not found, f"{type(proc).__name__} reaches an exporter without redaction"


def test_every_metric_reader_gets_the_policy_views(every_sink: dict[str, Any]) -> None:
    from agentel.redaction.metrics import _UnregisteredView

    pipeline = every_sink["pipeline"]
    assert pipeline.metric_readers
    views = pipeline.views
    assert any(isinstance(v, _UnregisteredView) for v in views)
    for view in views:
        keys = view._attribute_keys
        assert keys is not None, "a view without an attribute bound lets any key through"
        assert "password" not in keys and "user_email" not in keys


def test_every_exporter_receives_only_redacted_data(
    every_sink: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dynamic proof: each exporter's export() is replaced by a recorder; all of them must be
    called, and none may see the secrets."""
    pipeline = every_sink["pipeline"]
    received: dict[int, list[str]] = {}

    def recorder(exporter: Any, encode: Any, ok: Any) -> Any:
        def export(batch: Any, *args: Any, **kwargs: Any) -> Any:
            received.setdefault(id(exporter), []).append(json.dumps(encode(list(batch))))
            return ok

        return export

    for e in pipeline.span_exporters:
        monkeypatch.setattr(e, "export", recorder(e, encode_spans, SpanExportResult.SUCCESS))
    for e in pipeline.log_exporters:
        monkeypatch.setattr(e, "export", recorder(e, encode_logs, LogRecordExportResult.SUCCESS))

    import logging

    with agentel.context(user_email=SECRET_EMAIL):
        with agentel.span(f"work for {SECRET_EMAIL}", password=SECRET_VALUE) as s:
            s.add_event("note", {"contact": SECRET_EMAIL})
            logging.getLogger("app").warning("contact %s, password=%s", SECRET_EMAIL, SECRET_VALUE)
            agentel.event("app.note", body=SECRET_EMAIL, password=SECRET_VALUE)
    assert agentel.force_flush()
    for e in [*pipeline.span_exporters, *pipeline.log_exporters]:
        payloads = received.get(id(e))
        assert payloads, f"{type(e).__name__} received nothing"
        blob = "\n".join(payloads)
        assert SECRET_EMAIL not in blob and SECRET_VALUE not in blob, type(e).__name__
        assert "[REDACTED:" in blob
