"""A synthetic-data generator under the generation monitor: time, tokens, errors, evaluations.

    python examples/generation_monitor.py [--samples 20] [--summary out.json]

Each sample is a conversation of a few turns sent to a model (real openai SDK, local stub server
by default); the monitor records generation time, token counts, conversation length,
success/error and API errors, then two evaluations per sample — a rule check and an LLM judge —
with their scores and how long they took.
"""

from __future__ import annotations

import argparse
import random
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from llm_clients import Clients, write_summary

import agentel

GENERATORS = ["gpt-4o-mini-2024-07-18", "gpt-4.1-nano-2025-04-14"]
JUDGE = "gpt-4.1-mini-2025-04-14"
TOPICS = ["billing", "password reset", "shipping delay", "refund", "API quota", "data export"]


def conversation(rng: random.Random) -> list[dict[str, str]]:
    """A support conversation of 1-4 user turns to continue (the sample's prompt)."""
    topic = rng.choice(TOPICS)
    msgs = [{"role": "system", "content": "You write realistic customer-support dialogues."}]
    for turn in range(rng.randint(1, 4)):
        msgs.append({"role": "user", "content": f"Turn {turn + 1}: a customer asks about {topic}."})
        if turn:
            msgs.append({"role": "assistant", "content": f"An agent answers about {topic}."})
    return msgs


def generate(clients: Clients, mon: Any, model: str, msgs: list[dict[str, str]]) -> bool:
    """One sample: generate, then a rule check and an LLM judge; True when it is kept."""
    try:
        with mon.generation(conversation_length=len(msgs)) as g:
            text, usage = clients.chat(model, msgs, max_tokens=150)
            g.usage(usage.prompt_tokens, usage.completion_tokens)
            if not text.strip():
                g.fail("empty_output")
                return False
    except Exception:  # API error: counted by the monitor; the generator moves on
        return False
    with mon.evaluation("min_length", judged=g) as ev:
        ok = len(text.split()) >= 12
        ev.score(1.0 if ok else 0.0, label="pass" if ok else "fail")
    try:
        with mon.evaluation("judge_quality", judged=g) as ev:
            verdict, _ = clients.chat(
                JUDGE, [{"role": "user", "content": f"Rate 0-1: {text}"}], max_tokens=20
            )
            ev.score(round(0.4 + (len(verdict) % 60) / 100, 2), explanation="LLM judge")
    except Exception:  # the judge failed: the sample is kept, unjudged
        pass
    return ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=20)
    ap.add_argument("--latency-scale", type=float, default=1.0, help="multiply the stub's latencies")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--summary", help="write what was done (calls per model, run) as JSON here")
    args = ap.parse_args(argv)

    agentel.configure()
    agentel.instrument_openai()
    clients = Clients(latency_scale=args.latency_scale, seed=args.seed)
    rng = random.Random(args.seed)
    samples = [(GENERATORS[i % len(GENERATORS)], conversation(rng)) for i in range(args.samples)]
    with agentel.generation.monitor("support-dialogues") as mon, ThreadPoolExecutor(max_workers=4) as pool:
        kept = sum(pool.map(lambda s: generate(clients, mon, *s), samples))
        run_id, generations, errors = mon.run_id, mon.generations, mon.errors
    agentel.shutdown()
    print(f"{run_id}: {generations} generations, {errors} failed, {kept} kept")
    write_summary(
        args.summary,
        {**clients.summary(), "run_id": run_id, "generations": generations, "failed": errors, "kept": kept},
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
