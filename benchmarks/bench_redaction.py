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

  3. worst case: redaction time per KB on adversarial inputs (the shapes that make backtracking
     regexes quadratic: long almost-matching runs, unclosed quotes/brackets, separators without
     keys), at 8 KB, 32 KB and 1 MB, for this tree and for any other source tree given with
     --before (e.g. `git archive <commit> src | tar -x -C /tmp/before`). A size is skipped once a
     smaller one of the same case took longer than --cap seconds (it would take hours).
  4. false positives: how many ordinary texts (Python stdlib source, docstrings, /usr/share/doc and
     man pages) the value rules and key=value pass would redact, per rule.

Run: python benchmarks/bench_redaction.py [--spans 5000] [--rounds 3] [--micro 3000]
     [--only 3,4] [--before /tmp/before/src]
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


# --- 3. worst case on adversarial inputs --------------------------------------------------------

_ADVERSARIAL = r"""
import json, sys, time
from agentel.redaction import Policy, Redactor

cap = float(sys.argv[1])
policy = Policy.default().enable("ipv4")
if "record_budget_ms" in Policy.__dataclass_fields__:
    policy = policy.extend(record_budget_ms=0)  # the scan itself, not the budget's cut-off
red = Redactor(policy)
k = lambda unit, n: (unit * (n // len(unit) + 1))[:n]
cases = {
    "kv: long identifier before a key": lambda n: k("a_", n) + " password: x",
    "kv: stems with far separators": lambda n: k("password" + "_x" * 20 + "=", n),
    "kv: separators without keys": lambda n: k("a:", n),
    "kv: unclosed quote": lambda n: 'password: "' + "a" * n,
    "kv: unclosed list of strings": lambda n: "password: [" + k('"a",', n),
    "kv: escaped JSON list": lambda n: 'x \\"password\\": [' + k('\\"a\\",', n),
    "json: deep": lambda n: "[" * n,
    "email: long local part": lambda n: k("a_", n) + "@example.com",
    "email: dotted domain": lambda n: "x@" + k("a.", n) + "1",
    "card: spaced digits": lambda n: k("4 ", n),
    "dna: codon groups": lambda n: k("acg ", n) + "x",
    "jwt: segments": lambda n: k("eyJa.", n),
    "bearer: spaces": lambda n: "Bearer " + " " * n,
    "ipv4: octets": lambda n: k("255.", n),
}
for name, gen in cases.items():
    slow = False
    for size in (8192, 32768, 1048576):
        if slow:
            print(json.dumps({"case": name, "size": size, "t": None}), flush=True)
            continue
        s = gen(size)
        t0 = time.process_time()
        try:
            red.redact_text(s)
            error = None
        except Exception as exc:  # the old tree raised RecursionError on deep JSON
            error = type(exc).__name__
        t = time.process_time() - t0
        slow = t > cap
        print(json.dumps({"case": name, "size": size, "t": t, "error": error}), flush=True)
"""


def bench_adversarial(src: str, cap: float) -> dict[tuple[str, int], tuple[float | None, str | None]]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.abspath(src)
    proc = subprocess.run(
        [sys.executable, "-c", _ADVERSARIAL, str(cap)], capture_output=True, text=True, env=env, timeout=3600
    )
    if proc.returncode != 0:
        raise SystemExit(f"adversarial run in {src} failed: {proc.stderr[-500:]}")
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    return {(r["case"], r["size"]): (r["t"], r.get("error")) for r in rows}


def adversarial_table(trees: list[tuple[str, str]], cap: float) -> str:
    results = {label: bench_adversarial(src, cap) for label, src in trees}
    cases = list(dict.fromkeys(c for res in results.values() for c, _ in res))
    rows = []
    worst: dict[str, float] = {label: 0.0 for label, _ in trees}
    for case in cases:
        for size in (8192, 32768, 1048576):
            row: list[object] = [case, f"{size // 1024} KB"]
            for label, _ in trees:
                t, error = results[label].get((case, size), (None, None))
                if t is None:
                    row.append(f"skipped (> {cap:g} s at a smaller size)")
                    continue
                per_kb = t * 1000 / (size / 1024)
                worst[label] = max(worst[label], per_kb)
                row.append(f"{t * 1000:.1f} ms ({per_kb:.3f} ms/KB)" + (f", raised {error}" if error else ""))
            rows.append(row)
    rows.append(["**worst case**", "", *[f"**{worst[label]:.3f} ms/KB**" for label, _ in trees]])
    return table(["input", "size", *[label for label, _ in trees]], rows)


# --- 4. false positives on ordinary text ---------------------------------------------------------


def _read(path: str) -> str | None:
    """A text file's content (gzip-compressed or not; at most 200 KB), None when unreadable."""
    import gzip

    try:
        with gzip.open(path) if path.endswith(".gz") else open(path, "rb") as fh:
            return bytes(fh.read(200_000)).decode("utf-8")
    except (OSError, UnicodeDecodeError, EOFError):
        return None


def ordinary_texts(limit_bytes: int = 8_000_000) -> dict[str, list[str]]:
    """Ordinary English and code, from what any machine has: the Python stdlib (source files and,
    separately, their docstrings), /usr/share/doc text files and man pages."""
    import ast
    import sysconfig

    out: dict[str, list[str]] = {"python source": [], "python docstrings": [], "/usr/share/doc": []}
    stdlib = sysconfig.get_paths()["stdlib"]
    total = 0
    for root, dirs, files in sorted(os.walk(stdlib)):
        dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "test", "tests", "idlelib"))
        for f in sorted(files):
            if not f.endswith(".py") or total > limit_bytes:
                continue
            text = _read(os.path.join(root, f))
            if text is None:
                continue
            total += len(text)
            out["python source"].extend(p for p in text.split("\n\n") if p.strip())
            try:
                tree = ast.parse(text)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                    doc = ast.get_docstring(node)
                    if doc:
                        out["python docstrings"].append(doc)
    total = 0
    for root, _dirs, files in sorted(os.walk("/usr/share/doc")):
        for f in sorted(files):
            path = os.path.join(root, f)
            if total > limit_bytes or "copyright" in f:
                continue
            text = _read(path)
            if text is None:
                continue
            total += len(text)
            out["/usr/share/doc"].extend(p for p in text.split("\n\n") if p.strip())
    man = []
    for root, _dirs, files in sorted(os.walk("/usr/share/man/man1")):
        for f in sorted(files)[:400]:
            page = _read(os.path.join(root, f))
            if page is not None:
                man.append(page)
    if man:
        out["man pages"] = [p for text in man for p in text.split("\n.PP") if p.strip()]
    return out


def false_positive_table() -> tuple[str, dict[str, float]]:
    from agentel.redaction import Policy, Redactor

    red = Redactor(Policy.default().extend(record_budget_ms=0))
    texts = ordinary_texts()
    rows = []
    rates: dict[str, float] = {}
    for corpus, paragraphs in texts.items():
        fired: dict[str, int] = {}
        kb = sum(len(p) for p in paragraphs) / 1024
        for p in paragraphs:
            out = red.redact_text(p)
            if out is p or out == p:
                continue
            for rule in {m.split("]")[0].split("#")[0] for m in out.split("[REDACTED:")[1:]}:
                fired[rule] = fired.get(rule, 0) + 1
        n = len(paragraphs)
        any_rule = sum(1 for p in paragraphs if red.redact_text(p) != p)
        rates[corpus] = any_rule / n if n else 0.0
        detail = ", ".join(f"{r} {c}" for r, c in sorted(fired.items(), key=lambda x: -x[1])) or "-"
        rows.append([corpus, n, f"{kb:.0f}", any_rule, f"{100 * any_rule / n:.2f}%" if n else "-", detail])
    return table(["corpus", "paragraphs", "KB", "redacted", "rate", "by rule (paragraphs)"], rows), rates


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spans", type=int, default=5000, help="spans (and log records) per pipeline run")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--micro", type=int, default=3000, help="spans per set for the redactor-alone timing")
    ap.add_argument("--only", default="1,2,3,4", help="sections to run (comma-separated numbers)")
    ap.add_argument("--before", action="append", default=[], help="another source tree (src dir) for 3.")
    ap.add_argument("--cap", type=float, default=10.0, help="3.: skip bigger sizes past this many s")
    args = ap.parse_args()
    only = {int(x) for x in args.only.split(",")}
    if 3 in only:
        print("## 3. worst case: CPU time on adversarial inputs (one redact_text call)\n")
        here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
        trees = [(f"before ({b})", b) for b in args.before] + [("this tree", here)]
        print(adversarial_table(trees, args.cap))
        print()
    if 4 in only:
        print("## 4. false positives: ordinary paragraphs the default policy redacts\n")
        print(false_positive_table()[0])
        print()
    if not only & {1, 2}:
        return

    if 1 not in only:
        return bench_section_2(args)
    print("## 1. pipeline CPU time per record (process time incl. the batch worker; files sink)\n")
    rows: list[list[object]] = []
    for which in ("genai", "text"):
        rows += bench_pipeline(args.spans, args.rounds, which)
    print(table(["record (set)", "redaction", "µs CPU/record", "vs no redaction"], rows))

    if 2 in only:
        bench_section_2(args)


def bench_section_2(args: Any) -> None:
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
