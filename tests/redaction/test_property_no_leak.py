"""Property: secrets planted anywhere in random payloads, through every API path and every field of
every record, never reach any output byte of any sink (files, console, OTLP over HTTP, Prometheus
textfile, in-memory).

API paths and fields: span names, attributes (flat, nested, lists, JSON text), event names and
attributes, links (attributes and their tracestate), the span's own W3C tracestate (from a remote
parent), status, exceptions (recorded on spans, logged, raised from decorated sync and async
functions), tracer/logger/meter scope names and versions, stdlib logging (%-args, f-strings,
extra=), OTel log records (event name, severity text, body, attributes), registry events (name,
body and data — an unregistered name also lands in the ``agentel.events.unregistered`` metric and
so in Prometheus), correlation contexts, decorator attributes, asyncio tasks, metric attribute
keys and *values* (synchronous and observable instruments, views and exemplars), resource.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry import metrics as metrics_api
from opentelemetry import trace as trace_api
from opentelemetry._logs import get_logger
from opentelemetry.trace import Link, NonRecordingSpan, SpanContext, TraceFlags, TraceState

import agentel
from agentel.sinks.otlp_json import encode_logs, encode_spans
from agentel.testing import InMemoryLogExporter, InMemorySpanExporter

ALNUM = string.ascii_letters + string.digits
B64URL = ALNUM + "-_"

# --- secrets ----------------------------------------------------------------------------------


def _luhn_complete(digits: list[int]) -> str:
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


@st.composite
def cards(draw: st.DrawFn) -> str:
    first = draw(st.sampled_from([4, 5, 3, 6]))
    body = draw(st.lists(st.integers(0, 9), min_size=14, max_size=14))
    number = _luhn_complete([first, *body])
    sep = draw(st.sampled_from(["", " ", "-"]))
    return sep.join(number[i : i + 4] for i in range(0, 16, 4)) if sep else number


@st.composite
def emails(draw: st.DrawFn) -> str:
    local = draw(st.text(ALNUM, min_size=2, max_size=10)) + draw(st.sampled_from(["", ".x", "+tag", "_9"]))
    domain = draw(st.text(string.ascii_lowercase, min_size=3, max_size=9))
    return f"{local}@{domain}.{draw(st.sampled_from(['com', 'org', 'io', 'co.uk']))}"


def _prefixed(prefix: str, alphabet: str, lo: int, hi: int) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=lo, max_size=hi).map(lambda s: prefix + s)


@st.composite
def jwts(draw: st.DrawFn) -> str:
    head = draw(st.text(B64URL, min_size=8, max_size=20))
    body = draw(st.text(B64URL, min_size=8, max_size=40))
    sig = draw(st.text(B64URL, min_size=16, max_size=43))
    return f"eyJ{head}.eyJ{body}.{sig}"


PATTERN_SECRETS = st.one_of(
    _prefixed("sk-proj-", ALNUM, 24, 40),
    _prefixed("sk-ant-api03-", ALNUM + "-_", 24, 48),
    _prefixed("AKIA", string.ascii_uppercase + string.digits, 16, 16),
    _prefixed("ghp_", ALNUM, 36, 40),
    jwts(),
    emails(),
    cards(),
    st.text("ACGT", min_size=20, max_size=60),
)
#: a value that only its key (or a key=value form in text) marks as secret
KEY_SECRETS = _prefixed("kS", ALNUM, 12, 20)
DENIED_KEYS = st.sampled_from(
    [
        "password",
        "db_password",
        "apiKey",
        "X-Api-Key",
        "user_email",
        "Authorization",
        "SAMPLE_ID",
        "set-cookie",
        "access_token",
        "genotype",
        "vcf_content",
        "secret",
    ]
)
SEPARATORS = st.sampled_from([" ", "\n", ", ", " (", ") ", "; ", "\t"])
FILLER = st.text(ALNUM + " .,:;-_", max_size=24)


@dataclass
class Plant:
    """Secrets planted in one example and the pieces of payload that carry them."""

    secrets: list[str] = field(default_factory=list)

    def text_with(self, draw: st.DrawFn) -> str:
        """Free text with a pattern secret, or ``<denied key>=<secret>``, between separators."""
        if draw(st.booleans()):
            secret = draw(PATTERN_SECRETS)
            core = secret
        else:
            secret = draw(KEY_SECRETS)
            core = f"{draw(DENIED_KEYS)}{draw(st.sampled_from(['=', ': ', ' = ']))}{secret}"
        if secret.startswith("kS") is False and draw(st.booleans()) and not secret.startswith("eyJ"):
            core = f"Bearer {secret}" if draw(st.integers(0, 7)) == 0 and len(secret) >= 16 else core
        self.secrets.append(secret)
        return f"{draw(FILLER)}{draw(SEPARATORS)}{core}{draw(SEPARATORS)}{draw(FILLER)}"

    def keyed(self, draw: st.DrawFn) -> tuple[str, str]:
        secret = draw(KEY_SECRETS)
        self.secrets.append(secret)
        return draw(DENIED_KEYS), secret


@st.composite
def payloads(draw: st.DrawFn) -> tuple[Plant, dict[str, Any]]:
    """A random nested payload with secrets planted in values, nested values, lists, keys, JSON."""
    plant = Plant()
    attrs: dict[str, Any] = {}
    for i in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["text", "keyed", "list", "nested", "json", "deep", "dictkey", "int"]))
        name = f"f{i}"
        if kind == "text":
            attrs[name] = plant.text_with(draw)
        elif kind == "keyed":
            key, value = plant.keyed(draw)
            attrs[key] = value
        elif kind == "list":
            attrs[name] = [draw(FILLER), plant.text_with(draw)]
        elif kind == "nested":
            key, value = plant.keyed(draw)
            attrs[name] = {key: value, "note": plant.text_with(draw), "n": draw(st.integers())}
        elif kind == "json":
            key, value = plant.keyed(draw)
            attrs[name] = json.dumps({"msg": plant.text_with(draw), "user": {key: value}})
        elif kind == "deep":
            attrs[name] = {"a": {"b": {"c": plant.text_with(draw)}}}
        elif kind == "dictkey":
            secret = draw(emails())
            plant.secrets.append(secret)
            attrs[name] = {secret: 1, "ok": "fine"}
        else:
            number = draw(cards()).replace(" ", "").replace("-", "")
            plant.secrets.append(number)
            attrs[name] = int(number)
    return plant, attrs


@dataclass
class Scenario:
    """Everything one example plants, drawn up front (the SDK's id generator uses ``random``,
    which hypothesis forbids between draws)."""

    plant: Plant
    attrs: dict[str, Any]
    texts: list[str]
    keyed: list[tuple[str, str]]
    bare: list[str] = field(default_factory=list)  # pattern secrets alone (names, tracestate)

    def secret(self) -> str:
        return self.bare.pop()

    def text(self) -> str:
        return self.texts.pop()

    def pair(self) -> dict[str, str]:
        key, value = self.keyed.pop()
        return {key: value}


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    plant, attrs = draw(payloads())
    texts = [plant.text_with(draw) for _ in range(24)]
    keyed = [plant.keyed(draw) for _ in range(14)]
    bare = [draw(PATTERN_SECRETS).replace(" ", "-") for _ in range(8)]
    plant.secrets.extend(bare)
    return Scenario(plant, attrs, texts, keyed, bare)


# --- exercising every API path ----------------------------------------------------------------

_log = logging.getLogger("app.property")
_meter = metrics_api.get_meter("app.property")
_counter = _meter.create_counter("app.property.calls")
_observed: list[dict[str, str]] = []
_meter.create_observable_gauge(
    "app.property.level", callbacks=[lambda options: [metrics_api.Observation(1, a) for a in _observed]]
)


def _tracestate(sc: Scenario) -> TraceState:
    """A W3C tracestate carrying a denied key's secret and a pattern secret (as a vendor value)."""
    key, value = sc.keyed.pop()
    return TraceState([("password", value), ("vendor", sc.secret()), ("k" + key.lower()[:8], "x")])


def _exercise(sc: Scenario) -> None:
    tracer = trace_api.get_tracer("app.property")
    parent = SpanContext(0x5EC, 0x5EC, is_remote=True, trace_flags=TraceFlags(1), trace_state=_tracestate(sc))
    with agentel.context(**sc.pair(), note=sc.text()):
        # scope names and versions, a remote parent's tracestate, a link's tracestate
        scoped = trace_api.get_tracer(f"lib {sc.text()}", f"1.0 {sc.secret()}")
        with scoped.start_as_current_span(
            "scoped", context=trace_api.set_span_in_context(NonRecordingSpan(parent))
        ):
            pass
        link_state = SpanContext(0x11, 0x22, is_remote=True, trace_state=_tracestate(sc))
        with tracer.start_as_current_span("linked-state", links=[Link(link_state, sc.pair())]):
            pass
        get_logger(f"logger {sc.text()}", f"2.0 {sc.secret()}").emit(
            event_name=f"app.{sc.secret()}", severity_text=sc.text(), body=sc.text(), attributes=sc.pair()
        )
        agentel.event(f"app.unregistered.{sc.secret()}", body="x")  # also a metric attribute
        metrics_api.get_meter(f"meter {sc.text()}", f"3.0 {sc.secret()}").create_counter("app.scoped").add(1)
        _counter.add(1, {"route": "b", "note": sc.text()})
        _observed.append({"owner": sc.text(), **sc.pair()})
        with tracer.start_as_current_span(sc.text(), attributes=sc.attrs) as span:
            span.set_attributes(sc.pair())
            span.add_event(sc.text(), {"detail": sc.text(), **sc.pair()})
            span.set_status(trace_api.Status(trace_api.StatusCode.ERROR, sc.text()))
            link_ctx = span.get_span_context()
        with tracer.start_as_current_span("linked", links=[Link(link_ctx, sc.pair())]):
            _counter.add(1, {**sc.pair(), "route": "a"})
        try:
            with agentel.span("raises"):
                raise ValueError(sc.text())
        except ValueError:
            _log.exception("failed: %s", sc.text())
        _log.warning("user %s then %s", sc.text(), sc.text(), extra=sc.pair())
        fstring = sc.text()
        _log.error(f"f-string {fstring}")
        agentel.event("app.property.step", body=sc.text(), **sc.pair(), detail=sc.attrs)

        @agentel.trace(attributes=sc.pair())
        def decorated(x: str) -> None:
            raise RuntimeError(x)

        try:
            decorated(sc.text())
        except RuntimeError:
            pass

        messages = [sc.text(), sc.text()]

        @agentel.trace
        async def task(text: str) -> None:
            with agentel.span("in task", note=text):
                _log.warning("task %s", text)
            await asyncio.sleep(0)
            raise KeyError(text)

        async def main() -> None:
            results = await asyncio.gather(*(task(m) for m in messages), return_exceptions=True)
            assert all(isinstance(r, KeyError) for r in results)

        asyncio.run(main())


@pytest.mark.parametrize("console", ["jsonl", "pretty"])
def test_no_planted_secret_reaches_any_output_byte(
    tmp_path: Path, otlp_receiver: Any, capsys: pytest.CaptureFixture[str], console: str
) -> None:
    spans, logs = InMemorySpanExporter(), InMemoryLogExporter()
    _observed.clear()
    agentel.configure(
        sinks=("files", "console", "otlp", "prometheus"),
        console=console,
        dir=str(tmp_path / "agentel"),
        otlp_endpoint=otlp_receiver.endpoint,
        span_exporters=[spans],
        log_exporters=[logs],
        metrics_interval_s=0,
        # exports run in the calling thread: background exporters touching `random` (retry
        # jitter) while hypothesis draws would trip its "random inside strategies" check
        sync_export=True,
        resource_attributes={"deployment.owner": "owner.planted@example.com"},
    )
    planted: list[str] = ["owner.planted@example.com"]
    examples = 0

    @settings(
        max_examples=int(os.environ.get("REDACTION_PROPERTY_EXAMPLES", "60")) if console == "jsonl" else 20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(sc=scenarios())
    def run(sc: Scenario) -> None:
        nonlocal examples
        planted.extend(sc.plant.secrets)
        _exercise(sc)
        examples += 1

    try:
        run()
        agentel.force_flush()
    finally:
        agentel.shutdown()  # while the OTLP receiver still listens
        _observed.clear()  # the gauge's callback outlives the test: later pipelines must observe nothing

    outputs: dict[str, bytes] = {}
    for path in sorted((tmp_path / "agentel").rglob("*")):
        if path.is_file():
            outputs[str(path.relative_to(tmp_path))] = path.read_bytes()
    outputs["console (stderr)"] = capsys.readouterr().err.encode()
    outputs["otlp http"] = otlp_receiver.raw()
    outputs["in-memory spans"] = json.dumps(encode_spans(spans.spans)).encode()
    outputs["in-memory logs"] = json.dumps(encode_logs(logs.records)).encode()

    # the run really went through every sink
    assert examples >= 10
    assert {"/v1/traces", "/v1/logs", "/v1/metrics"} <= otlp_receiver.paths()
    assert any(name.endswith("traces.jsonl") for name in outputs)
    assert any(name.endswith("metrics.prom") for name in outputs)
    assert len(spans.spans) >= 5 * examples
    for name in ("console (stderr)", "otlp http", "in-memory spans", "in-memory logs"):
        assert outputs[name], f"{name} is empty"
    assert b"[REDACTED:" in outputs["in-memory spans"]

    leaks = [
        (secret, where) for secret in planted for where, blob in outputs.items() if secret.encode() in blob
    ]
    print(
        f"redaction property ({console}): {len(planted)} secrets planted over {examples} examples, "
        f"{len(outputs)} outputs grepped ({', '.join(outputs)}), {len(leaks)} leaks"
    )
    if leaks:
        secret, where = leaks[0]
        blob = outputs[where]
        at = blob.index(secret.encode())
        context = blob[max(0, at - 300) : at + 100].decode(errors="replace")
        raise AssertionError(
            f"planted secrets found in outputs: {leaks[:5]}\nfirst one in context: {context}"
        )
