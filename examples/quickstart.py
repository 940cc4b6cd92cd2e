"""A small instrumented program: spans, correlation keys, logs, events and metrics.

Run it plain (``python examples/quickstart.py``) — it configures agentel itself — or under the
wrapper (``agentel run -- python examples/quickstart.py``).
"""

from __future__ import annotations

import logging
import random
import time

import agentel

log = logging.getLogger("quickstart")
agentel.register_event("quickstart.answer", "An answer was produced.", keys=("question", "words"))
agentel.register_metric(
    "quickstart.answers", "counter", "{answer}", "Answers produced.", attributes=("topic",)
)


@agentel.trace
def answer(question: str, topic: str) -> str:
    time.sleep(random.uniform(0.001, 0.005))
    text = f"An answer about {topic}."
    agentel.event("quickstart.answer", question=question, words=len(text.split()))
    agentel.metric("quickstart.answers").add(1, {"topic": topic})
    return text


@agentel.trace
def run(iterations: int = 3) -> None:
    for i in range(iterations):
        with agentel.context(iteration=i):
            for topic in ("physics", "poetry"):
                answer(f"q{i}-{topic}", topic)
            log.info("iteration %d done", i)
    try:
        with agentel.span("flaky-step"):
            raise TimeoutError("upstream took too long")
    except TimeoutError:
        log.exception("flaky step failed")


if __name__ == "__main__":
    agentel.configure()  # no-op when started by `agentel run` / opentelemetry-instrument
    with agentel.context(run="quickstart"):
        run()
