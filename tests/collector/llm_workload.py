"""A small instrumented LLM program (the e2e tests' example): known calls, known token totals.

Calls go through ``agentel.llm_call`` — the same path the openai/anthropic instrumentors record
through — inside a run root span with correlation keys, plus one failing call and a feedback-like
event, so traces, logs and metrics all carry something the assertions can count.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import agentel

log = logging.getLogger("llm_workload")


@dataclass(frozen=True)
class Call:
    provider: str
    model: str
    input_tokens: int
    output_tokens: int


CALLS: tuple[Call, ...] = (
    Call("openai", "gpt-4o-mini", 100, 20),
    Call("openai", "gpt-4o-mini", 120, 25),
    Call("openai", "gpt-4o", 300, 80),
    Call("anthropic", "claude-sonnet-4-5", 200, 50),
    Call("anthropic", "claude-sonnet-4-5", 220, 60),
)
FAILING = Call("openai", "gpt-4o", 0, 0)
RUN = "e2e-run"


def expected_tokens() -> dict[str, int]:
    return {
        "input": sum(c.input_tokens for c in CALLS),
        "output": sum(c.output_tokens for c in CALLS),
    }


def run(run_name: str = RUN) -> None:
    """Make the calls (and one that fails) inside one run root span."""
    with agentel.context(run=run_name), agentel.span("consortium-run", task="e2e"):
        for i, c in enumerate(CALLS):
            with agentel.context(iteration=i), agentel.llm_call(provider=c.provider, model=c.model) as call:
                call.set_request(temperature=0.2, max_tokens=256)
                call.set_usage(input_tokens=c.input_tokens, output_tokens=c.output_tokens)
                call.set_response(id=f"resp-{i}", model=c.model, finish_reasons=["stop"])
        try:
            with agentel.llm_call(provider=FAILING.provider, model=FAILING.model):
                raise TimeoutError("upstream timed out")
        except TimeoutError:
            log.warning("call to %s timed out", FAILING.model)  # a log record, bridged to OTel
