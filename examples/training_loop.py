"""A training loop under the training pack: steps, epochs, checkpoints, loss, cache, collapse.

    python examples/training_loop.py [--epochs 3] [--steps 200] [--diverge] [--summary out.json]

No model is trained: each step does a little arithmetic and reports a loss that falls with
noise (``--diverge`` makes it blow up in the last epoch, to show the collapse alert). Steps are
timed into a histogram, losses go to gauges, cache lookups to counters, and checkpoints and
epochs to events; step and cache events are sampled (1/10, 1/100), metrics never are.
"""

from __future__ import annotations

import argparse
import json
import math
import random

import agentel


def work(rng: random.Random, size: int) -> float:
    """A stand-in for a forward/backward pass (~1 ms of arithmetic)."""
    return sum(math.sin(rng.random()) for _ in range(size))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--steps", type=int, default=200, help="steps per epoch")
    ap.add_argument("--diverge", action="store_true", help="make the loss blow up in the last epoch")
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--summary", help="write what was done as JSON here")
    args = ap.parse_args(argv)

    agentel.configure()
    rng = random.Random(args.seed)
    config = {"lr": 3e-4, "batch_size": 32, "epochs": args.epochs}
    with agentel.training.run("tiny-finetune", config=config) as tr:
        for epoch in range(args.epochs):
            with tr.epoch() as ep:
                for step in range(args.steps):
                    t = epoch * args.steps + step
                    with tr.step() as st:
                        work(rng, 2000)
                        loss = 2.5 * math.exp(-t / 250) + 0.1 + rng.gauss(0, 0.03)
                        if args.diverge and epoch == args.epochs - 1 and step > args.steps // 2:
                            loss *= 1 + (step - args.steps // 2) / 5
                        st.loss(loss, learning_rate=3e-4 * (1 - t / (args.epochs * args.steps)))
                    tr.cache(hit=rng.random() < 0.7, name="tokenized_batches")
                ep.loss(1.1 * (ep.mean_loss or 0.0), phase="eval")
            tr.checkpoint(f"checkpoints/epoch-{epoch}.pt", metrics={"eval_loss": ep.eval_loss})
        summary = {
            "run_id": tr.run_id,
            "steps": tr.global_step,
            "epochs": tr.epochs_done,
            "cache_hits": tr.cache_hits,
            "cache_misses": tr.cache_misses,
            "collapse_alerts": tr.alerts,
            "best_loss": tr.best_loss,
        }
    agentel.shutdown()
    print(
        f"{summary['run_id']}: {summary['steps']} steps, best loss {summary['best_loss']:.3f}, {summary['collapse_alerts']} collapse alert(s)"
    )
    if args.summary:
        with open(args.summary, "w", encoding="utf-8") as fh:
            json.dump(summary, fh, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
