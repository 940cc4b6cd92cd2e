"""The policy rendered for the collector's redaction processor is consistent with the policy:
every key the SDK denies and every value it redacts is masked by the collector too (a superset),
the config is valid for the real collector, and data that skipped the SDK comes out masked."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from agentel.redaction import PatternRule, Policy
from agentel.redaction.collector import re2_problem, render, render_yaml
from agentel.redaction.policy import normalize_key

POLICY = Policy.default().enable("ipv4")


def _compiled(patterns: list[str]) -> list[re.Pattern[str]]:
    # the rendered patterns are RE2; Python's re reads this subset the same way
    return [re.compile(p) for p in patterns]


def test_every_active_rule_is_rendered_and_masks_its_samples() -> None:
    result = render(POLICY)
    assert not result.skipped
    for rule in POLICY.active_patterns:
        rx = re.compile(result.rule_patterns[rule.name])
        assert rule.samples, f"rule {rule.name} has no samples to check against"
        for sample in rule.samples:
            assert rx.search(sample), f"collector pattern for {rule.name} misses its sample {sample!r}"
    blocked = result.processor["blocked_values"]
    assert set(result.rule_patterns.values()) == set(blocked)
    assert result.processor["allow_all_keys"] is True
    assert result.processor["summary"] == "silent"


def test_rendered_patterns_are_re2_syntax() -> None:
    result = render(POLICY)
    for rx in [*result.processor["blocked_values"], *result.processor["blocked_key_patterns"]]:
        assert re2_problem(rx) is None, rx


def _spellings(word: str) -> list[str]:
    parts = normalize_key(word).split("_")
    camel = parts[0] + "".join(p.capitalize() for p in parts[1:])
    return [
        "_".join(parts),
        "-".join(parts),
        "_".join(parts).upper(),
        camel,
        "x" + camel[0].upper() + camel[1:],
        "db_" + "_".join(parts),
        "http.request.header." + "-".join(parts),
    ]


@settings(max_examples=200, deadline=None)
@given(word=st.sampled_from(POLICY.deny_keys), pick=st.integers(0, 6))
def test_every_key_the_sdk_denies_is_blocked_by_the_collector(word: str, pick: int) -> None:
    key = _spellings(word)[pick]
    blocked = _compiled(render(POLICY).processor["blocked_key_patterns"])
    if POLICY.key_rule(key) is not None:
        assert any(p.search(key) for p in blocked), f"SDK denies {key!r}, the collector would not"


@pytest.mark.parametrize(
    "key",
    [
        "gen_ai.usage.input_tokens",
        "gen_ai.token.type",
        "gen_ai.request.model",
        "gen_ai.response.id",
        "llm.token_count.prompt",
        "service.name",
        "agentel.run_id",
    ],
)
def test_everyday_keys_are_not_blocked_by_the_collector(key: str) -> None:
    blocked = _compiled(render(POLICY, capture_content=True).processor["blocked_key_patterns"])
    assert not any(p.search(key) for p in blocked)


def test_content_keys_are_blocked_only_when_capture_is_off() -> None:
    off = _compiled(render(POLICY).processor["blocked_key_patterns"])
    on = _compiled(render(POLICY, capture_content=True).processor["blocked_key_patterns"])
    for key in ("gen_ai.input.messages", "gen_ai.prompt.0.content", "input.value"):
        assert any(p.search(key) for p in off)
        assert not any(p.search(key) for p in on)


def test_rules_the_collector_cannot_run_are_reported_not_silently_dropped() -> None:
    policy = Policy.default().extend(patterns=[PatternRule("ticket", r"(?<!X)TICKET-\d+")])
    result = render(policy)
    assert "ticket" in result.skipped and "lookaround" in result.skipped["ticket"]
    assert "NOT RENDERED: rule ticket" in render_yaml(policy)
    fixed = policy.extend(patterns=[policy.rule("ticket").replace(collector_regex=r"\bTICKET-\d+")])
    assert render(fixed).rule_patterns["ticket"] == r"\bTICKET-\d+"


def test_render_yaml_is_a_collector_config_fragment() -> None:
    doc = yaml.safe_load(render_yaml(POLICY, name="redaction/agentel"))
    assert list(doc) == ["processors"]
    assert set(doc["processors"]["redaction/agentel"]) >= {
        "allow_all_keys",
        "blocked_values",
        "blocked_key_patterns",
    }


# --- the real collector ----------------------------------------------------------------------

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "collector"))


@pytest.fixture(scope="module")
def collector_bin() -> Path:
    from collector_process import collector_binary

    path = collector_binary()
    if not path.exists():
        pytest.skip(
            f"agentel collector binary not built at {path}: run `make collector` (`make test` builds it)"
        )
    return path


def test_the_real_collector_accepts_the_rendered_config(collector_bin: Path, tmp_path: Path) -> None:
    import subprocess

    from collector_process import CONFIG

    rendered = tmp_path / "redaction.yaml"
    rendered.write_text(render_yaml(POLICY))
    proc = subprocess.run(
        [str(collector_bin), "validate", "--config", str(CONFIG), "--config", str(rendered)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    # validate builds the pipelines, so every regex was compiled by Go's RE2
    assert proc.returncode == 0, proc.stderr


def test_data_that_skipped_the_sdk_comes_out_of_the_collector_masked(
    collector_bin: Path, tmp_path: Path
) -> None:
    """A plain OTel SDK (no agentel redaction) → OTLP → collector with the rendered processor → file."""
    from collector_process import CollectorProcess, load_config, wait_for, without_clickhouse
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    config = without_clickhouse(load_config())
    config["processors"]["redaction"] = render(POLICY).processor
    proc = CollectorProcess(collector_bin, config, tmp_path)
    proc.start()
    try:
        provider = TracerProvider(resource=Resource({"service.name": "raw-otel"}), shutdown_on_exit=False)
        provider.add_span_processor(
            SimpleSpanProcessor(OTLPSpanExporter(endpoint=f"{proc.otlp_http}/v1/traces"))
        )
        tracer = provider.get_tracer("raw")
        samples = {rule.name: rule.samples[0] for rule in POLICY.active_patterns}
        secrets: dict[str, Any] = {f"note.{name}": f"x {sample} y" for name, sample in samples.items()}
        secrets.update(
            {"password": "Zq9-collector-pw", "userEmail": "Zq9-collector-mail", "card_int": 4111111111111111}
        )
        with tracer.start_as_current_span("raw span", attributes=secrets):
            pass
        provider.shutdown()

        def traces_written() -> str | None:
            text = "\n".join(p.read_text() for p in proc.files("traces"))
            return text if "raw span" in text else None

        text = wait_for(traces_written, 30, "the collector's trace file")
    finally:
        proc.stop()
        time.sleep(0)  # nothing to wait for: stop() waits for the process
    for name, sample in samples.items():
        needle = {"credit_card": "4111 1111", "dna_run": "TTAGGGTTAGGG", "dna": "ACGTACGTTAGC"}.get(
            name, sample
        )
        assert needle not in text, f"rule {name}: {sample!r} passed the collector"
    assert "Zq9-collector-pw" not in text and "Zq9-collector-mail" not in text
    assert "4111111111111111" not in text
    assert "****" in text


def test_rendering_is_deterministic_across_processes(tmp_path: Path) -> None:
    """Set iteration order changes with hash randomization; the rendered file must not."""
    import os
    import subprocess

    code = "from agentel.redaction import Policy; from agentel.redaction.collector import render_yaml; print(render_yaml(Policy.default()))"
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outs) == 1


@pytest.mark.parametrize(
    "key",
    ["USEREMAIL", "user:email", "user[email]", "passwords", "password_hash", "e-mail", "apiKeys", "SAMPLEID"],
)
def test_normalised_key_spellings_are_blocked_by_the_collector_too(key: str) -> None:
    assert POLICY.key_rule(key) == "denied_key"
    blocked = _compiled(render(POLICY).processor["blocked_key_patterns"])
    assert any(p.search(key) for p in blocked), key
