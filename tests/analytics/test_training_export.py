"""export-training: one record per judged call, with its prompt, answer, the arbiter's choice
and the other members' answers to the same prompt, and its scores."""

from __future__ import annotations

import io
import json
from collections import defaultdict

from otlp_files import events, llm_spans

from agentel.analytics import dataset
from agentel.analytics.window import Window
from agentel.store.engine import Engine
from testsupport import ExampleData


def _judged_calls(seeded: ExampleData) -> set[str]:
    """Successful LLM calls with a score or a member verdict on their span or the span above."""
    marks = {e["span_id"] for e in events(seeded.dir, "gen_ai.evaluation.result")}
    marks |= {
        e["span_id"]
        for e in events(seeded.dir, "consortium.response")
        if not e["attributes"]["consortium.is_arbiter"]
    }
    return {
        s["span_id"]
        for s in llm_spans(seeded.dir)
        if not s["error"] and (s["span_id"] in marks or s["parent"] in marks)
    }


def test_one_record_per_judged_call(seeded: ExampleData, engine: Engine) -> None:
    report = dataset.ExportReport()
    recs = list(dataset.records(engine, Window(), report=report))
    assert {r["span_id"] for r in recs} == _judged_calls(seeded)
    assert report.records == len(recs) and report.without_content == 0
    for r in recs:
        assert r["prompt"] and r["prompt"][-1]["content"] and isinstance(r["response"], str)
    qa = [r for r in recs if r["task"] == "qa"]
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in qa:
        groups[(r["consortium_run_id"], r["iteration"])].append(r)
    assert groups
    for members in groups.values():
        chosen = [m for m in members if m["chosen"]]
        assert len(chosen) <= 1
        for m in members:
            assert {a["model"] for a in m["alternatives"]} == {o["model"] for o in members if o is not m}
            assert m["chosen_answer"] == (chosen[0]["response"] if chosen else None)
            assert m["confidence"] is not None and set(m["scores"]) == {"answer_length", "non_empty"}
            assert m["prompt"][1]["content"] == members[0]["prompt"][1]["content"]  # the same question
    evo = [r for r in recs if r["task"] == "sort_integers"]
    assert evo and all(set(r["scores"]) == {"fitness"} and r["alternatives"] == [] for r in evo)


def test_filters_and_jsonl(seeded: ExampleData, engine: Engine) -> None:
    everything = list(dataset.records(engine, Window()))
    chosen = list(dataset.records(engine, Window(), chosen_only=True))
    assert chosen and all(r["chosen"] for r in chosen) and len(chosen) < len(everything)
    report = dataset.ExportReport()
    high = list(dataset.records(engine, Window(), min_score=0.9, report=report))
    assert all(sum(v for v in r["scores"].values() if v is not None) / len(r["scores"]) >= 0.9 for r in high)
    assert report.skipped_low_score == len(everything) - len(high)
    model = "gpt-4.1-nano-2025-04-14"
    assert {r["model"] for r in dataset.records(engine, Window(), model=model)} == {model}
    buf = io.StringIO()
    assert dataset.write_jsonl(iter(chosen), buf) == len(chosen)
    lines = [json.loads(x) for x in buf.getvalue().splitlines()]
    assert [x["span_id"] for x in lines] == [r["span_id"] for r in chosen]


def test_message_shapes() -> None:
    gen_ai = '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]'
    assert dataset.messages(gen_ai, '[{"type":"text","content":"be brief"}]') == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "hi"},
    ]
    assert dataset.messages('[{"role":"user","content":"plain"}]') == [{"role": "user", "content": "plain"}]
    assert dataset.messages("[REDACTED:content]") is None
    assert dataset.messages("") is None
    out = '[{"role":"assistant","parts":[{"type":"text","content":"a"},{"type":"text","content":"b"}]}]'
    assert dataset.answer(out) == "ab"
    assert (
        dataset.answer('[{"role":"assistant","parts":[{"type":"text","content":"[REDACTED:content]"}]}]')
        is None
    )


def test_records_without_recorded_content_are_counted(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import openai

    import agentel
    from agentel.genai.instrumentors.openai import OpenAIInstrumentor
    from agentel.store import apply, open_engine
    from agentel.store.loader import load
    from agentel.testing.stubllm import StubLLMServer

    agentel.configure(dir=str(tmp_path / "files"), metrics_interval_s=0, capture_content=False)
    agentel.instrument_openai()
    try:
        with StubLLMServer(seed=1) as stub:
            client = openai.OpenAI(base_url=stub.openai_base_url, api_key="sk-test", max_retries=0)
            with agentel.generation.monitor("g") as mon:
                with mon.generation() as g:
                    client.chat.completions.create(
                        model="gpt-4o-mini-2024-07-18", messages=[{"role": "user", "content": "secret plan"}]
                    )
                with mon.evaluation("ok", judged=g) as ev:
                    ev.score(1.0)
            client.close()
    finally:
        OpenAIInstrumentor().uninstrument()
        agentel.shutdown()
    eng = open_engine(str(tmp_path / "store"))
    try:
        apply(eng)
        load(eng, [str(tmp_path / "files")])
        report = dataset.ExportReport()
        [rec] = list(dataset.records(eng, Window(), report=report))
    finally:
        eng.close()
    assert report.without_content == 1
    assert rec["prompt"] is None and rec["response"] is None and rec["scores"] == {"ok": 1.0}
