"""LLM-driven evolutionary search: models mutate and cross over programs, the fittest survive.

    python examples/evolution.py [--generations 5] [--population 6] [--summary out.json]

Every candidate is an LLM call (real openai SDK, local stub server by default) followed by an
evaluation; agentel records runs, generations (best/avg fitness), individuals (fitness, code
hash, metrics), lineage edges (parent → child, mutation type, fitness delta) and agent actions.
Afterwards: ``agentel plots`` draws fitness per generation and the lineage.
"""

from __future__ import annotations

import argparse
import hashlib
import random
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from llm_clients import Clients, write_summary

import agentel

MUTATOR = "gpt-4.1-nano-2025-04-14"
CROSSOVER = "gpt-4o-mini-2024-07-18"
REFINER = "gpt-4.1-mini-2025-04-14"
TASK = "sort_integers"
SEED_PROGRAM = "def solve(xs):\n    return sorted(xs)\n"


# What the refiner is shown besides the best program: a failing test's output (a real search pastes
# the benchmark's stderr; the answers that discuss it are what `responses mentioning traceback` finds).
FAILING_TEST = (
    "Traceback (most recent call last):\n"
    '  File "bench.py", line 12, in test_mixed_types\n'
    "    solve([3, None, 1])\n"
    "TypeError: '<' not supported between instances of 'NoneType' and 'int'"
)


def evaluate(code: str, parent_fitness: float | None) -> tuple[float | None, dict[str, Any]]:
    """A stand-in benchmark: stable for a given program, improving on average, sometimes broken.

    A real search would run the program on test cases; here the program's hash decides, so the
    example is deterministic for a given seed and the reports have a realistic shape.
    """
    h = int(hashlib.sha256(code.encode()).hexdigest()[:8], 16)
    if h % 9 == 0:
        return None, {"compiled": False}
    base = parent_fitness if parent_fitness is not None else 0.2 + (h % 30) / 100
    fitness = max(0.0, min(1.0, base + ((h >> 8) % 35 - 10) / 100))
    return fitness, {
        "compiled": True,
        "runtime_ms": round(1 + (h >> 16) % 50 / 10, 1),
        "tests_passed": round(fitness * 20),
    }


def make_child(clients: Clients, gen: Any, parents: list[Any], kind: str) -> Any:
    model = {"mutate": MUTATOR, "crossover": CROSSOVER, "refine": REFINER, "seed": MUTATOR}[kind]
    sources = "\n\n".join(p["code"] for p in parents) or SEED_PROGRAM
    prompt = f"Task {TASK}: {kind} these program(s) to make them faster and correct.\n\n{sources}"
    if kind == "refine":  # the refiner sees the failing test's output
        prompt += f"\n\nThe best program fails a test:\n{FAILING_TEST}"
    try:
        with gen.candidate(parents=[p["id"] for p in parents], mutation_type=kind) as cand:
            text, _ = clients.chat(model, [{"role": "user", "content": prompt}], max_tokens=160)
            code = f"# {kind} by {model}\n{SEED_PROGRAM}# {text[:120]}\n"
            best_parent = max((p["fitness"] for p in parents if p["fitness"] is not None), default=None)
            fitness, metrics = evaluate(code, best_parent)
            ind = cand.result(fitness=fitness, code=code, metrics=metrics)
            return {"id": ind.id, "fitness": ind.fitness, "code": code}
    except Exception:  # the LLM call failed: the candidate is recorded as invalid
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--generations", type=int, default=5)
    ap.add_argument("--population", type=int, default=6)
    ap.add_argument("--latency-scale", type=float, default=1.0, help="multiply the stub's latencies")
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--summary", help="write what was done (calls per model, run) as JSON here")
    args = ap.parse_args(argv)

    agentel.configure()
    agentel.instrument_openai()
    clients = Clients(latency_scale=args.latency_scale, seed=args.seed)
    rng = random.Random(args.seed)
    config = {"population": args.population, "generations": args.generations, "survivors": 3}
    individuals = 0
    with agentel.evolution.run(TASK, config=config) as evo, ThreadPoolExecutor(max_workers=4) as pool:
        population: list[dict[str, Any]] = []
        for g in range(args.generations):
            with evo.generation() as gen:
                if g == 0:
                    plans = [([], "seed") for _ in range(args.population)]
                else:
                    survivors = sorted(population, key=lambda p: p["fitness"], reverse=True)[:3]
                    evo.action(
                        "select",
                        agent="selector",
                        details={
                            "generation": g,
                            "kept": [p["id"] for p in survivors],
                            "best": survivors[0]["fitness"],
                        },
                    )
                    plans = []
                    for i in range(args.population):
                        kind = "refine" if i == 0 else rng.choice(["mutate", "mutate", "crossover"])
                        parents = (
                            [survivors[0]]
                            if kind == "refine"
                            else rng.sample(survivors, min(len(survivors), 2 if kind == "crossover" else 1))
                        )
                        plans.append((parents, kind))
                    evo.action(
                        "plan", agent="planner", details={"generation": g, "kinds": [k for _, k in plans]}
                    )
                children = list(pool.map(lambda pk: make_child(clients, gen, pk[0], pk[1]), plans))
                individuals += len(plans)
                fresh = [c for c in children if c is not None and c["fitness"] is not None]
                population = fresh or population
        best = max((p["fitness"] for p in population), default=None)
        run_id = evo.run_id
    agentel.shutdown()
    print(
        f"{run_id}: {args.generations} generations, {individuals} individuals, best fitness {best or 0:.3f}"
    )
    write_summary(
        args.summary,
        {
            **clients.summary(),
            "run_id": run_id,
            "generations": args.generations,
            "individuals": individuals,
            "best": best,
        },
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
