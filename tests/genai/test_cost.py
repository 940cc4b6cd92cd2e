"""Cost: genai-prices' cache-aware prices per provider, the fast path, unknown models, overrides."""

from __future__ import annotations

import socket
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from genai_prices import Usage as GPUsage
from genai_prices import calc_price
from hypothesis import given, settings
from hypothesis import strategies as st

import agentel
from agentel.config import ConfigError
from agentel.genai import cost
from agentel.genai import semconv as sc
from agentel.genai.cost import Usage
from agentel.testing import capture

MODELS = [
    ("openai", "gpt-4o-mini"),
    ("openai", "gpt-4o-2024-08-06"),
    ("openai", "o3-mini"),
    ("openai", "text-embedding-3-small"),
    ("anthropic", "claude-sonnet-4-6"),
    ("anthropic", "claude-haiku-4-5"),
    ("anthropic", "claude-opus-4-1"),
    ("anthropic", "claude-sonnet-4-5"),  # tiered above 200k input tokens
    ("gcp.gemini", "gemini-2.5-pro"),  # tiered
    ("aws.bedrock", "anthropic.claude-3-5-sonnet-20241022-v2:0"),
]


@pytest.fixture(autouse=True)
def _no_overrides() -> Any:
    cost.clear_overrides()
    yield
    cost.clear_overrides()


@st.composite
def usages(draw: Any) -> Usage:
    total = draw(st.integers(0, 400_000))
    read = draw(st.integers(0, total))
    write = draw(st.integers(0, total - read))
    write_1h = draw(st.integers(0, write))
    out = draw(st.integers(0, 50_000))
    return Usage(total, read, write, write_1h, out)


@settings(max_examples=300, deadline=None)
@given(model=st.sampled_from(MODELS), usage=usages())
def test_the_fast_path_equals_genai_prices_full_calculation(model: tuple[str, str], usage: Usage) -> None:
    fast = cost.compute(*model, usage)
    exact = cost.compute_exact(*model, usage)
    assert fast is not None and exact is not None
    assert fast.input_usd == pytest.approx(exact.input_usd, rel=1e-9, abs=1e-12)
    assert fast.output_usd == pytest.approx(exact.output_usd, rel=1e-9, abs=1e-12)
    assert fast.total_usd == pytest.approx(exact.input_usd + exact.output_usd, rel=1e-9, abs=1e-12)


def test_exact_is_genai_prices_public_calc_price() -> None:
    usage = Usage(10_000, 4_000, 2_000, 0, 700)
    mine = cost.compute_exact("anthropic", "claude-sonnet-4-6", usage)
    theirs = calc_price(
        GPUsage(
            input_tokens=10_000,
            cache_read_tokens=4_000,
            cache_write_tokens=2_000,
            cache_write_1h_tokens=0,
            output_tokens=700,
        ),
        "claude-sonnet-4-6",
        provider_id="anthropic",
    )
    assert mine is not None and mine.total_usd == pytest.approx(float(theirs.total_price))


def test_openai_cached_input_is_priced_at_the_cache_read_rate_and_not_twice() -> None:
    # gpt-4o-mini: $0.15 input, $0.075 cached input, $0.60 output per MTok
    c = cost.compute(
        "openai", "gpt-4o-mini", Usage(input_tokens=10_000, cache_read_tokens=8_000, output_tokens=1_000)
    )
    assert c is not None
    assert c.input_usd == pytest.approx((2_000 * 0.15 + 8_000 * 0.075) / 1e6)
    assert c.output_usd == pytest.approx(1_000 * 0.60 / 1e6)


def test_anthropic_cache_writes_and_reads_are_priced_as_anthropic_prices_them() -> None:
    # claude-haiku-4-5: $1 input, $1.25 cache write (5m), $2 cache write (1h), $0.10 cache read, $5 output
    usage = Usage(
        input_tokens=10_000,
        cache_read_tokens=5_000,
        cache_write_tokens=3_000,
        cache_write_1h_tokens=1_000,
        output_tokens=100,
    )
    c = cost.compute("anthropic", "claude-haiku-4-5", usage)
    assert c is not None
    uncached = 10_000 - 5_000 - 3_000
    assert c.input_usd == pytest.approx((uncached * 1 + 5_000 * 0.10 + 2_000 * 1.25 + 1_000 * 2) / 1e6)
    assert c.output_usd == pytest.approx(100 * 5 / 1e6)
    assert c.source == "genai-prices" and c.version.startswith("genai-prices ")


def test_tiers_above_the_threshold_take_the_exact_path() -> None:
    small = cost.compute("anthropic", "claude-sonnet-4-5", Usage(100_000, output_tokens=1))
    large = cost.compute("anthropic", "claude-sonnet-4-5", Usage(300_000, output_tokens=1))
    assert small is not None and large is not None
    assert small.input_usd == pytest.approx(100_000 * 3 / 1e6)
    assert large.input_usd == pytest.approx(300_000 * 6 / 1e6)  # long-context rate


def test_an_unknown_model_has_no_cost_and_is_counted(stub: Any) -> None:
    import openai

    assert cost.compute("openai", "my-private-finetune-xyz", Usage(10, output_tokens=10)) is None
    client = openai.OpenAI(base_url=stub.openai_base_url, api_key="sk-test", max_retries=0)
    agentel.instrument_openai()
    try:
        with capture() as cap:
            client.chat.completions.create(
                model="my-private-finetune-xyz-2099-01-01", messages=[{"role": "user", "content": "hi"}]
            )
    finally:
        from agentel.genai.instrumentors.openai import OpenAIInstrumentor

        OpenAIInstrumentor().uninstrument()
        client.close()
    attrs = cap.spans[0].attributes or {}
    assert not [k for k in attrs if k.startswith("agentel.cost.")]
    assert attrs[sc.USAGE_INPUT_TOKENS] > 0  # tokens are there; only the price is unknown
    (unknown,) = cap.metrics()[sc.METRIC_COST_UNKNOWN_MODEL]
    assert unknown.value == 1
    assert dict(unknown.attributes) == {
        sc.PROVIDER_NAME: "openai",
        sc.REQUEST_MODEL: "my-private-finetune-xyz-2099-01-01",
    }
    assert sc.METRIC_COST not in cap.metrics()


def test_prices_are_looked_up_without_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    cost._models.clear()

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("cost lookup tried to open a connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    assert cost.compute("openai", "gpt-4.1", Usage(1000, output_tokens=10)) is not None
    assert cost.compute("anthropic", "claude-opus-4-6", Usage(1000, output_tokens=10)) is not None


def test_prices_on_a_given_date_use_that_days_prices() -> None:
    when = datetime(2025, 6, 1, tzinfo=timezone.utc)
    c = cost.compute("openai", "gpt-4o", Usage(1_000_000), when=when)
    assert c is not None and c.input_usd == pytest.approx(2.5)


def test_overrides_from_code_win_and_say_where_they_came_from() -> None:
    cost.set_price("gpt-4o-mini", provider="openai", input_mtok=1, output_mtok=2, cache_read_mtok=0.5)
    cost.set_price("acme-*", input_mtok=10, output_mtok=20)
    c = cost.compute(
        "openai", "gpt-4o-mini", Usage(1_000_000, cache_read_tokens=500_000, output_tokens=1_000_000)
    )
    assert c is not None and (c.input_usd, c.output_usd) == (pytest.approx(0.75), pytest.approx(2.0))
    assert (c.source, c.version) == ("override", "override:code")
    g = cost.compute("mistral_ai", "ACME-Large-2", Usage(1_000_000))
    assert g is not None and g.input_usd == pytest.approx(10)
    other = cost.compute("anthropic", "gpt-4o-mini", Usage(1_000_000))  # provider-scoped override
    assert other is None or other.source == "genai-prices"


@pytest.mark.parametrize("fmt", ["toml", "json", "yaml"])
def test_overrides_from_a_prices_file(tmp_path: Path, fmt: str) -> None:
    body = {
        "toml": '[[prices]]\nprovider = "openai"\nmodel = "house-model"\ninput_mtok = 2.0\noutput_mtok = 8.0\n',
        "json": '{"prices": [{"provider": "openai", "model": "house-model", "input_mtok": 2.0, "output_mtok": 8.0}]}',
        "yaml": "prices:\n  - provider: openai\n    model: house-model\n    input_mtok: 2.0\n    output_mtok: 8.0\n",
    }[fmt]
    path = tmp_path / f"prices.{fmt}"
    path.write_text(body)
    with capture(prices_file=str(path)):
        c = cost.compute("openai", "house-model", Usage(1_000_000, output_tokens=500_000))
    assert c is not None and c.total_usd == pytest.approx(6.0)
    assert c.source == "override" and c.version.startswith("override sha256:")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"prices": [{"input_mtok": 1}]}', "needs a 'model'"),
        ('{"prices": [{"model": "m", "input_mtk": 1}]}', "unknown key(s) input_mtk"),
        ('{"prices": [{"model": "m", "input_mtok": "cheap"}]}', "must be a number"),
        ('{"prices": [{"model": "m"}]}', "sets no rate"),
        ('{"prices": 3}', "expected a list"),
        ("{not json", "not valid"),
    ],
)
def test_a_bad_prices_file_is_a_clear_error(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "prices.json"
    path.write_text(body)
    with pytest.raises(ConfigError) as err:
        cost.load_overrides(str(path))
    assert message in str(err.value) and "AGENTEL_PRICES_FILE" in str(err.value)


def test_a_missing_prices_file_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        cost.load_overrides("/nonexistent/prices.toml")
