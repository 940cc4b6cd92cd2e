"""The built-in checks on known inputs, user checks by decorator, and what a failing check does."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

import agentel
from agentel.evals import Call, CheckResult, EvalError, evaluate
from agentel.evals.checks import CHECKS, get_check, list_checks, register_check


def verdicts(
    call: Call, *names: str, params: dict | None = None
) -> dict[str, tuple[str | None, float | None]]:
    out = evaluate(call, list(names) or None, params)
    assert not out.errors, out.errors
    return {r.name: (r.label, r.score) for r in out.results}


@pytest.fixture()
def user_checks() -> Iterator[None]:
    """User checks registered in a test are removed after it."""
    before = dict(CHECKS)
    yield
    CHECKS.clear()
    CHECKS.update(before)


def test_a_good_answer_passes_every_default_check() -> None:
    call = Call(
        prompt="Capital of France?", response="Paris.", input_tokens=12, output_tokens=2, latency_s=0.4
    )
    assert verdicts(call) == {
        "non_empty": ("pass", 1.0),
        "refusal": ("pass", 1.0),
        "length": ("pass", 1.0),
        "no_pii": ("pass", 1.0),
        "latency": ("pass", 1.0),
        "tokens": ("pass", 1.0),
    }


def test_content_checks_skip_unknown_content_and_failed_calls() -> None:
    out = evaluate(Call(input_tokens=5, output_tokens=0, latency_s=1.0))
    assert {r.name for r in out.results} == {"latency", "tokens"}
    assert {"non_empty", "refusal", "length", "no_pii"} <= set(out.skipped)
    failed = evaluate(Call(response="", error_type="RateLimitError", latency_s=0.2))
    assert [r.name for r in failed.results] == ["latency"]  # an API error is not also an empty answer


@pytest.mark.parametrize(
    ("answer", "label"),
    [
        ("", "fail"),
        ("   \n\t", "fail"),
        ("ok", "pass"),
    ],
)
def test_non_empty(answer: str, label: str) -> None:
    assert verdicts(Call(response=answer), "non_empty")["non_empty"][0] == label


@pytest.mark.parametrize(
    "answer",
    [
        "I'm sorry, but I can't help with that.",
        "I’m sorry, I cannot assist with this request.",  # curly apostrophe
        "I cannot provide instructions for that.",
        "As an AI language model, I cannot browse the internet.",
        "I must decline to answer.",
        "I'm not allowed to share that.",
    ],
)
def test_refusals_are_detected(answer: str) -> None:
    result = evaluate(Call(response=answer), ["refusal"]).results[0]
    assert result.label == "fail" and "refusal detected" in result.explanation


def test_an_answer_that_discusses_refusal_later_is_not_one() -> None:
    answer = "Here is the summary you asked for. " + "x" * 500 + " The bot said: I cannot help with that."
    assert verdicts(Call(response=answer), "refusal")["refusal"][0] == "pass"
    assert verdicts(Call(response="Sure! Here it is."), "refusal")["refusal"][0] == "pass"


def test_a_content_filter_finish_is_a_refusal_even_without_text() -> None:
    result = evaluate(Call(response=None, finish_reasons=("content_filter",)), ["refusal"]).results[0]
    assert result.label == "fail" and "content filter" in result.explanation


def test_length_bounds() -> None:
    call = Call(response="x" * 50)
    assert (
        verdicts(call, "length", params={"length": {"min_chars": 10, "max_chars": 100}})["length"][0]
        == "pass"
    )
    short = evaluate(call, ["length"], {"length": {"min_chars": 60}}).results[0]
    assert short.label == "fail" and short.explanation == "50 characters, fewer than 60"
    long = evaluate(call, ["length"], {"length": {"max_chars": 40}}).results[0]
    assert long.label == "fail" and long.explanation == "50 characters, more than 40"


def test_json_validity() -> None:
    assert verdicts(Call(response='{"a": 1}'), "json_valid")["json_valid"][0] == "pass"
    assert verdicts(Call(response='```json\n{"a": 1}\n```'), "json_valid")["json_valid"][0] == "pass"
    broken = evaluate(Call(response='{"a": 1'), ["json_valid"]).results[0]
    assert broken.label == "fail" and broken.explanation.startswith("not valid JSON")
    keys = evaluate(Call(response='{"a": 1}'), ["json_valid"], {"json_valid": {"required_keys": ["a", "b"]}})
    assert keys.results[0].explanation == "JSON object lacks key(s) b"


def test_json_validity_runs_by_default_only_when_json_was_asked_for() -> None:
    assert "json_valid" not in verdicts(Call(response="plain prose"))
    assert verdicts(Call(response="plain prose", expects_json=True))["json_valid"][0] == "fail"


def test_contains_reference() -> None:
    hit = evaluate(
        Call(response="The capital is Canberra, not Sydney.", reference_answer="canberra"),
        ["contains_reference"],
    )
    assert (hit.results[0].label, hit.results[0].score) == ("pass", 1.0)
    near = evaluate(
        Call(response="It landed in July 1969.", reference_answer="20 July 1969"), ["contains_reference"]
    )
    assert near.results[0].label == "fail" and near.results[0].score == pytest.approx(2 / 3, abs=1e-3)
    lenient = evaluate(
        Call(response="It landed in July 1969.", reference_answer="20 July 1969"),
        ["contains_reference"],
        {"contains_reference": {"min_recall": 0.6}},
    )
    assert lenient.results[0].label == "pass"
    assert evaluate(Call(response="x"), ["contains_reference"]).skipped == ["contains_reference"]


@pytest.mark.parametrize(
    ("answer", "found"),
    [
        ("Write to jane.doe@example.com for help.", "email"),
        ("Card: 4111 1111 1111 1111.", "credit_card"),
        ("Use key sk-proj-abcdefghijklmnopqrstuvwxyz0123 in the header.", "openai_key"),
        ("Call me at +1 415 555 0100 tomorrow.", "phone_number"),
        ("SSN 123-45-6789 on file.", "us_ssn"),
        ("Stored as [REDACTED:email] by the pipeline.", "email"),  # already redacted before storage
    ],
)
def test_no_pii_names_what_it_found(answer: str, found: str) -> None:
    result = evaluate(Call(response=answer), ["no_pii"]).results[0]
    assert result.label == "fail" and found in result.explanation


def test_forbidden_content_needs_terms_and_matches_whole_words() -> None:
    call = Call(response="Our competitor AcmeCorp is worse; try acme tools.")
    assert evaluate(call, ["forbidden_content"]).skipped == ["forbidden_content"]
    out = evaluate(call, ["forbidden_content"], {"forbidden_content": {"terms": ["acme", "globex"]}})
    assert out.results[0].label == "fail" and out.results[0].explanation == "forbidden: 'acme'"
    csv = evaluate(call, ["forbidden_content"], {"forbidden_content": {"terms": "globex,initech"}})
    assert csv.results[0].label == "pass"
    rx = evaluate(call, ["forbidden_content"], {"forbidden_content": {"patterns": [r"Acme\w+"]}})
    assert rx.results[0].label == "fail"


def test_latency_and_token_bounds() -> None:
    slow = evaluate(Call(latency_s=31.5), ["latency"]).results[0]
    assert (slow.label, slow.explanation) == ("fail", "31.50s (over 30s)")
    assert verdicts(Call(latency_s=2.0), "latency", params={"latency": {"max_s": 1}})["latency"][0] == "fail"
    big = evaluate(Call(input_tokens=5000, output_tokens=4000), ["tokens"]).results[0]
    assert big.label == "fail" and big.explanation == "input 5000 > 4096; total 9000 > 8192"
    unbounded = evaluate(
        Call(input_tokens=5000, output_tokens=10), ["tokens"], {"tokens": {"max_input": None}}
    ).results[0]
    assert unbounded.label == "pass"
    assert evaluate(Call(), ["latency", "tokens"]).skipped == ["latency", "tokens"]


def test_call_reads_convention_provider_and_redacted_messages() -> None:
    conv = json.dumps(
        [
            {"role": "system", "parts": [{"type": "text", "content": "be brief"}]},
            {"role": "user", "parts": [{"type": "text", "content": "first"}]},
            {"role": "assistant", "parts": [{"type": "text", "content": "a"}]},
            {"role": "user", "parts": [{"type": "text", "content": "second"}]},
        ]
    )
    out = json.dumps(
        [{"role": "assistant", "parts": [{"type": "text", "content": "answer"}], "finish_reason": "stop"}]
    )
    call = Call.from_messages(conv, out)
    assert (call.prompt, call.response, call.system, call.conversation_length) == (
        "second",
        "answer",
        "be brief",
        3,
    )
    provider = Call.from_messages(
        [{"role": "user", "content": [{"type": "text", "text": "hi"}]}],
        [{"role": "assistant", "content": "yo"}],
    )
    assert (provider.prompt, provider.response) == ("hi", "yo")
    redacted = Call.from_messages("[REDACTED:content]", '[{"role": "assistant", "parts": [{"type": "te')
    assert redacted.response is None  # truncated JSON is unknown content, not an empty answer
    assert redacted.prompt is None  # content withheld by the capture switch is unknown too
    withheld = evaluate(Call(response="[REDACTED:content]"), ["non_empty", "no_pii"])
    assert withheld.skipped == ["non_empty", "no_pii"]


def test_user_checks_by_decorator_in_every_form(user_checks: None) -> None:
    @agentel.check
    def polite(call: Call) -> bool:
        return "please" in (call.response or "").lower()

    @agentel.check("brevity", description="Short answers score higher.", threshold=0.5, max_words=10)
    def brevity(call: Call, max_words: int) -> float:
        return min(1.0, max_words / max(1, len((call.response or "").split())))

    @agentel.check("mentions_price", default=False)
    def price(call: Call) -> tuple[bool, str] | None:
        if call.response is None:
            return None
        return "$" in call.response, "looked for a dollar sign"

    call = Call(response="Please pay $5 now " + "word " * 26)
    out = evaluate(call)
    got = {r.name: r for r in out.results}
    assert got["polite"] == CheckResult("polite", 1.0, "pass", "")
    assert got["brevity"].label == "fail" and got["brevity"].score == pytest.approx(1 / 3, abs=0.01)
    assert "mentions_price" not in got  # default=False: runs only when named
    named = evaluate(call, ["mentions_price", "brevity"], {"brevity": {"max_words": 40}})
    assert [(r.name, r.label, r.explanation) for r in named.results] == [
        ("mentions_price", "pass", "looked for a dollar sign"),
        ("brevity", "pass", ""),
    ]
    assert get_check("brevity").description == "Short answers score higher."
    assert [s.name for s in list_checks()] == [
        *("non_empty", "refusal", "length", "json_valid", "contains_reference", "no_pii"),
        *("forbidden_content", "latency", "tokens", "polite", "brevity", "mentions_price"),
    ]


def test_a_raising_check_is_reported_and_the_others_still_run(user_checks: None) -> None:
    @agentel.check
    def broken(call: Call) -> bool:
        raise ZeroDivisionError("oops")

    out = evaluate(Call(response="fine"), ["broken", "non_empty"])
    assert out.errors == {"broken": "ZeroDivisionError: oops"}
    assert [r.name for r in out.results] == ["non_empty"]
    from agentel.evals.run import check_errors

    assert check_errors()["broken"] >= 1


def test_mistakes_in_names_and_parameters_are_clear_errors(user_checks: None) -> None:
    with pytest.raises(EvalError, match="no check named 'nonempty'"):
        evaluate(Call(response="x"), ["nonempty"])
    with pytest.raises(EvalError, match=r"check 'latency': unknown parameter 'max' \(known: max_s\)"):
        evaluate(Call(latency_s=1), ["latency"], {"latency": {"max": 1}})
    with pytest.raises(EvalError, match="already registered"):
        register_check("latency", lambda call: True)
    with pytest.raises(EvalError, match="use lowercase"):
        register_check("Bad Name", lambda call: True)

    @agentel.check
    def wrong(call: Call) -> str:
        return "yes"

    assert "returned str" in evaluate(Call(), ["wrong"]).errors["wrong"]


def test_a_user_check_may_replace_a_builtin_on_purpose(user_checks: None) -> None:
    @agentel.check("latency", replace=True)
    def strict_latency(call: Call) -> bool | None:
        return None if call.latency_s is None else call.latency_s < 0.1

    assert verdicts(Call(latency_s=0.5), "latency")["latency"][0] == "fail"
