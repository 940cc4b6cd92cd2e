"""One cost rule for every source (docs/cost.md): a failed call with no usage reported is not
priced — its cost is unknown, never estimated from guessed tokens — live, ingested or fake."""

from __future__ import annotations

import random
from dataclasses import replace

from agentel.demo import fake
from agentel.genai import semconv as sc
from agentel.ingest import parse_record
from agentel.ingest.record import _estimate, span_attributes

NOW = 1_800_000_000_000_000_000


def test_ingested_anthropic_overloaded_error_is_not_priced() -> None:
    record = {
        "provider": "anthropic",
        "request": {
            "model": "claude-3-5-haiku-latest",
            "max_tokens": 100,
            "messages": [{"role": "user", "content": "Summarise this long report " * 50}],
        },
        "error": {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
    }
    it = parse_record(record, NOW)
    assert it.error_type
    _estimate(it)  # what record_interaction does first
    attrs = span_attributes(it, capture=True)
    assert sc.COST_TOTAL_USD not in attrs and sc.COST_SOURCE not in attrs


def test_ingested_error_with_reported_usage_is_priced() -> None:
    """The rule is about guessed usage: usage the provider reported is priced, error or not."""
    record = {
        "provider": "anthropic",
        "request": {
            "model": "claude-3-5-haiku-latest",
            "max_tokens": 100,
            "messages": [{"role": "user", "content": "hi"}],
        },
        "error": {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
    }
    it = parse_record(record, NOW)
    it.input_tokens, it.output_tokens = 1000, 0
    _estimate(it)
    attrs = span_attributes(it, capture=True)
    assert attrs[sc.COST_TOTAL_USD] > 0


def test_fake_data_errors_are_not_priced() -> None:
    model = replace(fake.MODELS[2], error_rate=1.0)
    it, _, _ = fake._call(random.Random(1), model, fake.TASKS[0], [], 1_767_225_600.0, "r", 0)
    assert it.error_type
    _estimate(it)
    attrs = span_attributes(it, capture=True)
    assert sc.COST_TOTAL_USD not in attrs
    assert sc.USAGE_INPUT_TOKENS not in attrs  # a failed call's usage is not made up either
