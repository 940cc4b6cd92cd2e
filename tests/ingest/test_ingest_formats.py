"""Each log format is read into the same interaction; bad records are named precisely."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ingest_samples import agentel_record, anthropic_pair, openai_pair

from agentel.ingest import FormatError, detect, parse_record
from agentel.ingest.formats import parse_time_ns

NOW = 1_800_000_000_000_000_000


def test_openai_chat_pair() -> None:
    it = parse_record(openai_pair(7), NOW)
    assert (it.format, it.provider, it.model, it.response_model) == (
        "openai.chat",
        "openai",
        "gpt-4o-mini",
        "gpt-4o-mini-2024-07-18",
    )
    assert it.key == "openai.chat:chatcmpl-000007"
    assert it.start_ns == (1_767_225_600 + 7) * 10**9 and it.duration_s == pytest.approx(0.64)
    assert (it.input_tokens, it.output_tokens, it.finish_reasons) == (20, 2, ["stop"])
    # read as the live instrumentor reads the same request (one attribute builder, issue 13)
    assert it.request_attributes == {"gen_ai.request.temperature": 0.2, "gen_ai.request.max_tokens": 50}
    assert it.input_messages[0] == {"role": "system", "parts": [{"type": "text", "content": "Be brief."}]}
    assert it.output_messages == [
        {"role": "assistant", "parts": [{"type": "text", "content": "Paris."}], "finish_reason": "stop"}
    ]


def test_openai_failed_request_and_json_mode() -> None:
    failed = {
        "request": {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
        "error": {"error": {"type": "rate_limit_exceeded", "message": "slow down"}},
        "timestamp": "2026-01-01T00:00:00Z",
    }
    it = parse_record(failed, NOW)
    assert (it.error_type, it.error_message, it.output_messages) == ("rate_limit_exceeded", "slow down", [])
    pair = openai_pair(1, answer='{"a": 1}')
    pair["request"]["response_format"] = {"type": "json_object"}
    assert parse_record(pair, NOW).expects_json


def test_anthropic_pair_counts_cache_tokens_as_input() -> None:
    it = parse_record(anthropic_pair(3), NOW)
    assert (it.format, it.provider, it.key) == (
        "anthropic.messages",
        "anthropic",
        "anthropic.messages:msg_000003",
    )
    assert (it.input_tokens, it.cache_read_tokens, it.cache_write_tokens, it.output_tokens) == (18, 5, 3, 1)
    assert it.system == [{"type": "text", "content": "Be brief."}]
    assert it.finish_reasons == ["stop"]  # the conventions' enum (Anthropic's end_turn)
    assert it.attributes["anthropic.response.stop_reason"] == "end_turn"
    assert it.start_ns == 1_767_261_600 * 10**9


def test_agentel_format() -> None:
    it = parse_record(
        agentel_record(2, reference_answer="Hello", metadata={"team": "a", "nested": {"x": 1}}), NOW
    )
    assert (it.format, it.provider, it.model, it.key) == ("agentel", "openai", "gpt-4o", "agentel:rec-2")
    assert it.input_messages == [{"role": "user", "parts": [{"type": "text", "content": "Say hello #2"}]}]
    assert it.system == [{"type": "text", "content": "You are terse."}]
    assert it.attributes == {"run": "import-1", "task": "greeting", "metadata.team": "a"}
    assert (it.reference_answer, it.duration_s) == ("Hello", 1.25)
    convo = parse_record(
        {
            "model": "claude-sonnet-4-0",
            "messages": [{"role": "user", "content": "a"}],
            "prompt": "b",
            "answer": "c",
        },
        NOW,
    )
    assert convo.provider == "anthropic" and [m["role"] for m in convo.input_messages] == ["user", "user"]
    assert convo.start_ns == NOW and convo.key.startswith("agentel:sha256:")  # no time, no id: defaults


def test_records_without_an_id_get_a_stable_content_key() -> None:
    a = parse_record({"model": "m", "prompt": "p", "answer": "x"}, NOW)
    b = parse_record({"answer": "x", "prompt": "p", "model": "m"}, NOW + 1)
    c = parse_record({"model": "m", "prompt": "p", "answer": "y"}, NOW)
    assert a.key == b.key != c.key


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ([1, 2], "expected a JSON object per record, got list"),
        ({"hello": "world"}, "not a known log format"),
        ({"format": "bedrock"}, "format: unknown 'bedrock'"),
        (
            {"request": {"messages": [{"role": "user", "content": "x"}]}, "response": {"choices": []}},
            "request.model: missing",
        ),
        (
            {"request": {"model": "m", "messages": []}, "response": {"choices": []}},
            "request.messages: expected a non-empty list",
        ),
        (
            {
                "request": {"model": "m", "messages": [{"role": "user", "content": "x"}]},
                "response": {"choices": {}},
            },
            "response.choices: expected a list",
        ),
        (
            {**openai_pair(), "response": {**openai_pair()["response"], "usage": {"prompt_tokens": -1}}},
            "response.usage.prompt_tokens: expected a non-negative whole number, got -1",
        ),
        ({"model": "m", "answer": "x"}, "prompt: missing"),
        ({"model": "m", "prompt": "x"}, "answer: missing"),
        ({"model": "m", "prompt": "x", "answer": 3}, "answer: expected a string, got int"),
        (
            {"model": "m", "prompt": "x", "answer": "a", "timestamp": "yesterday"},
            "timestamp: expected ISO 8601",
        ),
        (
            {"model": "m", "prompt": "x", "answer": "a", "latency_s": -2},
            "latency_s: expected a non-negative number",
        ),
        ({"model": "m", "prompt": "x", "answer": "a", "usage": {"input_tokens": 1.5}}, "usage.input_tokens"),
        (
            {
                "request": {"model": "m", "messages": [{"role": "user", "content": "x"}]},
                "response": {"foo": 1},
            },
            "unknown shape",
        ),
    ],
)
def test_bad_records_say_which_field_and_why(record: Any, message: str) -> None:
    with pytest.raises(FormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_record(record, NOW)


def test_detection_by_shape_and_by_declaration() -> None:
    assert detect(openai_pair()) == "openai.chat"
    assert detect(anthropic_pair()) == "anthropic.messages"
    assert detect(agentel_record()) == "agentel"
    assert detect({**agentel_record(), "format": "agentel"}) == "agentel"
    assert detect(
        {"provider": "anthropic", "request": {"model": "m", "messages": []}, "error": "overloaded"}
    ) == ("anthropic.messages")


@pytest.mark.parametrize(
    ("value", "ns"),
    [
        (1_767_225_600, 1_767_225_600 * 10**9),
        (1_767_225_600.5, 1_767_225_600_500_000_000),
        (1_767_225_600_123, 1_767_225_600_123_000_000),
        (1_767_225_600_123_456, 1_767_225_600_123_456_000),
        (1_767_225_600_123_456_789, 1_767_225_600_123_456_789),
        ("2026-01-01T00:00:00Z", 1_767_225_600 * 10**9),
        ("2026-01-01T01:00:00+01:00", 1_767_225_600 * 10**9),
        ("2026-01-01 00:00:00", 1_767_225_600 * 10**9),
    ],
)
def test_times_in_every_common_unit(value: Any, ns: int) -> None:
    assert parse_time_ns(value) == ns


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
        max_leaves=20,
    )
)
def test_any_json_value_is_read_or_refused_with_a_format_error(value: Any) -> None:
    try:
        parse_record(value, NOW)
    except FormatError:
        pass
