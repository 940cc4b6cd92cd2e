"""Feedback and check results go through the pipeline to files, into the store, and show up in
the ``feedback`` and ``eval_checks`` views, linked to the judged call, and in the leaderboard."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import Result
from evals_store import as_json, rows, store

import agentel
from agentel.analytics import questions
from agentel.analytics.window import Window

GOOD_MODEL, BAD_MODEL = "gpt-4o-mini", "claude-3-5-haiku-latest"


def _call(
    provider: str, model: str, question: str, answer: str, latency_note: str = ""
) -> agentel.genai.LLMCall:
    with agentel.llm_call(provider=provider, model=model) as call:
        call.set_usage(input_tokens=20, output_tokens=max(1, len(answer) // 4))
        call.set_messages(input=question, output=answer, system="Be brief.")
    return call


def test_feedback_round_trip_through_the_store() -> None:
    agentel.configure(metrics_interval_s=0)
    with agentel.span("conversation") as root:
        good = _call("openai", GOOD_MODEL, "Capital of Australia?", "Canberra.")
        bad = _call("anthropic", BAD_MODEL, "Capital of Australia?", "Sydney.")
    agentel.feedback(good, good=True, comment="right")
    agentel.feedback(bad, good=False, comment="wrong, see bob@example.com", reference_answer="Canberra")
    agentel.feedback(root.get_span_context().trace_id, comment="a comment on the whole trace")
    agentel.shutdown()

    g, b = good.span.get_span_context(), bad.span.get_span_context()
    trace = format(g.trace_id, "032x")
    with store() as engine:
        got = rows(
            engine,
            "SELECT f.span_id AS span, f.good AS good, f.comment AS comment, f.reference_answer AS ref, "
            "l.model AS model FROM feedback f LEFT JOIN llm_logs l ON l.span_id = f.span_id "
            "WHERE f.trace_id = {t:String} ORDER BY f.timestamp",
            t=trace,
        )
        board = {r["model"]: r for r in questions.leaderboard(engine, Window(), by="model", sort="calls")}
    assert got == [
        {"span": format(g.span_id, "016x"), "good": 1, "comment": "right", "ref": "", "model": GOOD_MODEL},
        {
            "span": format(b.span_id, "016x"),
            "good": 0,
            "comment": "wrong, see [REDACTED:email]",
            "ref": "Canberra",
            "model": BAD_MODEL,
        },
        {"span": "", "good": None, "comment": "a comment on the whole trace", "ref": "", "model": ""},
    ]
    assert board[GOOD_MODEL]["good_feedback_rate"] == 1.0
    assert board[BAD_MODEL]["good_feedback_rate"] == 0.0


def test_cli_feedback_links_to_the_call_and_is_visible_at_once(agentel_cli: Callable[..., Result]) -> None:
    agentel.configure(metrics_interval_s=0)
    one = _call("openai", GOOD_MODEL, "2+2?", "4")
    with agentel.span("agent") as agent:
        _call("openai", GOOD_MODEL, "step 1", "ok")
        _call("openai", GOOD_MODEL, "step 2", "ok")
    agentel.shutdown()
    one_trace = format(one.span.get_span_context().trace_id, "032x")
    agent_trace = format(agent.get_span_context().trace_id, "032x")

    out = agentel_cli(
        "feedback", one_trace, "--bad", "--comment", "should be four", "--reference-answer", "four"
    )
    assert out.exit_code == 0, out.output
    assert out.stdout.strip() == (
        f"recorded feedback (bad) on trace {one_trace}, span "
        f"{format(one.span.get_span_context().span_id, '016x')} (the trace's LLM call)"
    )
    linked = as_json(agentel_cli("feedback", agent_trace, "--good", "--format", "json"))
    assert linked["span_id"] == format(agent.get_span_context().span_id, "016x")
    assert linked["linked_to"] == "the trace's root span"

    with store(load_files=False) as engine:  # loaded by the command itself
        got = rows(
            engine, "SELECT trace_id, good, comment, reference_answer FROM feedback ORDER BY timestamp"
        )
    assert got == [
        {"trace_id": one_trace, "good": 0, "comment": "should be four", "reference_answer": "four"},
        {"trace_id": agent_trace, "good": 1, "comment": "", "reference_answer": ""},
    ]


def test_cli_feedback_rejects_what_it_cannot_link(agentel_cli: Callable[..., Result]) -> None:
    agentel.configure(metrics_interval_s=0)
    call = _call("openai", GOOD_MODEL, "q", "a")
    agentel.shutdown()
    trace = format(call.span.get_span_context().trace_id, "032x")
    unknown = agentel_cli("feedback", "0" * 31 + "1", "--good")
    assert (
        unknown.exit_code == 1
        and "no trace '00000000000000000000000000000001' in the store" in unknown.output
    )
    bad_span = agentel_cli("feedback", trace, "--span", "0" * 15 + "7", "--good")
    assert bad_span.exit_code == 1 and "has no span '0000000000000007'" in bad_span.output
    short = agentel_cli("feedback", "abc", "--good")
    assert short.exit_code == 2 and "TRACE: expected 32 hex digits" in short.output
    empty = agentel_cli("feedback", trace)
    assert empty.exit_code == 2 and "give --good or --bad" in empty.output


def test_evals_run_judges_stored_calls_once(agentel_cli: Callable[..., Result]) -> None:
    agentel.configure(metrics_interval_s=0, capture_content=True)
    fine = _call("openai", GOOD_MODEL, "Capital of France?", "Paris is the capital of France.")
    refusal = _call("openai", GOOD_MODEL, "Tell me a joke", "I'm sorry, but I can't help with that.")
    empty = _call("anthropic", BAD_MODEL, "Say something", "")
    with agentel.llm_call(provider="openai", model=GOOD_MODEL) as no_content:
        no_content.set_usage(9000, 10)  # content capture is per call: this one recorded none
        no_content.capture_span = False
    agentel.shutdown()

    first = as_json(agentel_cli("evals", "run", "--format", "json"))
    assert first["calls"] == 4
    assert first["by_check"]["non_empty"] == {"passed": 2, "failed": 1}
    assert first["by_check"]["refusal"] == {"passed": 2, "failed": 1}
    assert first["by_check"]["tokens"] == {"passed": 3, "failed": 1}
    assert first["skipped"]["non_empty"] == 1  # the call without content

    with store(load_files=False) as engine:
        got = {
            (r["span_id"], r["check_name"]): r["passed"]
            for r in rows(engine, "SELECT span_id, check_name, passed FROM eval_checks")
        }
        linked = rows(
            engine,
            "SELECT count() AS n FROM eval_checks e WHERE (e.trace_id, e.span_id) NOT IN "
            "(SELECT trace_id, span_id FROM llm_logs)",
        )
    sid = {
        name: format(c.span.get_span_context().span_id, "016x")
        for name, c in (("fine", fine), ("refusal", refusal), ("empty", empty), ("none", no_content))
    }
    assert got[(sid["refusal"], "refusal")] == 0 and got[(sid["fine"], "refusal")] == 1
    assert got[(sid["empty"], "non_empty")] == 0 and (sid["none"], "non_empty") not in got
    assert got[(sid["none"], "tokens")] == 0
    assert linked == [{"n": 0}]  # every result points at a stored call

    again = as_json(agentel_cli("evals", "run", "--format", "json"))
    assert again["results"] == 0  # nothing judged twice

    trace = format(fine.span.get_span_context().trace_id, "032x")
    fb = agentel_cli("feedback", trace, "--good", "--reference-answer", "Paris")
    assert fb.exit_code == 0, fb.output
    with_ref = as_json(agentel_cli("evals", "run", "--format", "json"))
    assert with_ref["by_check"] == {"contains_reference": {"passed": 1, "failed": 0}}

    rejudged = as_json(agentel_cli("evals", "run", "--rejudge", "--check", "non_empty", "--format", "json"))
    assert rejudged["by_check"] == {"non_empty": {"passed": 2, "failed": 1}}

    failed = as_json(agentel_cli("evals", "list", "--failed", "--format", "json"))
    assert {(r["check_name"], r["model"]) for r in failed} == {
        ("refusal", GOOD_MODEL),
        ("non_empty", BAD_MODEL),
        ("length", BAD_MODEL),
        ("tokens", GOOD_MODEL),
    }
    summary = {r["check_name"]: r for r in as_json(agentel_cli("evals", "summary", "--format", "json"))}
    assert summary["non_empty"]["results"] == 6 and summary["non_empty"]["passed"] == 4
    by_model = as_json(
        agentel_cli("evals", "summary", "--by", "model", "--check", "refusal", "--format", "json")
    )
    assert {(r["model"], r["pass_rate"]) for r in by_model} == {(GOOD_MODEL, 0.5), (BAD_MODEL, 1.0)}


def test_evals_cli_bad_input(agentel_cli: Callable[..., Result]) -> None:
    unknown = agentel_cli("evals", "run", "--check", "nope")
    assert unknown.exit_code == 2 and "no check named 'nope'" in unknown.output
    param = agentel_cli("evals", "run", "--param", "latency=3")
    assert param.exit_code == 2 and "expected CHECK.PARAM=VALUE" in param.output
    window = agentel_cli("evals", "list", "--since", "yesterday-ish")
    assert window.exit_code == 2 and "--since" in window.output


def test_user_checks_from_a_module_run_on_stored_calls(agentel_cli: Callable[..., Result], tmp_path) -> None:  # type: ignore[no-untyped-def]
    module = tmp_path / "my_checks.py"
    module.write_text(
        "import agentel\n\n"
        "@agentel.check('shouts', default=False)\n"
        "def shouts(call):\n"
        "    return None if call.response is None else not call.response.isupper()\n"
    )
    agentel.configure(metrics_interval_s=0, capture_content=True)
    _call("openai", GOOD_MODEL, "q", "CALM DOWN")
    agentel.shutdown()
    from agentel.evals.checks import CHECKS

    try:
        listed = as_json(agentel_cli("evals", "checks", "--checks-module", str(module), "--format", "json"))
        assert {"check_name": "shouts", "kind": "user"}.items() <= next(
            r for r in listed if r["check_name"] == "shouts"
        ).items()
        out = as_json(
            agentel_cli(
                "evals", "run", "--checks-module", str(module), "--check", "shouts", "--format", "json"
            )
        )
        assert out["by_check"] == {"shouts": {"passed": 0, "failed": 1}}
    finally:
        CHECKS.pop("shouts", None)
