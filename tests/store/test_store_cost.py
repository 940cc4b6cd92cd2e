"""Issue 16 item 2: every call gets a cost in the store, equal to the SDK's to the cent.

Spans from an instrumentation that computes no cost (OpenInference, OpenLLMetry, another language)
are priced by the store from the same price data the SDK uses; unknown models stay unpriced;
`reprice` recomputes with the installed data or overrides and says what changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import agentel
from agentel.analytics import prices
from agentel.genai import cost as gcost
from agentel.store.engine import Engine
from agentel.store.loader import load

CALLS = [
    # (provider, model, input, cache_read, cache_write, output, attrs of the dialect)
    ("openai", "gpt-4o-mini", 1200, 1000, 0, 300, "gen_ai"),
    ("anthropic", "claude-3-5-haiku-latest", 5000, 0, 4000, 700, "gen_ai"),
    ("openai", "gpt-4o", 800, 0, 0, 50, "openinference"),
    ("openai", "my-local-llama-42", 100, 0, 0, 10, "gen_ai"),  # no price data knows it
]


def _attrs(provider: str, model: str, inp: int, cr: int, cw: int, out: int, dialect: str) -> dict:
    if dialect == "openinference":
        return {
            "openinference.span.kind": "LLM",
            "llm.provider": provider,
            "llm.model_name": model,
            "llm.token_count.prompt": inp,
            "llm.token_count.completion": out,
            "llm.token_count.prompt_details.cache_read": cr,
            "llm.token_count.prompt_details.cache_write": cw,
        }
    return {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": provider,
        "gen_ai.request.model": model,
        "gen_ai.usage.input_tokens": inp,
        "gen_ai.usage.output_tokens": out,
        "gen_ai.usage.cache_read.input_tokens": cr,
        "gen_ai.usage.cache_creation.input_tokens": cw,
    }


@pytest.fixture()
def no_overrides() -> Iterator[None]:
    gcost.clear_overrides()
    yield
    gcost.clear_overrides()


def _priced(engine: Engine) -> dict[str, tuple]:
    rows = engine.query(
        "SELECT Model, CostUsd, PricedCostUsd, PriceSource, PriceVersion FROM llm_calls_priced"
    ).rows
    return {r[0]: r[1:] for r in rows}


@pytest.mark.usefixtures("no_overrides")
def test_store_prices_calls_without_sdk_cost_like_the_sdk(engine: Engine, tmp_path: Path) -> None:
    agentel.configure(dir=str(tmp_path / "t"), run_id="r", metrics_interval_s=0, console="off")
    for c in CALLS:
        with agentel.span(f"chat {c[1]}", **_attrs(*c)):
            pass
    agentel.shutdown()
    load(engine, [str(tmp_path / "t")])
    assert prices.refresh(engine) == 3  # the unknown model gets no price row
    got = _priced(engine)
    for provider, model, inp, cr, cw, out, _ in CALLS:
        sdk = gcost.compute(provider, model, gcost.Usage(inp, cr, cw, 0, out))
        sdk_usd, source, version = got[model][1], got[model][2], got[model][3]
        assert got[model][0] is None  # no SDK cost on these spans
        if sdk is None:
            assert (sdk_usd, source) == (None, "")  # unknown stays unknown, never zero
            continue
        assert sdk_usd is not None and round(sdk_usd, 2) == round(sdk.total_usd, 2)
        assert abs(sdk_usd - sdk.total_usd) < 1e-9
        assert (source, version) == (sdk.source, sdk.version)
    assert prices.refresh(engine) == 0  # nothing new


@pytest.mark.usefixtures("no_overrides")
def test_reprice_applies_a_prices_file_and_says_what_changed(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    agentel.configure(dir=str(tmp_path / "t"), run_id="r", metrics_interval_s=0, console="off")
    for c in CALLS:
        with agentel.span(f"chat {c[1]}", **_attrs(*c)):
            pass
    agentel.shutdown()
    load(engine, [str(tmp_path / "t")])
    prices.refresh(engine)
    before = _priced(engine)
    prices_file = tmp_path / "prices.json"
    prices_file.write_text(
        json.dumps(
            {
                "prices": [
                    {"model": "gpt-4o", "provider": "openai", "input_mtok": 1.0, "output_mtok": 2.0},
                    {"model": "my-local-llama-*", "input_mtok": 0.5, "output_mtok": 0.5},
                ]
            }
        )
    )
    monkeypatch.setenv("AGENTEL_PRICES_FILE", str(prices_file))
    changes = {c.model: c for c in prices.reprice(engine)}
    assert set(changes) == {"gpt-4o", "my-local-llama-42"}
    assert changes["gpt-4o"].before_usd == before["gpt-4o"][1]
    assert changes["gpt-4o"].after_usd == pytest.approx((800 * 1.0 + 50 * 2.0) / 1e6)
    assert changes["my-local-llama-42"].before_usd is None
    assert changes["my-local-llama-42"].after_usd == pytest.approx(110 * 0.5 / 1e6)
    assert changes["gpt-4o"].version.startswith("override sha256:")
    # the SDK path prices with the same file: the two agree
    sdk = gcost.compute("openai", "gpt-4o", gcost.Usage(800, 0, 0, 0, 50))
    assert sdk is not None and sdk.total_usd == pytest.approx(changes["gpt-4o"].after_usd)


@pytest.mark.usefixtures("no_overrides")
def test_cost_command_prices_third_party_calls_and_reprice_prints_changes(tmp_path: Path) -> None:
    from testsupport import invoke_cli

    agentel.configure(dir=str(tmp_path / "d"), run_id="r", metrics_interval_s=0, console="off")
    for c in CALLS:
        with agentel.span(f"chat {c[1]}", **_attrs(*c)):
            pass
    agentel.shutdown()
    env = {"AGENTEL_DIR": str(tmp_path / "d"), "AGENTEL_NO_SERVE": "1", "CLICKHOUSE_URL": ""}
    first = invoke_cli("cost", "--since", "30d", "--format", "json", env=env)
    assert first.exit_code == 0, first.output
    by_model = {r["key"] if "key" in r else r["model"]: r for r in json.loads(first.stdout)}
    sdk = gcost.compute("openai", "gpt-4o", gcost.Usage(800, 0, 0, 0, 50))
    assert sdk is not None and by_model["gpt-4o"]["cost_usd"] == pytest.approx(sdk.total_usd)
    assert by_model["my-local-llama-42"]["cost_usd"] is None
    prices_file = tmp_path / "prices.toml"
    prices_file.write_text('[[prices]]\nmodel = "my-local-llama-*"\ninput_mtok = 0.5\noutput_mtok = 0.5\n')
    again = invoke_cli(
        "cost", "--reprice", "--since", "30d", env=env | {"AGENTEL_PRICES_FILE": str(prices_file)}
    )
    assert again.exit_code == 0, again.output
    assert "repriced openai/my-local-llama-42: 1 call(s) unpriced -> $0.000055" in again.output
    assert "reprice: 1 model(s) changed" in again.output


def test_a_store_that_cannot_refresh_prices_still_answers_the_report() -> None:
    from agentel.store.engine import StoreError

    class Failing:
        database = "agentel"

        def query(self, *a: object, **k: object) -> None:
            raise StoreError("read-only store")

        def execute(self, *a: object, **k: object) -> None:
            raise StoreError("read-only store")

    assert prices.refresh(Failing()) == 0  # type: ignore[arg-type]
