"""The generation monitor: time, tokens, conversation length, success/error, API errors, and
evaluations timed and attached to the generation they judge."""

from __future__ import annotations

import openai

import agentel
from agentel.testing import capture


def test_generations_errors_and_evaluations(client: openai.OpenAI) -> None:
    msgs = [{"role": "user", "content": "write a dialogue"}]
    with capture() as cap:
        with agentel.generation.monitor("synth", run_id="g1") as mon:
            with mon.generation(conversation_length=len(msgs)) as g:
                r = client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=msgs)
                g.usage(r.usage.prompt_tokens, r.usage.completion_tokens)
            with mon.evaluation("length", judged=g) as ev:
                ev.score(0.75, label="pass", explanation="long enough")
            try:
                with mon.generation(conversation_length=3):
                    client.chat.completions.create(model="stub-error-429", messages=msgs)
            except openai.RateLimitError:
                pass
            with mon.generation() as empty:
                empty.fail("empty_output")
        assert (mon.generations, mon.errors, mon.api_errors) == (3, 2, 1)
        done = [dict(e.log_record.attributes) for e in cap.events("generation.completed")]
        assert [d["generation.status"] for d in done] == ["success", "error", "error"]
        assert done[0]["generation.total_tokens"] == r.usage.prompt_tokens + r.usage.completion_tokens
        assert done[0]["generation.conversation_length"] == 1 and done[0]["generation.duration_s"] > 0
        assert done[1]["error.type"] == "RateLimitError"
        [api] = cap.events("generation.api_error")
        assert api.log_record.attributes["http.response.status_code"] == 429
        gen_spans = [s for s in cap.spans if s.name == "generation"]
        [result] = cap.events("gen_ai.evaluation.result")
        assert result.log_record.span_id == gen_spans[0].context.span_id  # attached to the judged generation
        assert result.log_record.attributes["gen_ai.evaluation.score.value"] == 0.75
        assert result.log_record.attributes["agentel.evaluation.duration_s"] >= 0
        assert cap.span("evaluation length").attributes["gen_ai.evaluation.name"] == "length"
        m = cap.metrics()
        requests = {p.attributes["generation.status"]: p.value for p in m["generation.requests"]}
        assert requests == {"success": 1, "error": 2}
        assert [p.value for p in m["generation.api_errors"]] == [1]
        tokens = {p.attributes["generation.token_type"]: p.sum for p in m["generation.tokens"]}
        assert tokens["total"] == tokens["prompt"] + tokens["completion"]
        assert [p.count for p in m["generation.evaluation.duration"]] == [1]


def test_evaluation_defaults_to_the_current_span() -> None:
    with capture() as cap:
        with agentel.span("answer") as s, agentel.generation.evaluation("non_empty") as ev:
            ev.score(1.0)
        [result] = cap.events("gen_ai.evaluation.result")
        assert result.log_record.span_id == s.get_span_context().span_id
