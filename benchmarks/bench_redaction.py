"""Redaction cost: per span and per log record, default policy and 50 user patterns, vs no redaction.

Questions:
  1. pipeline: what does the redacting processor add to agentel's whole pipeline (enrichment,
     redaction, batch, OTLP-JSON file sink)? CPU time of the process (worker thread included) per
     span / per log record, the redaction door replaced by a pass-through as the baseline.
     Goal: <= 1.25x per span with the default policy.
  2. redactor alone, side by side with Logfire's scrubber on the same attribute sets (µs per span
     or log record, nothing else timed). Logfire runs in its own venv (/tmp/bench-venvs/logfire,
     made by benchmarks/peers/setup_venvs.py --only logfire); it is reported as missing otherwise.
     Its scrubber is a different contract (key/word patterns, no value patterns like cards or
     DNA), so the comparison is of cost on identical inputs, not of coverage.

Attribute sets (span name + attributes; the log record has the same as body + attributes):
  genai  a clean LLM-call span: 12 GenAI attributes, a unique response id per span
  text   genai + two unique ~80-character free-text values per span (never cached)
  dirty  text + an email, an API key in text and a denied key (every span needs a copy)

Run: python benchmarks/bench_redaction.py [--spans 5000] [--rounds 3] [--micro 3000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))
from _common import table  # noqa: E402

LOGFIRE_PY = "/tmp/bench-venvs/logfire/bin/python"


# --- workloads --------------------------------------------------------------------------------


def attribute_sets(n: int, seed: int = 7) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """``n`` (span name, attributes) pairs per set; identical inputs for every contender."""
    rng = random.Random(seed)
    alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    words = [
        "the",
        "model",
        "ranked",
        "candidate",
        "answers",
        "by",
        "confidence",
        "and",
        "kept",
        "the",
        "best",
        "two",
        "for",
        "review",
    ]

    def rid() -> str:
        return "chatcmpl-" + "".join(rng.choice(alnum) for _ in range(24))

    def sentence() -> str:
        return " ".join(rng.choice(words) for _ in range(13)) + f" #{rng.randrange(10**6)}"

    out: dict[str, list[tuple[str, dict[str, Any]]]] = {"genai": [], "text": [], "dirty": []}
    for i in range(n):
        genai = {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "gpt-4o-mini",
            "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
            "gen_ai.response.id": rid(),
            "gen_ai.response.finish_reasons": ("stop",),
            "gen_ai.usage.input_tokens": rng.randrange(50, 4000),
            "gen_ai.usage.output_tokens": rng.randrange(10, 800),
            "gen_ai.request.temperature": 0.2,
            "server.address": "api.openai.com",
            "agentel.cost.total_usd": rng.random() / 100,
            "iteration": i % 7,
        }
        text = {**genai, "judge.rationale": sentence(), "candidate.summary": sentence()}
        dirty = {
            **text,
            "note": f"forwarded to jane.doe{i}@example.com with key sk-proj-{rid()[9:]}abcd",
            "password": "hunter2",
        }
        out["genai"].append(("chat gpt-4o-mini", genai))
        out["text"].append(("chat gpt-4o-mini", text))
        out["dirty"].append(("chat gpt-4o-mini", dirty))
    return out


def user_patterns() -> list[tuple[str, str]]:
    """50 user rules: 40 with a literal prefix (internal ids, hosts, tickets), 10 without."""
    rules = [(f"acme_id_{i:02d}", rf"ACME{i:02d}-[A-Z0-9]{{10}}") for i in range(20)]
    rules += [(f"ticket_{i:02d}", rf"\bPROJ{i:02d}-\d{{4,6}}\b") for i in range(10)]
    rules += [(f"host_{i:02d}", rf"\bcorp-db-{i:02d}\.internal\b") for i in range(10)]
    rules += [
        ("us_ssn", r"\b\d{3}-\d{2}-\d{4}\b"),
        ("uk_nino", r"\b[A-CEGHJ-PR-TW-Z]{2}\d{6}[A-D]\b"),
        ("iban", r"\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b"),
        ("passport", r"\b[A-Z]\d{8}\b"),
        ("phone", r"\+\d{1,3}[ -]?\(?\d{2,4}\)?[ -]?\d{3,4}[ -]?\d{3,4}"),
        ("mac", r"\b(?:[0-9A-F]{2}:){5}[0-9A-F]{2}\b"),
        ("uuid_user", r"\buser-[0-9a-f]{8}-[0-9a-f]{4}\b"),
        ("vin", r"\b[A-HJ-NPR-Z0-9]{17}\b"),
        ("zip_plus4", r"\b\d{5}-\d{4}\b"),
        ("license", r"\bDL\d{7}\b"),
    ]
    assert len(rules) == 50
    return rules


# --- 1. the pipeline --------------------------------------------------------------------------


def _policy(kind: str) -> Any:
    from agentel.redaction import PatternRule, Policy

    if kind == "50 patterns":
        return Policy.default().extend(patterns=[PatternRule(n, rx) for n, rx in user_patterns()])
    return Policy.default()


class _NoRedaction:
    """The redaction door replaced by a pass-through (what the pipeline costs without it)."""

    names = ("wrap_span_processor", "wrap_log_processor", "redact_resource")

    def __enter__(self) -> None:
        import agentel.redaction as r

        self.saved = {n: getattr(r, n) for n in self.names}
        r.wrap_span_processor = lambda inner, s: inner  # type: ignore[attr-defined]
        r.wrap_log_processor = lambda inner, s: inner  # type: ignore[attr-defined]
        r.redact_resource = lambda res, s: res  # type: ignore[attr-defined]

    def __exit__(self, *exc: object) -> None:
        import agentel.redaction as r

        for n, fn in self.saved.items():
            setattr(r, n, fn)


def _pipeline_run(variant: str, signal: str, sets: list[tuple[str, dict[str, Any]]], d: str) -> float:
    import logging

    import agentel
    from agentel import tracing

    ctx = _NoRedaction() if variant == "no redaction" else None
    policy = None if variant == "no redaction" else _policy(variant)
    if ctx:
        ctx.__enter__()
    try:
        agentel.configure(dir=d, metrics_interval_s=0, redaction_policy=policy, log_level="info")
        tracer = tracing.tracer()
        log = logging.getLogger("bench.redaction")
        t0 = time.process_time()
        if signal == "span":
            for name, attrs in sets:
                with tracer.start_as_current_span(name, attributes=attrs):
                    pass
        else:
            for name, attrs in sets:
                log.info("%s finished: %s", name, attrs.get("judge.rationale", "ok"), extra=attrs)
        agentel.shutdown()
        return (time.process_time() - t0) / len(sets) * 1e6
    finally:
        agentel.shutdown()
        if ctx:
            ctx.__exit__()


def bench_pipeline(n: int, rounds: int, which: str) -> list[list[object]]:
    sets = attribute_sets(n)[which]
    variants = ["no redaction", "default policy", "50 patterns"]
    rows = []
    for signal in ("span", "log record"):
        results: dict[str, list[float]] = {v: [] for v in variants}
        for _ in range(rounds):
            for v in variants:  # alternate variants within a round: drift hits all alike
                with tempfile.TemporaryDirectory() as d:
                    results[v].append(_pipeline_run(v, signal, sets, d))
        base = sorted(results["no redaction"])[len(results["no redaction"]) // 2]
        for v in variants:
            med = sorted(results[v])[len(results[v]) // 2]
            rows.append([f"{signal} ({which})", v, f"{med:.1f}", f"{med / base:.2f}x"])
    return rows


# --- 2. the redactor alone vs Logfire's scrubber ----------------------------------------------


def _finished_spans(sets: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

    spans: list[Any] = []

    class Keep(SpanExporter):
        def export(self, batch: Any) -> SpanExportResult:
            spans.extend(batch)
            return SpanExportResult.SUCCESS

    provider = TracerProvider(resource=Resource({"service.name": "bench"}), shutdown_on_exit=False)
    provider.add_span_processor(SimpleSpanProcessor(Keep()))
    tracer = provider.get_tracer("bench")
    for name, attrs in sets:
        with tracer.start_as_current_span(name, attributes=attrs):
            pass
    return spans


def _log_records(sets: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    from opentelemetry._logs import LogRecord
    from opentelemetry.sdk._logs import ReadWriteLogRecord
    from opentelemetry.sdk.resources import Resource

    res = Resource({"service.name": "bench"})
    return [
        ReadWriteLogRecord(
            LogRecord(body=f"{name} finished: {attrs.get('judge.rationale', 'ok')}", attributes=dict(attrs)),
            resource=res,
        )
        for name, attrs in sets
    ]


def _best_of(fn: Callable[[], None], count: int, rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times) / count * 1e6


def bench_agentel_alone(n: int) -> dict[tuple[str, str, str], float]:
    from agentel.redaction.redactor import Redactor, Tally

    out: dict[tuple[str, str, str], float] = {}
    for which, sets in attribute_sets(n).items():
        spans = _finished_spans(sets)
        for kind in ("default policy", "50 patterns"):
            red = Redactor(_policy(kind))

            def run_spans(red: Redactor = red, spans: list[Any] = spans) -> None:
                for s in spans:
                    red.span(s, Tally())

            run_spans()  # warm: compile, caches
            out[("span", which, kind)] = _best_of(run_spans, len(spans))

            def run_logs(red: Redactor = red, sets: list[tuple[str, dict[str, Any]]] = sets) -> None:
                for r in _log_records(sets):
                    red.log(r, Tally())

            def build(sets: list[tuple[str, dict[str, Any]]] = sets) -> None:
                _log_records(sets)

            base = _best_of(build, len(sets))  # building the records is not redaction
            out[("log record", which, kind)] = max(0.0, _best_of(run_logs, len(sets)) - base)
    return out


_LOGFIRE_SCRIPT = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from bench_redaction import attribute_sets, user_patterns, _finished_spans, _log_records, _best_of
from logfire._internal.scrubbing import Scrubber
from logfire._internal.utils import span_to_dict
from opentelemetry.sdk.trace import ReadableSpan
n = int(sys.argv[2])
out = {}
for which, sets in attribute_sets(n).items():
    spans = _finished_spans(sets)
    for kind, patterns in (("default policy", None), ("50 patterns", [rx for _, rx in user_patterns()])):
        scrubber = Scrubber(patterns)
        def run_spans():
            for s in spans:
                d = span_to_dict(s)  # what logfire's SpanProcessorWrapper does around the scrubber
                scrubber.scrub_span(d)
                ReadableSpan(**d)
        run_spans()
        out[f"span|{which}|{kind}"] = _best_of(run_spans, len(spans))
        def run_logs():
            for r in _log_records(sets):
                scrubber.scrub_log(r.log_record)
        base = _best_of(lambda: _log_records(sets), len(sets))
        out[f"log record|{which}|{kind}"] = max(0.0, _best_of(run_logs, len(sets)) - base)
print(json.dumps(out))
"""


def bench_logfire_alone(n: int) -> tuple[dict[tuple[str, str, str], float], str]:
    if not os.path.exists(LOGFIRE_PY):
        return {}, "missing (python benchmarks/peers/setup_venvs.py --only logfire)"
    proc = subprocess.run(
        [LOGFIRE_PY, "-c", _LOGFIRE_SCRIPT, os.path.dirname(os.path.abspath(__file__)), str(n)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        return {}, "failed: " + (proc.stderr.strip().splitlines() or ["?"])[-1][:160]
    version = subprocess.run(
        [LOGFIRE_PY, "-c", "import logfire; print(logfire.__version__)"], capture_output=True, text=True
    ).stdout.strip()
    data = json.loads(proc.stdout)
    return {tuple(k.split("|")): v for k, v in data.items()}, f"logfire {version}"  # type: ignore[misc]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spans", type=int, default=5000, help="spans (and log records) per pipeline run")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--micro", type=int, default=3000, help="spans per set for the redactor-alone timing")
    args = ap.parse_args()

    print("## 1. pipeline CPU time per record (process time incl. the batch worker; files sink)\n")
    rows: list[list[object]] = []
    for which in ("genai", "text"):
        rows += bench_pipeline(args.spans, args.rounds, which)
    print(table(["record (set)", "redaction", "µs CPU/record", "vs no redaction"], rows))

    print("\n## 2. the redactor alone vs Logfire's scrubber (µs per record, best of 5)\n")
    ours = bench_agentel_alone(args.micro)
    theirs, label = bench_logfire_alone(args.micro)
    rows = []
    for signal in ("span", "log record"):
        for which in ("genai", "text", "dirty"):
            for kind in ("default policy", "50 patterns"):
                a = ours[(signal, which, kind)]
                lf = theirs.get((signal, which, kind))
                rows.append(
                    [
                        f"{signal} ({which})",
                        kind,
                        f"{a:.1f}",
                        f"{lf:.1f}" if lf is not None else label,
                        f"{a / lf:.2f}x" if lf else "-",
                    ]
                )
    print(
        table(
            ["record (set)", "rules", "agentel µs", f"Logfire scrubber µs ({label})", "agentel/Logfire"], rows
        )
    )


if __name__ == "__main__":
    main()
