"""Training loops: steps, epochs, checkpoints, loss, step time, cache hits, collapse alerts.

    with agentel.training.run("finetune-small", config={"lr": 3e-4}) as tr:
        for epoch in range(3):
            with tr.epoch() as ep:
                for batch in loader:
                    with tr.step() as st:
                        st.loss(train_step(batch))
                    tr.cache(hit=batch.cached)
                ep.loss(validate(), phase="eval")
            tr.checkpoint("ckpt/epoch3.pt")

A training loop is hot: a span per step would cost more than the step logs are worth, so steps
are not spans. Each step records its duration (histogram) and loss (gauge) — metrics are never
sampled — and a ``training.step`` event that *is* sampled (1 in 10 by registry setting). Cache
lookups are counted locally and added to the hit/miss counters every ``cache_flush_every``
lookups and at the end (exact totals, one instrument call per batch of lookups); their per-lookup
event is sampled 1 in 100. Epochs and the run are spans. A loss that turns NaN/inf or rises above
``collapse_factor`` × the best loss seen emits ``training.collapse_alert`` (warn), once per epoch.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry.trace import Span

from agentel.packs._base import as_json, emit_in, pack_span, record
from agentel.registry import REGISTRY, EventSpec, MetricSpec, metric

PACK = "training"
STEP_SAMPLE_EVERY = 10
CACHE_SAMPLE_EVERY = 100

EVENTS = (
    EventSpec(
        "training.step",
        "A training step (sampled): step, epoch, loss, duration, learning rate.",
        "debug",
        (
            "training.run_id",
            "training.step",
            "training.epoch",
            "training.loss",
            "training.step_duration_s",
            "training.learning_rate",
        ),
        sample_every=STEP_SAMPLE_EVERY,
        pack=PACK,
    ),
    EventSpec(
        "training.epoch",
        "An epoch ended: mean training loss, evaluation loss, steps, duration.",
        "info",
        (
            "training.run_id",
            "training.epoch",
            "training.loss",
            "training.eval_loss",
            "training.steps",
            "training.duration_s",
        ),
        pack=PACK,
    ),
    EventSpec(
        "training.checkpoint",
        "A checkpoint was written: where, at which step, with which metrics (JSON).",
        "info",
        (
            "training.run_id",
            "training.step",
            "training.epoch",
            "training.checkpoint.path",
            "training.metrics",
        ),
        pack=PACK,
    ),
    EventSpec(
        "training.collapse_alert",
        "Training looks collapsed or diverging (loss NaN/inf, or far above its best).",
        "warn",
        (
            "training.run_id",
            "training.step",
            "training.epoch",
            "training.loss",
            "training.best_loss",
            "training.reason",
        ),
        pack=PACK,
    ),
    EventSpec(
        "training.cache",
        "A cache lookup in the data/feature pipeline (sampled): hit or miss.",
        "debug",
        ("training.run_id", "training.cache.name", "training.cache.hit"),
        sample_every=CACHE_SAMPLE_EVERY,
        pack=PACK,
    ),
)

METRICS = (
    MetricSpec(
        "training.loss",
        "gauge",
        "1",
        "Latest loss, by phase (train, eval).",
        ("training.name", "training.phase"),
        pack=PACK,
    ),
    MetricSpec(
        "training.step.duration",
        "histogram",
        "s",
        "Wall time of a training step.",
        ("training.name",),
        (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        pack=PACK,
    ),
    MetricSpec(
        "training.steps",
        "counter",
        "{step}",
        "Training steps done.",
        ("training.name",),
        pack=PACK,
    ),
    MetricSpec(
        "training.cache.hits",
        "counter",
        "{lookup}",
        "Cache hits in the data/feature pipeline (added in batches; exact totals).",
        ("training.name", "training.cache.name"),
        pack=PACK,
    ),
    MetricSpec(
        "training.cache.misses",
        "counter",
        "{lookup}",
        "Cache misses in the data/feature pipeline (added in batches; exact totals).",
        ("training.name", "training.cache.name"),
        pack=PACK,
    ),
    MetricSpec(
        "training.collapse_alerts",
        "counter",
        "{alert}",
        "Collapse/divergence alerts raised.",
        ("training.name", "training.reason"),
        pack=PACK,
    ),
)

for _spec in EVENTS:
    REGISTRY.register_event(_spec)
for _m in METRICS:
    REGISTRY.register_metric(_m)


class Step:
    """What ``tr.step()`` yields."""

    __slots__ = ("learning_rate", "value")

    def __init__(self) -> None:
        self.value: float | None = None
        self.learning_rate: float | None = None

    def loss(self, value: float, learning_rate: float | None = None) -> None:
        """This step's training loss (and learning rate, when scheduled)."""
        self.value = float(value)
        self.learning_rate = learning_rate


class Epoch:
    """What ``tr.epoch()`` yields."""

    def __init__(self, number: int, span: Span) -> None:
        self.number = number
        self.span = span
        self.steps = 0
        self.loss_sum = 0.0
        self.loss_count = 0
        self.eval_loss: float | None = None
        self.alerted = False

    def loss(self, value: float, phase: str = "eval") -> None:
        """An epoch-level loss (default: the evaluation loss)."""
        if phase == "eval":
            self.eval_loss = float(value)

    @property
    def mean_loss(self) -> float | None:
        return self.loss_sum / self.loss_count if self.loss_count else None


class TrainingRun:
    """A training run in progress (what ``agentel.training.run(...)`` yields)."""

    def __init__(self, name: str, run_id: str | None, collapse_factor: float, cache_flush_every: int) -> None:
        self.name = name
        self.run_id = run_id or f"train-{uuid.uuid4().hex[:12]}"
        self.collapse_factor = collapse_factor
        self.cache_flush_every = max(1, cache_flush_every)
        self.global_step = 0
        self.best_loss: float | None = None
        self.alerts = 0
        self.epochs_done = 0
        self._epoch: Epoch | None = None
        self._labels = {"training.name": name}
        self._cache_counts: dict[tuple[str, bool], int] = {}
        self._cache_pending = 0
        self._lock = threading.Lock()
        self.cache_hits = 0
        self.cache_misses = 0

    @contextmanager
    def epoch(self, number: int | None = None) -> Iterator[Epoch]:
        """A ``training.epoch`` span; ``training.epoch`` event with the mean loss at its end."""
        n = self.epochs_done if number is None else number
        with pack_span(
            "training.epoch", {"iteration": n}, attrs={"training.run_id": self.run_id, "training.epoch": n}
        ) as span:
            ep = Epoch(n, span)
            self._epoch = ep
            t0 = time.perf_counter()
            try:
                yield ep
            finally:
                self._epoch = None
                self.epochs_done = max(self.epochs_done, n + 1)
                with record("packs.training.epoch"):
                    took = time.perf_counter() - t0
                    attrs: dict[str, Any] = {"training.steps": ep.steps}
                    if ep.mean_loss is not None:
                        attrs["training.loss"] = ep.mean_loss
                    if ep.eval_loss is not None:
                        attrs["training.eval_loss"] = ep.eval_loss
                        metric("training.loss").set(ep.eval_loss, {**self._labels, "training.phase": "eval"})
                    span.set_attributes(attrs)
                    emit_in(
                        span,
                        "training.epoch",
                        **{
                            "training.run_id": self.run_id,
                            "training.epoch": n,
                            "training.loss": ep.mean_loss,
                            "training.eval_loss": ep.eval_loss,
                            "training.steps": ep.steps,
                            "training.duration_s": took,
                        },
                    )

    @contextmanager
    def step(self) -> Iterator[Step]:
        """Time one step; its loss goes to the gauge, the sampled event and the collapse check."""
        st = Step()
        t0 = time.perf_counter()
        yield st
        took = time.perf_counter() - t0
        with record("packs.training.step"):
            self.global_step += 1
            ep = self._epoch
            metric("training.step.duration").record(took, self._labels)
            metric("training.steps").add(1, self._labels)
            if st.value is not None:
                metric("training.loss").set(st.value, {**self._labels, "training.phase": "train"})
                if ep is not None and math.isfinite(st.value):
                    ep.loss_sum += st.value
                    ep.loss_count += 1
                self._check_collapse(st.value, ep)
            if ep is not None:
                ep.steps += 1
            emit_in(
                None,
                "training.step",
                **{
                    "training.run_id": self.run_id,
                    "training.step": self.global_step,
                    "training.epoch": ep.number if ep is not None else None,
                    "training.loss": st.value,
                    "training.step_duration_s": took,
                    "training.learning_rate": st.learning_rate,
                },
            )

    def _check_collapse(self, loss: float, ep: Epoch | None) -> None:
        reason = None
        if not math.isfinite(loss):
            reason = "loss_not_finite"
        elif (
            self.best_loss is not None and self.best_loss > 0 and loss > self.collapse_factor * self.best_loss
        ):
            reason = "loss_diverging"
        if math.isfinite(loss) and (self.best_loss is None or loss < self.best_loss):
            self.best_loss = loss
        if reason is None or (ep is not None and ep.alerted):
            return
        if ep is not None:
            ep.alerted = True
        self.collapse_alert(reason, loss=loss)

    def collapse_alert(self, reason: str, *, loss: float | None = None) -> None:
        """Raise a collapse alert yourself (e.g. output diversity fell below a threshold)."""
        with record("packs.training.collapse"):
            self.alerts += 1
            ep = self._epoch
            emit_in(
                None,
                "training.collapse_alert",
                **{
                    "training.run_id": self.run_id,
                    "training.step": self.global_step,
                    "training.epoch": ep.number if ep is not None else None,
                    "training.loss": loss if loss is None or math.isfinite(loss) else str(loss),
                    "training.best_loss": self.best_loss,
                    "training.reason": reason,
                },
            )
            metric("training.collapse_alerts").add(1, {**self._labels, "training.reason": reason})

    def checkpoint(self, path: str, *, metrics: Mapping[str, Any] | None = None) -> None:
        """Record that a checkpoint was written at the current step."""
        ep = self._epoch
        emit_in(
            None,
            "training.checkpoint",
            **{
                "training.run_id": self.run_id,
                "training.step": self.global_step,
                "training.epoch": ep.number if ep is not None else None,
                "training.checkpoint.path": path,
                "training.metrics": as_json(dict(metrics)) if metrics else None,
            },
        )

    def cache(self, hit: bool, name: str = "default") -> None:
        """Count one cache lookup (cheap: a dict increment; instruments are fed in batches)."""
        key = (name, bool(hit))
        with self._lock:
            self._cache_counts[key] = self._cache_counts.get(key, 0) + 1
            self._cache_pending += 1
            if hit:
                self.cache_hits += 1
            else:
                self.cache_misses += 1
            flush = self._cache_pending >= self.cache_flush_every
        emit_in(
            None,
            "training.cache",
            **{"training.run_id": self.run_id, "training.cache.name": name, "training.cache.hit": bool(hit)},
        )
        if flush:
            self.flush_cache_counts()

    def flush_cache_counts(self) -> None:
        """Add the locally counted cache lookups to the hit/miss counters."""
        with self._lock:
            counts, self._cache_counts, self._cache_pending = self._cache_counts, {}, 0
        with record("packs.training.cache"):
            for (name, hit), n in counts.items():
                metric("training.cache.hits" if hit else "training.cache.misses").add(
                    n, {**self._labels, "training.cache.name": name}
                )


@contextmanager
def run(
    name: str,
    *,
    config: Mapping[str, Any] | None = None,
    run_id: str | None = None,
    collapse_factor: float = 3.0,
    cache_flush_every: int = 100,
) -> Iterator[TrainingRun]:
    """A ``training.run`` span (name, config as JSON); ``run`` and ``task`` label what is inside."""
    tr = TrainingRun(name, run_id, collapse_factor, cache_flush_every)
    with pack_span(
        "training.run",
        {"run": tr.run_id, "task": name},
        attrs={
            "training.run_id": tr.run_id,
            "training.name": name,
            "training.config": as_json(dict(config or {})),
        },
    ) as span:
        try:
            yield tr
        finally:
            tr.flush_cache_counts()
            with record("packs.training.run"):
                attrs: dict[str, Any] = {
                    "training.steps": tr.global_step,
                    "training.epochs": tr.epochs_done,
                    "training.collapse_alerts": tr.alerts,
                    "training.cache.hits": tr.cache_hits,
                    "training.cache.misses": tr.cache_misses,
                }
                if tr.best_loss is not None:
                    attrs["training.best_loss"] = tr.best_loss
                span.set_attributes(attrs)


__all__ = ["Epoch", "Step", "TrainingRun", "run"]
