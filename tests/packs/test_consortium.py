"""The consortium pack: spans nest, answers become consortium.response events in their member's
span with the arbiter's choice, LLM calls inside carry the run, task and iteration."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import openai
import pytest

import agentel
from agentel.testing import capture

MEMBERS = ["gpt-4o-mini-2024-07-18", "gpt-4.1-mini-2025-04-14"]
ARBITER = "gpt-4o-2024-08-06"


def _ask(client: openai.OpenAI, model: str) -> str:
    r = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "why?"}])
    return r.choices[0].message.content or ""


def _attrs(record: object) -> dict:
    return dict(record.log_record.attributes or {})  # type: ignore[attr-defined]


def test_iterations_until_confident(client: openai.OpenAI) -> None:
    with capture() as cap:
        with agentel.consortium.run("why?", members=MEMBERS, arbiter=ARBITER, task="qa", run_id="c1") as run:
            for confidence in (0.5, 0.9, 0.99):
                with run.iteration() as it:
                    for m in run.members:
                        with it.member(m) as member:
                            _ask(client, m)
                            member.respond(confidence=0.6 if m == MEMBERS[0] else 0.7)
                    with it.arbiter() as arb:
                        _ask(client, ARBITER)
                        arb.decide(confidence=confidence, chosen=MEMBERS[1])
                if run.converged:
                    break
        assert run.iterations_done == 2 and run.converged and run.confidence == 0.9
        spans = {s.context.span_id: s for s in cap.spans}
        llm = [s for s in cap.spans if s.name.startswith("chat ")]
        assert len(llm) == 6
        for s in llm:
            parent = spans[s.parent.span_id]
            assert parent.name in ("consortium.member", "consortium.arbiter")
            assert s.attributes["run"] == "c1" and s.attributes["task"] == "qa"
            assert s.attributes["iteration"] == parent.attributes["consortium.iteration"]
        responses = cap.events("consortium.response")
        assert len(responses) == 6  # 2 members + arbiter, 2 iterations
        for r in responses:
            a = _attrs(r)
            span = spans[r.log_record.span_id]
            assert span.name == ("consortium.arbiter" if a["consortium.is_arbiter"] else "consortium.member")
            assert span.attributes["consortium.member"] == a["consortium.member"]
            assert a["consortium.chosen"] == (
                a["consortium.member"] == MEMBERS[1] and not a["consortium.is_arbiter"]
            )
        result = _attrs(cap.events("consortium.result")[0])
        assert result["consortium.iterations"] == 2 and result["consortium.converged"] is True
        root = cap.span("consortium.run")
        assert root.attributes["consortium.chosen_member"] == MEMBERS[1]
        assert root.attributes["consortium.members"] == tuple(MEMBERS)
        conf = {
            (p.attributes["consortium.role"], p.attributes["consortium.member"]): p.count
            for p in cap.metrics()["consortium.confidence"]
        }
        assert conf == {("member", MEMBERS[0]): 2, ("member", MEMBERS[1]): 2, ("arbiter", ARBITER): 2}


def test_parallel_members_and_a_failing_member(client: openai.OpenAI) -> None:
    with capture() as cap:
        with agentel.consortium.run(
            members=[*MEMBERS, "stub-error-503"], arbiter=ARBITER, run_id="c2"
        ) as run:
            with run.iteration() as it, ThreadPoolExecutor(3) as pool:

                def member(model: str) -> None:
                    try:
                        with it.member(model) as m:
                            _ask(client, model)
                            m.respond(confidence=0.8)
                    except openai.APIStatusError:
                        pass

                list(pool.map(member, run.members))
                with it.arbiter() as arb:
                    arb.decide(confidence=0.85)
        members = [s for s in cap.spans if s.name == "consortium.member"]
        iteration = cap.span("consortium.iteration")
        assert all(s.parent.span_id == iteration.context.span_id for s in members)  # threads kept the parent
        failed = [s for s in members if s.status.status_code.name == "ERROR"]
        assert [s.attributes["consortium.member"] for s in failed] == ["stub-error-503"]
        it_event = _attrs(cap.events("consortium.iteration")[0])
        assert it_event["consortium.answered"] == 2 and it_event["consortium.failed"] == 1
        errors = cap.metrics()["consortium.member.errors"]
        assert [(p.attributes["consortium.member"], p.value) for p in errors] == [("stub-error-503", 1)]
        # no chosen member: nobody is marked chosen
        assert not any(_attrs(r)["consortium.chosen"] for r in cap.events("consortium.response"))


def test_confidence_is_clamped_and_bad_arguments_are_clear() -> None:
    with capture() as cap:
        with agentel.consortium.run(members=["a"], arbiter="b") as run, run.iteration() as it:
            with it.member("a") as m:
                m.respond(confidence=1.7)
            with it.arbiter() as arb:
                arb.decide(confidence=-0.2)
        values = sorted(_attrs(r)["consortium.confidence"] for r in cap.events("consortium.response"))
        assert values == [0.0, 1.0]
    with pytest.raises(ValueError, match="members must name at least one model"):
        with agentel.consortium.run(members=[], arbiter="b"):
            pass
    with pytest.raises(ValueError, match="max_iterations must be >= 1"):
        with agentel.consortium.run(members=["a"], arbiter="b", max_iterations=0):
            pass
