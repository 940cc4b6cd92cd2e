"""An LLM consortium: three models answer each question, an arbiter judges, iterate until confident.

    python examples/consortium.py [--prompts 6] [--summary out.json]

Runs on a local stub LLM server by default (see llm_clients.py) with the real openai and
anthropic SDKs, instrumented by agentel. Afterwards: ``agentel leaderboard``, ``agentel runs``.
"""

from __future__ import annotations

import argparse
import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from llm_clients import Clients, write_summary

import agentel

MEMBERS = ["gpt-4o-mini-2024-07-18", "gpt-4.1-mini-2025-04-14", "claude-3-5-haiku-20241022"]
ARBITER = "gpt-4o-2024-08-06"
QUESTIONS = [
    "Why do LLM latency percentiles matter more than the mean?",
    "How should a team budget tokens for a nightly evaluation job?",
    "What makes a good trace for an agent loop?",
    "When is a smaller model the better choice?",
    "How do you detect a regression in answer quality?",
    "Why store telemetry as OpenTelemetry data?",
    "What is a fair way to compare two prompts?",
    "How many samples does an A/B test of models need?",
]
_CONFIDENCE = re.compile(r"confidence[:=]\s*([01](?:\.\d+)?)", re.I)


def confidence_of(text: str) -> float:
    """The confidence a model states ("confidence: 0.8"), else a stable stand-in from the text.

    A real member is asked to end with its confidence; the stub's words do not, so the stand-in
    (a hash of the answer) keeps the example deterministic for a given seed.
    """
    m = _CONFIDENCE.search(text)
    if m:
        return float(m.group(1))
    return 0.45 + int(hashlib.sha256(text.encode()).hexdigest()[:4], 16) % 50 / 100


def check_answer(member: Any, text: str) -> None:
    """Rule-based checks on an answer, recorded as evaluation results on the member's span."""
    words = len(text.split())
    with agentel.generation.evaluation("answer_length", judged=member.span) as ev:
        ev.score(min(1.0, words / 40), label="pass" if words >= 10 else "fail")
    with agentel.generation.evaluation("non_empty", judged=member.span) as ev:
        ev.score(1.0 if text.strip() else 0.0, label="pass" if text.strip() else "fail")


def ask_member(clients: Clients, it: Any, model: str, question: str, feedback: str | None) -> str | None:
    messages = [
        {"role": "system", "content": "Answer briefly and end with 'confidence: <0..1>'."},
        {"role": "user", "content": question},
    ]
    if feedback:
        messages.append({"role": "user", "content": f"The arbiter asked for more: {feedback}"})
    try:
        with it.member(model) as m:
            text, _usage = clients.chat(model, messages)
            m.respond(confidence=confidence_of(text))
            check_answer(m, text)
            return text
    except Exception:  # a member that fails is left out of this iteration (the span says why)
        return None


def run_question(
    clients: Clients, pool: ThreadPoolExecutor, question: str, max_iterations: int
) -> dict[str, Any]:
    with agentel.consortium.run(
        question,
        members=MEMBERS,
        arbiter=ARBITER,
        task="qa",
        max_iterations=max_iterations,
        confidence_threshold=0.8,
    ) as run:
        feedback = None
        for _ in range(run.max_iterations):
            with run.iteration() as it:
                futures = {
                    m: pool.submit(ask_member, clients, it, m, question, feedback) for m in run.members
                }
                answers = {m: f.result() for m, f in futures.items() if f.result() is not None}
                if not answers:
                    continue
                ranked = sorted(answers, key=lambda m: confidence_of(answers[m] or ""), reverse=True)
                prompt = "\n\n".join(f"[{m}] {answers[m]}" for m in ranked)
                try:
                    with it.arbiter() as arb:
                        verdict, _ = clients.chat(
                            ARBITER,
                            [
                                {
                                    "role": "system",
                                    "content": "Synthesize the best answer; rate your confidence.",
                                },
                                {"role": "user", "content": f"Question: {question}\n\nAnswers:\n{prompt}"},
                            ],
                            max_tokens=200,
                        )
                        best = confidence_of(answers[ranked[0]] or "")
                        # agreement grows as members converge over iterations
                        confidence = min(
                            1.0, 0.5 * best + 0.2 * len(answers) / len(MEMBERS) + 0.15 * it.number
                        )
                        arb.decide(confidence=confidence, chosen=ranked[0])
                        feedback = verdict[:200]
                except Exception:
                    continue
            if run.converged:
                break
        return {
            "run_id": run.run_id,
            "trace_id": run.trace_id,
            "iterations": run.iterations_done,
            "confidence": run.confidence,
        }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--prompts", type=int, default=6, help="questions to put to the consortium")
    ap.add_argument("--max-iterations", type=int, default=3)
    ap.add_argument("--latency-scale", type=float, default=1.0, help="multiply the stub's latencies")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--summary", help="write what was done (calls per model, runs) as JSON here")
    args = ap.parse_args(argv)

    agentel.configure()
    agentel.instrument_openai()
    agentel.instrument_anthropic()
    clients = Clients(latency_scale=args.latency_scale, seed=args.seed)
    runs = []
    with ThreadPoolExecutor(max_workers=len(MEMBERS)) as pool:
        for question in (QUESTIONS * 4)[: args.prompts]:
            runs.append(run_question(clients, pool, question, args.max_iterations))
    agentel.shutdown()
    for r in runs:
        print(
            f"{r['run_id']}: {r['iterations']} iteration(s), confidence {r['confidence'] or 0:.2f} "
            f"[Trace ID: {r['trace_id']}]"
        )
    write_summary(args.summary, {**clients.summary(), "runs": runs})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
