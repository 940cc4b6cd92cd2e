"""``export-training``: judged LLM calls as training records (SFT / preference pairs), JSON lines.

One record per judged call — a call with an evaluation score, a consortium verdict, or feedback:

    {"prompt": [{"role": "user", "content": "..."}], "response": "...", "chosen": true,
     "chosen_answer": "...", "alternatives": [{"model": ..., "response": ..., "confidence": ...,
     "chosen": false}], "scores": {"answer_length": 0.8}, "confidence": 0.74, "model": "...",
     "run_id": "...", "task": "...", "iteration": "2", "trace_id": "...", "span_id": "..."}

Alternatives are the other members' answers in the same consortium iteration (the same prompt);
``chosen_answer`` is the answer the arbiter picked there. Prompts and answers exist only when the
program recorded content (``AGENTEL_CAPTURE_CONTENT=1``); records without them are counted.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from agentel.analytics.questions import ask, check_run
from agentel.analytics.window import Window
from agentel.store.engine import Engine

_REDACTED = "[REDACTED"


def _parse(raw: str) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _text_of(content: Any) -> str | None:
    """The text of a message's content: a string, or GenAI ``parts`` / OpenAI content parts."""
    if content is None:
        return None
    if isinstance(content, str):
        return None if content.startswith(_REDACTED) else content
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, Mapping):
                t = part.get("content", part.get("text"))
                if isinstance(t, str):
                    texts.append(t)
        text = "".join(texts)
        return None if not text or text.startswith(_REDACTED) else text
    return None


def messages(raw: str, system: str = "") -> list[dict[str, str]] | None:
    """Recorded input messages (+ system instructions) as ``[{"role", "content"}]``; None if absent."""
    data = _parse(raw)
    out: list[dict[str, str]] = []
    sys_data = _parse(system)
    said = isinstance(data, list) and any(
        isinstance(m, Mapping) and m.get("role") in ("system", "developer") for m in data
    )
    if sys_data and not said:  # instructions taken from the system messages: said once
        text = _text_of(sys_data if not isinstance(sys_data, Mapping) else sys_data.get("content"))
        if text:
            out.append({"role": "system", "content": text})
    if isinstance(data, str):
        text = _text_of(data)
        return out + [{"role": "user", "content": text}] if text else None
    if not isinstance(data, list):
        return None
    for m in data:
        if not isinstance(m, Mapping):
            continue
        text = _text_of(m.get("parts", m.get("content")))
        if text is not None:
            out.append({"role": str(m.get("role", "user")), "content": text})
    return out or None


def answer(raw: str) -> str | None:
    """The text of a recorded output (the first assistant message); None if absent."""
    data = _parse(raw)
    if isinstance(data, str):
        return _text_of(data)
    if isinstance(data, list):
        for m in data:
            if isinstance(m, Mapping):
                text = _text_of(m.get("parts", m.get("content")))
                if text is not None:
                    return text
    return None


@dataclass
class ExportReport:
    records: int = 0
    without_content: int = 0
    skipped_low_score: int = 0
    skipped_filtered: int = 0  # by feedback or confidence


#: what ``export-training --shape`` writes
SHAPES = ("records", "chat", "dpo")
FEEDBACK = ("good", "bad", "any")


def records(
    engine: Engine,
    window: Window,
    *,
    run: str | None = None,
    task: str | None = None,
    model: str | None = None,
    min_score: float | None = None,
    chosen_only: bool = False,
    feedback: str = "any",
    min_confidence: float | None = None,
    report: ExportReport | None = None,
) -> Iterator[dict[str, Any]]:
    """Training records for the judged calls in ``window`` (filters: run, task, model, score,
    chosen, feedback good/bad, the arbiter's confidence at least ``min_confidence``)."""
    check_run(engine, run)
    if feedback not in FEEDBACK:
        raise ValueError(f"--feedback: expected one of {', '.join(FEEDBACK)}, got {feedback!r}")
    report = report if report is not None else ExportReport()
    rows = ask(  # the model filter is applied below: the arbiter's analysis is kept whoever answered
        engine,
        "training_records",
        {**window.params(), "run": run or "", "task": task or "", "model": ""},
    )
    # members of one consortium iteration answered the same prompt: their answers are alternatives;
    # the arbiter's answer there is its analysis (synthesis) of them
    groups: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    arbiters: dict[tuple[str, int], dict[str, Any]] = {}
    for r in rows:
        r["_answer"] = answer(r["output_messages"])
        if r["consortium_run_id"]:
            key = (r["consortium_run_id"], int(r["consortium_iteration"]))
            if r["is_arbiter"]:
                arbiters[key] = r
            else:
                groups[key].append(r)
    for r in rows:
        if r["is_arbiter"] or (chosen_only and not r["chosen"]) or (model and r["model"] != model):
            continue
        key = (r["consortium_run_id"], int(r["consortium_iteration"]))
        arb = arbiters.get(key) if r["consortium_run_id"] else None
        good = r["good_feedback"]
        if feedback != "any" and (good is None or (good >= 0.5) != (feedback == "good")):
            report.skipped_filtered += 1
            continue
        if min_confidence is not None and (
            arb is None or arb["confidence"] is None or arb["confidence"] < min_confidence
        ):
            report.skipped_filtered += 1
            continue
        scores = _scores(r["score_names"], r["score_values"])
        if min_score is not None:
            values = [v for v in scores.values() if v is not None]
            if not values or sum(values) / len(values) < min_score:
                report.skipped_low_score += 1
                continue
        prompt = messages(r["input_messages"], r["system_instructions"])
        if prompt is None or r["_answer"] is None:
            report.without_content += 1
        siblings = groups.get((r["consortium_run_id"], int(r["consortium_iteration"])), [])
        chosen = next((s for s in siblings if s["chosen"]), None)
        report.records += 1
        yield {
            "prompt": prompt,
            "response": r["_answer"],
            "chosen": bool(r["chosen"]),
            "chosen_answer": chosen["_answer"] if chosen is not None else None,
            "alternatives": [
                {
                    "model": s["model"],
                    "response": s["_answer"],
                    "confidence": s["confidence"],
                    "chosen": bool(s["chosen"]),
                }
                for s in siblings
                if s["span_id"] != r["span_id"]
            ],
            "scores": scores,
            "confidence": r["confidence"],
            "arbiter": None
            if arb is None
            else {
                "model": arb["model"],
                "analysis": arb["_answer"],
                "confidence": arb["confidence"],
                "chosen_model": chosen["model"] if chosen is not None else None,
            },
            "good_feedback": r["good_feedback"],
            "reference_answer": r["reference_answer"] or None,
            "model": r["model"],
            "provider": r["provider"],
            "run_id": r["run_id"],
            "task": r["task"] or None,
            "iteration": r["iteration"] or None,
            "consortium_run_id": r["consortium_run_id"] or None,
            "timestamp": r["timestamp"],
            "trace_id": r["trace_id"],
            "span_id": r["span_id"],
            "input_tokens": r["input_tokens"],
            "output_tokens": r["output_tokens"],
            "cost_usd": r["cost_usd"],
        }


def as_chat(rec: Mapping[str, Any]) -> dict[str, Any]:
    """A record in the chat fine-tuning shape: ``{"messages": [..., assistant answer], "metadata"}``."""
    return {
        "messages": [*rec["prompt"], {"role": "assistant", "content": rec["response"]}],
        "metadata": {
            k: rec[k]
            for k in (
                "model",
                "chosen",
                "scores",
                "confidence",
                "good_feedback",
                "run_id",
                "task",
                "trace_id",
            )
        },
    }


def preference_pairs(recs: Iterator[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    """DPO preference pairs: for each consortium answer the arbiter chose, one pair per answer it
    did not (same prompt): ``{"prompt", "chosen", "rejected", "analysis", "confidence", ...}``."""
    for rec in recs:
        if not rec["chosen"]:
            continue
        arb = rec.get("arbiter") or {}
        for alt in rec["alternatives"]:
            if alt["chosen"] or not alt["response"]:
                continue
            yield {
                "prompt": rec["prompt"],
                "chosen": rec["response"],
                "rejected": alt["response"],
                "chosen_model": rec["model"],
                "rejected_model": alt["model"],
                "analysis": arb.get("analysis"),
                "confidence": arb.get("confidence"),
                "run_id": rec["run_id"],
                "iteration": rec["iteration"],
                "trace_id": rec["trace_id"],
            }


def shaped(recs: Iterator[dict[str, Any]], shape: str) -> Iterator[dict[str, Any]]:
    """Records as ``shape``: records (as they are), chat or dpo."""
    if shape == "chat":
        return (as_chat(r) for r in recs)
    if shape == "dpo":
        return preference_pairs(recs)
    if shape != "records":
        raise ValueError(f"--shape: expected one of {', '.join(SHAPES)}, got {shape!r}")
    return recs


def _scores(names: Sequence[str], values: Sequence[Any]) -> dict[str, float | None]:
    """Scores by evaluation name (several results of one name: their mean)."""
    acc: dict[str, list[float]] = defaultdict(list)
    for n, v in zip(names, values, strict=False):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            acc.setdefault(n, [])
        else:
            acc[n].append(float(v))
    return {n: (sum(vs) / len(vs) if vs else None) for n, vs in acc.items()}


def write_jsonl(recs: Iterator[Mapping[str, Any]], fh: IO[str]) -> int:
    """Write records as JSON lines; returns how many."""
    from agentel.analytics.formats import clean

    n = 0
    for rec in recs:
        fh.write(json.dumps(clean(rec), ensure_ascii=False, default=str) + "\n")
        n += 1
    return n


__all__ = [
    "FEEDBACK",
    "SHAPES",
    "ExportReport",
    "answer",
    "as_chat",
    "messages",
    "preference_pairs",
    "records",
    "shaped",
    "write_jsonl",
]
