"""Each value rule: what it redacts, what it must leave alone, and the marker it leaves."""

from __future__ import annotations

import pytest

from agentel.redaction import PatternRule, Policy, Redactor, marker
from agentel.redaction.rules import derive_triggers, luhn


@pytest.fixture(scope="module")
def red() -> Redactor:
    return Redactor(Policy.default())


POSITIVES = [
    ("openai_key", "key sk-proj-EXAMPLEexampleEXAMPLE0123456789abcd end"),
    ("openai_key", "sk-EXAMPLEexampleEXAMPLE0123456789"),
    ("anthropic_key", "x-api: sk-ant-api03-EXAMPLEexampleEXAMPLEexample0123456789-_AA"),
    ("aws_access_key", "creds AKIAIOSFODNN7EXAMPLE here"),
    ("github_token", "token ghp_EXAMPLEexampleEXAMPLEexample0123456789 ok"),
    ("github_token", "github_pat_11EXAMPLE0example_EXAMPLEexample0123"),
    ("jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
    ("bearer", "Authorization: Bearer abcdefABCDEF0123456789.xyz"),
    ("bearer", "BEARER abcdefABCDEF0123456789"),
    ("email", "write to jane.doe+llm@example.co.uk today"),
    ("credit_card", "card 4111 1111 1111 1111 exp"),
    ("credit_card", "5500-0000-0000-0004"),
    ("credit_card", "amex 378282246310005."),
    ("dna", "ACGTACGTTAGCNNACGTACGTAA"),
    ("dna_run", "read: TTAGGGTTAGGGTTAGGGTTAGGG (telomere)"),
]


@pytest.mark.parametrize(("rule", "text"), POSITIVES)
def test_rule_replaces_the_match_with_a_marker_naming_it(red: Redactor, rule: str, text: str) -> None:
    out = red.redact_text(text)
    assert marker(rule) in out
    # the secret part is gone, the words around it stay
    words = [w for w in text.split() if len(w) >= 13]
    for w in words:
        if any(c.isdigit() for c in w) or w.startswith(("sk-", "AKIA", "ghp_", "eyJ", "TTAG")):
            assert w.strip(".") not in out


NEGATIVES = [
    "gpt-4o-mini",
    "claude-3-5-sonnet-20241022",
    "chat",
    "2024-11-05T12:34:56.789Z",
    "3f2b8c1e-9a4d-4e7b-8c2a-1d9e5f6a7b8c",
    "chatcmpl-AbCdEf0123456789xyz",
    "/home/app/src/agents/loop.py",
    "1700000000000000000",  # a ns timestamp: starts with 1, never a card
    "4111 1111 1111 1112",  # fails Luhn
    "version 1.2.3.4",  # ipv4 is off by default
    "The quick brown fox jumps over the lazy dog, twice.",
    "ACGT",  # too short to be a sequence
    "max_tokens=512 input_tokens: 7",
    "https://api.openai.com/v1/chat/completions",
    "sk-short",
    "a@b",  # not an address
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_ordinary_values_are_left_alone(red: Redactor, text: str) -> None:
    assert red.redact_text(text) == text


def test_luhn() -> None:
    assert luhn("4111111111111111")
    assert luhn("4111-1111-1111-1111")
    assert not luhn("4111111111111112")
    assert not luhn("1234")


def test_card_number_stored_as_an_integer_is_redacted(red: Redactor) -> None:
    assert red.redact_value(4111111111111111) == marker("credit_card")
    assert red.redact_value(1700000000000000000) == 1700000000000000000
    assert red.redact_value(42) == 42


def test_dna_whole_value_and_runs_inside_text(red: Redactor) -> None:
    assert red.redact_text("ACGTNACGTNACGTNACGTNA") == marker("dna")
    out = red.redact_text("sample seq GATTACAGATTACAGATTACAGATTACA end")
    assert out == f"sample seq {marker('dna_run')} end"


def test_ipv4_is_redacted_only_where_configured() -> None:
    text = "client 192.168.10.42 connected"
    assert Redactor(Policy.default()).redact_text(text) == text
    on = Redactor(Policy.default().enable("ipv4"))
    assert on.redact_text(text) == f"client {marker('ipv4')} connected"


def test_key_value_pairs_in_text_lose_their_value(red: Redactor) -> None:
    assert red.redact_text("password=hunter2 user=bob") == f"password={marker('denied_key')} user=bob"
    assert (
        red.redact_text('{"api_key" : "a b c"}'.replace("{", "x{"))
        == f'x{{"api_key" : {marker("denied_key")}}}'
    )
    assert red.redact_text("db_password: s3cret; next") == f"db_password: {marker('denied_key')}; next"
    assert red.redact_text("Set-Cookie: sid=abc") == f"Set-Cookie: {marker('denied_key')}"
    # token *counts* are not tokens
    assert red.redact_text("input_tokens=5, max_tokens: 100") == "input_tokens=5, max_tokens: 100"


def test_json_text_is_redacted_key_by_key(red: Redactor) -> None:
    out = red.redact_text('{"user": {"email": "x", "name": "Al"}, "note": "mail al@example.org"}')
    assert out == (
        '{"user":{"email":"' + marker("denied_key") + '","name":"Al"},"note":"mail ' + marker("email") + '"}'
    )
    # clean JSON is returned untouched, formatting included
    clean = '{ "a": 1,  "b": [1, 2] }'
    assert red.redact_text(clean) is clean or red.redact_text(clean) == clean


def test_redaction_is_idempotent(red: Redactor) -> None:
    text = "mail jane@example.com, key sk-proj-EXAMPLEexampleEXAMPLE0123456789, password=x"
    once = red.redact_text(text)
    assert red.redact_text(once) == once


def test_hash_action_gives_stable_keyed_digests(monkeypatch: pytest.MonkeyPatch) -> None:
    policy = Policy.default().extend(patterns=[Policy.default().rule("email").replace(action="hash")])
    monkeypatch.setenv("AGENTEL_REDACTION_HASH_KEY", "k1")
    a = Redactor(policy)
    first = a.redact_text("jane@example.com")
    assert first.startswith("[REDACTED:email#") and "jane" not in first
    assert a.redact_text("to jane@example.com") == f"to {first}"  # equal values stay joinable
    assert a.redact_text("joe@example.com") != first
    monkeypatch.setenv("AGENTEL_REDACTION_HASH_KEY", "k2")
    assert Redactor(policy).redact_text("jane@example.com") != first  # unreadable without the key


def test_hashed_keys() -> None:
    red = Redactor(Policy.default().extend(hash_keys=["user_id"]))
    from agentel.redaction.redactor import Tally

    t = Tally()
    out = red.mapping({"user_id": "u-123", "n": 1}, t)
    assert out["user_id"].startswith("[REDACTED:hashed_key#") and out["n"] == 1
    assert t.rules == ["hashed_key"]


def test_user_rule_with_derived_trigger() -> None:
    rule = PatternRule("ticket", r"TICKET-\d{6}", description="internal tickets")
    red = Redactor(Policy.default().extend(patterns=[rule]))
    assert red.redact_text("see TICKET-123456 now") == f"see {marker('ticket')} now"
    assert red.rules[-1].triggers == ("TICKET-",)


@pytest.mark.parametrize(
    ("regex", "triggers"),
    [
        (r"TICKET-\d{6}", ("TICKET-",)),
        (r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", ("AKIA", "ASIA")),
        (r"(?i)acme[-_]corp", ("acme-corp", "acme_corp")),
        (r"CUST(?:OMER)?-\d+", ("CUST",)),
        (r"\d{3}-\d{2}-\d{4}", None),
        (r"x(a|b+)yz", ("yz",)),
    ],
)
def test_triggers_are_literals_every_match_contains(regex: str, triggers: tuple[str, ...] | None) -> None:
    assert derive_triggers(regex)[0] == triggers


def test_validator_can_veto_a_match() -> None:
    rule = PatternRule("even", r"\bN\d+\b", validator=lambda s: int(s[1:]) % 2 == 0)
    red = Redactor(Policy.empty().extend(patterns=[rule]))
    assert red.redact_text("N2 N3") == f"{marker('even')} N3"


def test_rules_sharing_a_trigger_prefix_all_still_fire() -> None:
    rules = [PatternRule(f"acme_{i}", rf"ACME{i:02d}-[A-Z0-9]{{6}}") for i in range(12)]
    red = Redactor(Policy.default().extend(patterns=rules))
    text = " ".join(f"ACME{i:02d}-ABC123" for i in range(12))
    assert red.redact_text(text) == " ".join(marker(f"acme_{i}") for i in range(12))


def test_count_gate_is_only_a_prefilter() -> None:
    gated = PatternRule("badge", r"B\d{4}", requires_chars="0123456789", requires_count=4)
    red = Redactor(Policy.empty().extend(patterns=[gated]))
    assert red.redact_text("B1234") == marker("badge")
    assert red.redact_text("B123") == "B123"
    assert red.redact_text("B12 34") == "B12 34"  # four digits, no match: the regex decides
