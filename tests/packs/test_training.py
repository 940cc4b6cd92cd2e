"""The training pack: steps timed and counted (never sampled), step and cache events sampled,
cache counters exact, epochs and checkpoints recorded, divergence alerts once per epoch."""

from __future__ import annotations

import math

import agentel
from agentel.testing import capture


def test_steps_epochs_cache_checkpoints_and_collapse() -> None:
    with capture() as cap:
        with agentel.training.run("ft", config={"lr": 0.1}, run_id="t1", cache_flush_every=7) as tr:
            with tr.epoch() as ep:
                for i in range(25):
                    with tr.step() as st:
                        st.loss(1.0 / (i + 1))
                    tr.cache(hit=i % 5 != 0)
                ep.loss(0.2)
            tr.checkpoint("ckpt/0.pt", metrics={"eval_loss": 0.2})
            with tr.epoch():
                for loss in (0.5, 1.0, math.nan, 2.0):  # 0.5 > 3 x best (0.04): diverging; alerts once
                    with tr.step() as st:
                        st.loss(loss)
        m = cap.metrics()
        assert [p.value for p in m["training.steps"]] == [29]
        assert [p.count for p in m["training.step.duration"]] == [29]
        assert [p.value for p in m["training.cache.hits"]] == [20]
        assert [p.value for p in m["training.cache.misses"]] == [5]
        phases = {p.attributes["training.phase"]: p.value for p in m["training.loss"]}
        assert phases == {"train": 2.0, "eval": 0.2}
        steps = cap.events("training.step")
        assert [e.log_record.attributes["training.step"] for e in steps] == [1, 11, 21]  # 1 in 10
        assert all(e.log_record.attributes["agentel.sample_rate"] == 10 for e in steps)
        assert len(cap.events("training.cache")) == 1  # 1 in 100
        epochs = [dict(e.log_record.attributes) for e in cap.events("training.epoch")]
        assert epochs[0]["training.steps"] == 25 and epochs[0]["training.eval_loss"] == 0.2
        assert epochs[0]["training.loss"] == sum(1 / (i + 1) for i in range(25)) / 25
        [ckpt] = cap.events("training.checkpoint")
        assert ckpt.log_record.attributes["training.checkpoint.path"] == "ckpt/0.pt"
        assert ckpt.log_record.attributes["training.step"] == 25
        [alert] = cap.events("training.collapse_alert")
        assert alert.log_record.attributes["training.reason"] == "loss_diverging"
        assert alert.log_record.attributes["training.epoch"] == 1
        assert alert.log_record.severity_text == "WARN"
        run = cap.span("training.run")
        assert run.attributes["training.steps"] == 29 and run.attributes["training.collapse_alerts"] == 1
        assert run.attributes["training.cache.hits"] == 20 and run.attributes["training.best_loss"] == 0.04
        assert [s.name for s in cap.spans].count("training.epoch") == 2


def test_a_nan_loss_alerts_as_not_finite() -> None:
    with capture() as cap:
        with agentel.training.run("ft") as tr, tr.epoch(), tr.step() as st:
            st.loss(math.inf)
        [alert] = cap.events("training.collapse_alert")
        assert alert.log_record.attributes["training.reason"] == "loss_not_finite"
