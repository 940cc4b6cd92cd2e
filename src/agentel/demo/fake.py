"""A realistic fake workload for dashboards and demos: ``agentel fake --count 300 --hours 24``.

Conversations (a ``chat.session`` root span with one to three LLM calls, the history growing
turn by turn) are spread over the last ``hours`` with a daytime peak. Five models differ in
quality, latency, error rate and price; answers are right, wrong, refusals, empty, leak an email,
or break the JSON they were asked for, in proportions that follow each model's quality. Every
call gets the built-in checks and a ``helpfulness`` judge score; ``feedback_rate`` of the calls
get feedback, exactly ``good_ratio`` of it good, given mostly to the better answers — so
leaderboards, the feedback view and the eval dashboards show real differences between models.

Records go through the pipeline in force like any other (spans with their own timestamps, cost
at genai-prices' rates, checks as ``gen_ai.evaluation.result``, feedback as ``agentel.feedback``).
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace as trace_api
from opentelemetry.trace import SpanKind

from agentel.evals.emit import emit_result
from agentel.evals.feedback import feedback
from agentel.evals.model import CheckResult
from agentel.genai import content
from agentel.ingest.formats import Interaction
from agentel.ingest.record import record_interaction


@dataclass(frozen=True)
class FakeModel:
    provider: str
    name: str
    quality: float  # chance of a good answer
    latency_s: float  # median seconds for a short answer
    error_rate: float
    weight: float  # share of traffic


MODELS = (
    FakeModel("openai", "gpt-4o-mini", 0.72, 1.1, 0.03, 0.34),
    FakeModel("openai", "gpt-4o", 0.84, 2.4, 0.02, 0.20),
    FakeModel("anthropic", "claude-3-5-haiku-latest", 0.76, 1.4, 0.03, 0.20),
    FakeModel("anthropic", "claude-sonnet-4-20250514", 0.90, 3.8, 0.02, 0.14),
    FakeModel("mistral_ai", "mistral-large-latest", 0.62, 2.0, 0.07, 0.12),
)


@dataclass(frozen=True)
class Task:
    name: str
    system: str
    prompt: str
    answer: str
    wrong: str
    reference: str | None = None
    json: bool = False


TASKS = (
    Task(
        "qa",
        "You answer factual questions in one sentence.",
        "What is the capital of Australia?",
        "The capital of Australia is Canberra.",
        "The capital of Australia is Sydney.",
        "Canberra",
    ),
    Task(
        "qa",
        "You answer factual questions in one sentence.",
        "In which year did Apollo 11 land on the Moon?",
        "Apollo 11 landed on the Moon in 1969.",
        "Apollo 11 landed on the Moon in 1972.",
        "1969",
    ),
    Task(
        "extract",
        "Reply with JSON only.",
        "Extract the name and age from: 'Ada Lovelace, aged 36, wrote the first program.'",
        '{"name": "Ada Lovelace", "age": 36}',
        '{"name": "Ada Lovelace", "age": "thirty-six"',
        json=True,
    ),
    Task(
        "summarize",
        "Summarize the user's text in two sentences.",
        "Summarize: The quarterly report shows revenue up 12% on strong cloud demand, while hardware "
        "sales fell 4%. Management expects margins to improve as the data-center build-out completes.",
        "Revenue grew 12% on cloud demand while hardware sales fell 4%. Margins should improve once "
        "the data-center build-out is done.",
        "The report is about hardware. Sales are up.",
    ),
    Task(
        "support",
        "You are a helpful support agent for a bicycle shop.",
        "My order #4521 arrived with a bent wheel. What can I do?",
        "Sorry about that! Reply with a photo of the wheel and we will ship a replacement within two "
        "business days, free of charge.",
        "Wheels bend sometimes. Please try straightening it yourself.",
    ),
    Task(
        "code",
        "You write short, correct Python.",
        "Write a Python function that reverses a string.",
        "def reverse(s: str) -> str:\n    return s[::-1]",
        "def reverse(s):\n    return s.sort()",
    ),
    Task(
        "translate",
        "Translate into French.",
        "Good morning, how are you?",
        "Bonjour, comment allez-vous ?",
        "Bonne nuit, où est la gare ?",
        "Bonjour",
    ),
)
_ERRORS = (
    ("RateLimitError", "429 rate limit reached"),
    ("APITimeoutError", "request timed out"),
    ("InternalServerError", "500 upstream error"),
)
_REFUSAL = "I'm sorry, but I can't help with that request."
_LEAK = " If you need more, write to our engineer at jane.doe@example.com."
_BAD_COMMENTS = ("wrong answer", "not what I asked", "refused a harmless request", "too slow", "incomplete")
_GOOD_COMMENTS = ("", "", "perfect", "thanks, that helped", "clear and short")


@dataclass
class FakeReport:
    """What ``agentel fake`` recorded."""

    calls: int = 0
    conversations: int = 0
    errors: int = 0
    evals: int = 0
    feedback: int = 0
    good: int = 0
    start: float = 0.0
    end: float = 0.0
    models: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "conversations": self.conversations,
            "errors": self.errors,
            "evaluations": self.evals,
            "feedback": self.feedback,
            "good_feedback": self.good,
            "start": self.start,
            "end": self.end,
            "models": dict(self.models),
        }


def _timestamps(rng: random.Random, n: int, start: float, end: float) -> list[float]:
    """``n`` times in [start, end), busier in the (UTC) daytime, sorted."""
    out: list[float] = []
    while len(out) < n:
        t = rng.uniform(start, end)
        hour = (t % 86400) / 3600
        if rng.random() < 0.35 + 0.65 * max(0.0, math.sin(math.pi * (hour - 6) / 14)):
            out.append(t)
    return sorted(out)


def _tokens(text: str) -> int:
    return max(1, math.ceil(len(text) / 4))


def generate(
    count: int = 300,
    hours: float = 24.0,
    feedback_rate: float = 0.5,
    good_ratio: float = 0.65,
    *,
    seed: int | None = None,
    run: str = "fake",
    now: float | None = None,
    evals: bool = True,
    progress: Callable[[int], None] | None = None,
) -> FakeReport:
    """Record ``count`` fake LLM calls over the last ``hours``, with evals and feedback."""
    if count < 1:
        raise ValueError(f"--count: must be at least 1, got {count}")
    if hours <= 0:
        raise ValueError(f"--hours: must be positive, got {hours}")
    for name, value in (("--feedback-rate", feedback_rate), ("--good-ratio", good_ratio)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name}: must be between 0 and 1, got {value}")
    rng = random.Random(seed)
    end = (now if now is not None else time.time()) - 60.0  # the last call ends before "now"
    start = end - hours * 3600
    report = FakeReport(start=start, end=end)

    # conversations of 1-3 turns until `count` calls
    sizes: list[int] = []
    while sum(sizes) < count:
        sizes.append(min(rng.choice((1, 1, 1, 2, 2, 3)), count - sum(sizes)))
    starts = _timestamps(rng, len(sizes), start, end - 600)
    weights = [m.weight for m in MODELS]
    judged: list[tuple[float, int, int, int, bool, Task]] = []  # (quality, trace, span, end_ns, ok, task)
    tracer = trace_api.get_tracer("agentel.fake")
    for size, t0 in zip(sizes, starts, strict=True):
        model = rng.choices(MODELS, weights)[0]
        task = rng.choice(TASKS)
        t = t0
        root = tracer.start_span(
            "chat.session",
            context=otel_context.Context(),
            kind=SpanKind.INTERNAL,
            attributes={"run": run, "task": task.name, "session.turns": size},
            start_time=int(t0 * 1e9),
        )
        parent = trace_api.set_span_in_context(root)
        history: list[dict[str, Any]] = []
        for turn in range(size):
            prompt = (
                task.prompt
                if turn == 0
                else rng.choice(
                    ("Can you say that more briefly?", "Thanks. Are you sure?", "Please explain why.")
                )
            )
            history.append({"role": "user", "parts": [content.text_part(prompt)]})
            it, quality, ok = _call(rng, model, task, history, t, run, turn)
            rec = record_interaction(it, run_checks=evals, parent=parent)
            end_ns = it.start_ns + int((it.duration_s or 0) * 1e9)
            report.calls += 1
            report.models[model.name] += 1
            report.errors += bool(it.error_type)
            report.evals += len(rec.results)
            if evals and not it.error_type:
                score = round(min(1.0, max(0.0, rng.gauss(0.82 if ok else 0.35, 0.12))), 3)
                emit_result(
                    CheckResult(
                        "helpfulness",
                        score,
                        "pass" if score >= 0.5 else "fail",
                        "judge: answers the question" if score >= 0.5 else "judge: misses the point",
                    ),
                    trace_id=rec.trace_id,
                    span_id=rec.span_id,
                    timestamp_ns=end_ns + int(rng.uniform(0.5, 3.0) * 1e9),
                )
                report.evals += 1
            judged.append((quality, rec.trace_id, rec.span_id, end_ns, ok, task))
            if it.output_messages:
                history.append(it.output_messages[0])
            t = end_ns / 1e9 + rng.uniform(5, 60)
            if progress is not None:
                progress(report.calls)
        root.end(end_time=end_ns + 1_000_000)
        report.conversations += 1

    _feedback(rng, judged, feedback_rate, good_ratio, end, report)
    return report


def _call(
    rng: random.Random,
    model: FakeModel,
    task: Task,
    history: list[dict[str, Any]],
    t: float,
    run: str,
    turn: int,
) -> tuple[Interaction, float, bool]:
    """One fake call: (interaction, answer quality 0..1, whether the answer is right)."""
    system = [content.text_part(task.system)]
    it = Interaction(
        "fake",
        model.provider,
        model.name,
        int(t * 1e9),
        f"fake:{rng.getrandbits(64):016x}",
        input_messages=[dict(m) for m in history],
        system=system,
        request_params={"temperature": rng.choice((0.0, 0.2, 0.7)), "max_tokens": 1024},
        attributes={"run": run, "task": task.name, "iteration": str(turn)},
        reference_answer=task.reference,
        expects_json=task.json,
    )
    prompt_chars = len(task.system) + sum(len(content.to_json(m)) for m in history)
    input_tokens = _tokens("x" * prompt_chars) + rng.randint(0, 40)
    if rng.random() < model.error_rate:
        # a failed call reports no usage, as the providers' errors do: not priced (docs/cost.md)
        kind, message = rng.choice(_ERRORS)
        it.error_type, it.error_message = kind, message
        it.duration_s = round(rng.uniform(0.2, 1.0) if kind == "RateLimitError" else rng.uniform(20, 60), 3)
        return it, 0.0, False
    it.input_tokens = input_tokens
    roll = rng.random()
    if roll < model.quality:
        answer, quality, ok = task.answer, rng.uniform(0.7, 1.0), True
        if rng.random() < 0.03:
            answer += _LEAK
    else:
        bad = rng.random()
        if bad < 0.55:
            answer, quality = task.wrong, rng.uniform(0.1, 0.5)
        elif bad < 0.8:
            answer, quality = _REFUSAL, rng.uniform(0.0, 0.3)
        elif bad < 0.9:
            answer, quality = "", 0.0
        else:
            answer, quality = task.answer + _LEAK, rng.uniform(0.3, 0.6)
        ok = False
    it.output_tokens = _tokens(answer) if answer else 0
    it.output_messages = [
        {"role": "assistant", "parts": [content.text_part(answer)], "finish_reason": "stop"}
    ]
    it.finish_reasons = ["stop"]
    it.response_model = model.name
    it.response_id = f"fake-{rng.getrandbits(48):012x}"
    base = model.latency_s * (0.6 + it.output_tokens / 60) * rng.lognormvariate(0, 0.35)
    if rng.random() < 0.01:
        base += rng.uniform(30, 45)  # the occasional slow outlier (trips the latency check)
    it.duration_s = round(base, 3)
    return it, quality, ok


def _feedback(
    rng: random.Random,
    judged: list[tuple[float, int, int, int, bool, Task]],
    rate: float,
    good_ratio: float,
    end: float,
    report: FakeReport,
) -> None:
    """Exactly round(rate × calls) feedback records, exactly round(good_ratio × that) good; the
    better answers are likelier to be the good ones (noise keeps it from being perfect)."""
    n = round(rate * len(judged))
    if n == 0:
        return
    chosen = rng.sample(judged, n)
    ranked = sorted(chosen, key=lambda j: j[0] + rng.gauss(0, 0.25), reverse=True)
    n_good = round(good_ratio * n)
    for i, (_quality, trace_id, span_id, end_ns, ok, task) in enumerate(ranked):
        good = i < n_good
        when = min(end_ns / 1e9 + rng.uniform(10, 1800), end + 30)
        comment = rng.choice(_GOOD_COMMENTS if good else _BAD_COMMENTS)
        feedback(
            trace_id,
            span_id,
            good=good,
            comment=comment or None,
            reference_answer=task.reference if (not good and not ok and task.reference) else None,
            timestamp_ns=int(when * 1e9),
        )
        report.feedback += 1
        report.good += good


__all__ = ["MODELS", "TASKS", "FakeReport", "generate"]
