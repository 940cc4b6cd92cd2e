"""Issue 12 items 1, 5, 7: denied keys in text lose their *whole* value, keys are normalised before
matching, the DNA rule sees the forms sequences come in, and a record has a time budget."""

from __future__ import annotations

import json
import time

import pytest

import agentel
from agentel.redaction import Policy, Redactor, marker
from agentel.redaction.redactor import Tally
from agentel.testing import capture

DENIED = marker("denied_key")


@pytest.fixture(scope="module")
def red() -> Redactor:
    return Redactor(Policy.default())


# --- item 1: JSON list/object values of denied keys, whatever surrounds them --------------------


@pytest.mark.parametrize(
    "text",
    [
        '{"password": ["SECRET1", "SECRET2"]}',
        '{"password": ["SECRET1"]} and some trailing text',
        '  {"password": ["SECRET1"]}',
        'log line "api_key": {"v": "SECRET1", "w": ["SECRET2]"]} end',
        'nested {"a": {"token": [[{"x": "SECRET1"}], "SECRET2"]}} x',
        'escaped {\\"password\\": [\\"SECRET1\\", \\"SE]CRET2\\"]} x',
        "python repr {'password': ['SECRET1', \"it's SECRET2\"]}",
        'cut short {"password": ["SECRET1", "SECRET2"',
        'password: "SECRET1 without a closing quote',
        'secret = "' + "SECRET1 " * 100 + '" then more',
        "Authorization: Bearer SECRET1xxxxxxxxxxxxxxxxxx",
    ],
)
def test_a_denied_keys_whole_value_goes(red: Redactor, text: str) -> None:
    out = red.redact_text(text)
    assert "SECRET" not in out, out
    assert "[REDACTED:" in out


def test_json_over_4_mib_with_a_denied_list_is_redacted_whole() -> None:
    red = Redactor(Policy.default().extend(record_budget_ms=0))  # no budget: the scan itself
    items = ",".join(f'"SECRET{i}"' for i in range(450_000))
    text = '{"password": [' + items + '], "note": "kept"}'
    assert len(text) > 4 * 1024 * 1024
    out = red.redact_text(text)
    assert "SECRET" not in out
    assert out == '{"password": ' + DENIED + ', "note": "kept"}'


def test_values_of_other_keys_and_the_text_around_stay(red: Redactor) -> None:
    out = red.redact_text('{"password": ["x"], "user": "bob"} tail')
    assert out == '{"password": ' + DENIED + ', "user": "bob"} tail'


def test_a_log_body_and_an_attribute_with_json_lists_export_no_secret() -> None:
    with capture() as cap:
        agentel.event("app.note", body='{"password": ["SECRET1"]} trailing')
        with agentel.span("s", note=' {"api_key": {"v": "SECRET2"}}'):
            pass
    dumped = json.dumps([list(r.log_record.attributes.values()) + [r.log_record.body] for r in cap.logs])
    dumped += json.dumps([dict(s.attributes or {}) for s in cap.spans])
    assert "SECRET" not in dumped


# --- item 5: key spellings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "USEREMAIL",
        "user:email",
        "user[email]",
        "emails",
        "passwords",
        "password_hash",
        "pwd",
        "e-mail",
        "apiKeys",
        "vcf",
        "genotypes",
        "SAMPLEID",
        "Email Address",
        "access_tokens",
        "X-API-KEY",
        "user.emailAddress",
    ],
)
def test_common_spellings_of_denied_keys_are_denied(key: str) -> None:
    assert Policy.default().key_rule(key) == "denied_key"


@pytest.mark.parametrize(
    "key", ["gen_ai.usage.input_tokens", "max_tokens", "emails_sent", "password_length", "token_type"]
)
def test_counts_and_lengths_are_still_not_denied(key: str) -> None:
    assert Policy.default().key_rule(key) is None


@pytest.mark.parametrize(
    "text", ["USEREMAIL=SECRET1", "user[email]: SECRET1", "apiKeys = SECRET1", "e-mail: SECRET1"]
)
def test_normalised_keys_apply_inside_text(red: Redactor, text: str) -> None:
    assert "SECRET1" not in red.redact_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "acgtacgttagcnnacgtacgtaa",  # soft-masked (lower case)
        "ACGTacgtggccTTAGcatgcaGGTT",  # mixed
        ">chr1\nGATTACAGATTACA\nCCGGTTAACCGGTTAA\n",  # wrapped
        ">chr1\\nGATTACAGATTACA\\nCCGGTTAACCGGTTAA",  # wrapped, escaped newlines
        "ORIGIN\n        1 gatcctccat atacaacggt atctccacct\n       31 caggtttaga",  # GenBank
        "codons ATG GCC ATT GTA ATG GGC CGC TGA",  # spaced
    ],
)
def test_dna_in_the_forms_sequences_come_in(red: Redactor, text: str) -> None:
    out = red.redact_text(text)
    assert "[REDACTED:dna" in out
    for run in ("acgtacgtt", "ACGTacgt", "GATTACAGATTACA", "gatcctccat", "atacaacggt", "GCC ATT"):
        assert run not in out


@pytest.mark.parametrize(
    "text",
    [
        "a cat can tag that gnat",
        "The agent can act at once and then wait.",
        "def cat(tag, act): return tag + act",
        "GATTACA",  # too short
    ],
)
def test_dna_rule_leaves_ordinary_words(red: Redactor, text: str) -> None:
    assert red.redact_text(text) == text


# --- item 7: the time budget ----------------------------------------------------------------------


def test_a_field_over_the_record_budget_is_replaced_and_counted() -> None:
    red = Redactor(Policy.default().extend(record_budget_ms=1))
    t = Tally()
    t.deadline = time.perf_counter() - 1  # the budget is already spent
    out = red.mapping({"big": "x " * 5000 + "jane@example.com", "small": "ok"}, t)
    assert out["big"] == marker("budget")
    assert out["small"] == "ok"
    assert "budget" in t.rules


def test_budget_applies_to_spans_end_to_end() -> None:
    policy = Policy.default().extend(record_budget_ms=0.001)
    with capture(redaction_policy=policy) as cap:
        with agentel.span("s", prompt="word " * 200_000 + "password=SECRET1"):
            pass
    attrs = dict(cap.spans[0].attributes or {})
    assert attrs["prompt"] == marker("budget")
    assert agentel.redaction.counts()["redacted"].get("budget/traces", 0) >= 1


def test_budget_setting_in_a_policy_file(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "p.toml"
    path.write_text("version = 1\n[limits]\nrecord_budget_ms = 50\n")
    assert Policy.load(path).record_budget_ms == 50
    path.write_text('version = 1\n[limits]\nrecord_budget_ms = "fast"\n')
    with pytest.raises(agentel.redaction.PolicyError, match="record_budget_ms"):
        Policy.load(path)
