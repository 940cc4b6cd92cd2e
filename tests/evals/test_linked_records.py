"""Check results and feedback are log records whose trace/span ids are the judged call's."""

from __future__ import annotations

import sys

import pytest

import agentel
from agentel.evals import Call, CheckResult, EvalError, emit_result
from agentel.testing import capture


def _attrs(record) -> dict:  # type: ignore[no-untyped-def]
    return dict(record.log_record.attributes or {})


def test_run_checks_records_each_result_on_the_current_span() -> None:
    with capture() as cap:
        with agentel.span("answer") as span:
            results = agentel.run_checks(prompt="2+2?", response="4", checks=["non_empty", "length"])
        ctx = span.get_span_context()
    assert [r.name for r in results] == ["non_empty", "length"]
    events = cap.events("gen_ai.evaluation.result")
    assert [(e.log_record.trace_id, e.log_record.span_id) for e in events] == [
        (ctx.trace_id, ctx.span_id)
    ] * 2
    assert _attrs(events[0]) == {
        "gen_ai.evaluation.name": "non_empty",
        "gen_ai.evaluation.score.value": 1.0,
        "gen_ai.evaluation.score.label": "pass",
    }
    assert _attrs(events[1])["gen_ai.evaluation.explanation"] == "1 characters"
    counted = {
        p.attributes["gen_ai.evaluation.name"]: p.value for p in cap.metrics()["agentel.evaluation.results"]
    }
    assert counted == {"non_empty": 1, "length": 1}


def test_run_checks_on_an_llm_call_judges_that_call_after_it_ended() -> None:
    with capture(capture_content=True) as cap:
        with agentel.span("request"):
            with agentel.llm_call(provider="openai", model="gpt-4o-mini") as call:
                call.set_usage(input_tokens=5000, output_tokens=3)
                call.set_messages(input="What's the secret?", output="I'm sorry, but I can't share that.")
            results = agentel.run_checks(call, checks=["refusal", "tokens"])
    llm = cap.span("chat gpt-4o-mini").context
    assert {r.name: r.label for r in results} == {"refusal": "fail", "tokens": "fail"}
    for e in cap.events("gen_ai.evaluation.result"):
        assert (e.log_record.trace_id, e.log_record.span_id) == (llm.trace_id, llm.span_id)


def test_run_checks_with_capture_off_needs_the_answer_given() -> None:
    with capture() as cap:
        with agentel.llm_call(provider="openai", model="gpt-4o") as call:
            call.set_usage(10, 2)
        assert [r.name for r in agentel.run_checks(call)] == ["tokens"]  # no content was kept
        assert [r.name for r in agentel.run_checks(call, response="Fine.", emit=False)] == [
            "non_empty",
            "refusal",
            "length",
            "no_pii",
            "tokens",
        ]
    assert len(cap.events("gen_ai.evaluation.result")) == 1


def test_results_decided_later_keep_their_ids_and_timestamp() -> None:
    with capture() as cap:
        emit_result(
            CheckResult("judge", 0.25, "fail", "off topic"),
            trace_id="0af7651916cd43dd8448eb211c80319c",
            span_id="b7ad6b7169203331",
            timestamp_ns=1_700_000_000_000_000_000,
        )
    (rec,) = cap.events("gen_ai.evaluation.result")
    lr = rec.log_record
    assert (format(lr.trace_id, "032x"), format(lr.span_id, "016x")) == (
        "0af7651916cd43dd8448eb211c80319c",
        "b7ad6b7169203331",
    )
    assert lr.timestamp == 1_700_000_000_000_000_000
    assert _attrs(rec)["gen_ai.evaluation.score.value"] == 0.25


def test_feedback_on_every_kind_of_target() -> None:
    with capture() as cap:
        with agentel.span("turn") as span:
            agentel.feedback(good=True)  # the current span
        with agentel.llm_call(provider="openai", model="gpt-4o") as call:
            pass
        agentel.feedback(call, good=False, comment="wrong", reference_answer="42")
        agentel.feedback("0af7651916cd43dd8448eb211c80319c", comment="the whole trace")
        agentel.feedback("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", good=True)
    records = cap.events("agentel.feedback")
    s, c = span.get_span_context(), call.span.get_span_context()
    assert [(r.log_record.trace_id, r.log_record.span_id) for r in records] == [
        (s.trace_id, s.span_id),
        (c.trace_id, c.span_id),
        (0x0AF7651916CD43DD8448EB211C80319C, 0),
        (0x0AF7651916CD43DD8448EB211C80319C, 0xB7AD6B7169203331),
    ]
    assert [_attrs(r) for r in records] == [
        {"agentel.feedback.good": True},
        {
            "agentel.feedback.good": False,
            "agentel.feedback.comment": "wrong",
            "agentel.feedback.reference_answer": "42",
        },
        {"agentel.feedback.comment": "the whole trace"},
        {"agentel.feedback.good": True},
    ]
    points = cap.metrics()["agentel.feedback.received"]
    assert {p.attributes["agentel.feedback.good"]: p.value for p in points} == {
        "true": 2,
        "false": 1,
        "none": 1,
    }


def test_feedback_mistakes_are_clear_errors() -> None:
    with pytest.raises(EvalError, match="no span is current"):
        agentel.feedback(good=True)
    with pytest.raises(EvalError, match="give good=True/False"):
        agentel.feedback("0af7651916cd43dd8448eb211c80319c")
    with pytest.raises(EvalError, match="looks like a span id"):
        agentel.feedback("b7ad6b7169203331", good=True)
    with pytest.raises(EvalError, match="expected 16 hex digits"):
        agentel.feedback("0af7651916cd43dd8448eb211c80319c", "xyz", good=True)
    with pytest.raises(EvalError, match="good must be"):
        agentel.feedback("0af7651916cd43dd8448eb211c80319c", good="yes")  # type: ignore[arg-type]


def test_feedback_text_passes_the_redaction_policy() -> None:
    with capture() as cap:
        agentel.feedback("0af7651916cd43dd8448eb211c80319c", good=False, comment="mail bob@example.com")
    (rec,) = cap.events("agentel.feedback")
    assert _attrs(rec)["agentel.feedback.comment"] == "mail [REDACTED:email]"


def test_a_call_object_carries_ids_for_results_from_elsewhere() -> None:
    call = Call(response="ok", trace_id="0af7651916cd43dd8448eb211c80319c", span_id="b7ad6b7169203331")
    with capture() as cap:
        agentel.run_checks(call, checks=["non_empty"])
    (rec,) = cap.events("gen_ai.evaluation.result")
    assert (rec.log_record.trace_id, rec.log_record.span_id) == (
        0x0AF7651916CD43DD8448EB211C80319C,
        0xB7AD6B7169203331,
    )


def test_emission_never_raises_into_the_app_but_strict_redaction_may(monkeypatch: pytest.MonkeyPatch) -> None:
    from agentel._internal import errors
    from agentel.evals import emit
    from agentel.redaction import StrictRedactionError

    monkeypatch.setattr(errors, "RAISE", False)  # as in production
    with capture() as cap:

        def broken(*a: object, **k: object) -> None:
            raise RuntimeError("pipeline bug")

        module = sys.modules["agentel.evals.feedback"]  # (agentel.evals.feedback is the function)
        monkeypatch.setattr(module, "emit_linked", broken)
        agentel.feedback("0af7651916cd43dd8448eb211c80319c", good=True)  # swallowed, counted
        assert errors.internal_error_counts()["evals.feedback.emit"] >= 1
        monkeypatch.setattr(module, "emit_linked", emit.emit_linked)
    with capture(redaction_strict=True, redaction_strict_action="raise"):
        with pytest.raises(StrictRedactionError):
            agentel.feedback("0af7651916cd43dd8448eb211c80319c", good=False, comment="mail bob@example.com")
    assert cap.events("agentel.feedback") == []
