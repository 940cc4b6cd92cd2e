"""Running checks on a call, in the application (``agentel.run_checks``) or for ingest and the store.

A check that raises is a bug in that check, not in the call: it produces no result, is counted
and logged once by name, and the other checks still run. Unknown check names or parameters are
the caller's mistake and raise :class:`~agentel.evals.EvalError` before anything runs.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import trace as trace_api

from agentel.evals import checks as registry
from agentel.evals.emit import emit_result, guarded
from agentel.evals.model import Call, CheckResult, EvalError, parse_messages

_log = logging.getLogger("agentel.internal")
_lock = threading.Lock()
_check_errors: Counter[str] = Counter()

Params = Mapping[str, Mapping[str, Any]]


@dataclass
class Outcome:
    """What running checks on one call gave: results, checks skipped, checks that raised."""

    results: list[CheckResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def check_errors() -> dict[str, int]:
    """Exceptions raised by checks so far, by check name (``agentel doctor`` material)."""
    with _lock:
        return dict(_check_errors)


def validate(names: Iterable[str] | None, params: Params | None) -> list[registry.CheckSpec]:
    """The checks to run; unknown names or parameters raise :class:`EvalError` now."""
    specs, _ = registry.select(names)
    for check_name, values in (params or {}).items():
        registry.get_check(check_name).resolve_params(values)
    return specs


def evaluate(call: Call, names: Iterable[str] | None = None, params: Params | None = None) -> Outcome:
    """Run the named checks (default: every default check) on ``call``; nothing is emitted."""
    names = list(names) if names is not None else None
    specs = validate(names, params)
    explicit = bool(names)
    out = Outcome()
    for spec in specs:
        try:
            result = registry.run_one(spec, call, (params or {}).get(spec.name), explicit)
        except EvalError as exc:
            out.errors[spec.name] = str(exc)
            continue
        except Exception as exc:
            out.errors[spec.name] = f"{type(exc).__name__}: {exc}"
            with _lock:
                _check_errors[spec.name] += 1
                first = _check_errors[spec.name] == 1
            if first:
                _log.warning("check %r raised (further errors counted, not logged)", spec.name, exc_info=exc)
            continue
        if result is None:
            out.skipped.append(spec.name)
        else:
            out.results.append(result)
    return out


def _from_llm_call(obj: Any) -> tuple[dict[str, Any], Any]:
    """Call fields and the span from an ``agentel.llm_call`` record (agentel.genai.LLMCall)."""
    fields: dict[str, Any] = {
        "model": obj.response_model or obj.request_model,
        "provider": obj.provider,
        "input_tokens": obj.input_tokens,
        "output_tokens": obj.output_tokens,
        "error_type": obj.error_type,
        "finish_reasons": tuple(obj.finish_reasons or ()),
    }
    inp = parse_messages(obj.input_messages) if obj.input_messages else None
    outp = parse_messages(obj.output_messages) if obj.output_messages else None
    if inp is not None or outp is not None:
        fields["_messages"] = (inp, outp, obj.system_instructions)
    return fields, obj.span


def run_checks(
    call: Any = None,
    *,
    prompt: str | None = None,
    response: str | None = None,
    system: str | None = None,
    reference_answer: str | None = None,
    input_tokens: int | None = None,
    output_tokens: int | None = None,
    latency_s: float | None = None,
    model: str | None = None,
    expects_json: bool = False,
    span: Any = None,
    checks: Iterable[str] | None = None,
    params: Params | None = None,
    emit: bool = True,
) -> list[CheckResult]:
    """Run checks on a call and record each result on the judged span; returns the results.

    ``call`` is an :class:`~agentel.evals.Call`, or what ``agentel.llm_call(...)`` yielded (its
    span, usage and — when content capture is on — messages are used), or None (then give
    ``prompt``/``response``/usage here, and the current span is the judged one). Keyword values
    given here win over the call's. ``checks`` names the checks (default: every default check);
    ``params`` sets their parameters, e.g. ``{"latency": {"max_s": 5}}``.
    """
    names = list(checks) if checks is not None else None
    validate(names, params)
    judged = span
    if isinstance(call, Call):
        base = call
    else:
        fields: dict[str, Any] = {}
        if call is not None and hasattr(call, "span") and hasattr(call, "request_model"):
            fields, call_span = _from_llm_call(call)
            judged = judged if judged is not None else call_span
        elif call is not None:
            raise EvalError(
                f"run_checks(call=...): expected an agentel.evals.Call or an agentel.llm_call record, "
                f"got {type(call).__name__}"
            )
        msgs = fields.pop("_messages", None)
        base = Call.from_messages(*msgs, **fields) if msgs else Call(**fields)
    overrides: dict[str, Any] = {
        k: v
        for k, v in (
            ("prompt", prompt),
            ("response", response),
            ("system", system),
            ("reference_answer", reference_answer),
            ("input_tokens", input_tokens),
            ("output_tokens", output_tokens),
            ("latency_s", latency_s),
            ("model", model),
        )
        if v is not None
    }
    if expects_json:
        overrides["expects_json"] = True
    if overrides:
        import dataclasses

        base = dataclasses.replace(base, **overrides)
    outcome = evaluate(base, names, params)
    if emit and outcome.results:
        with guarded("evals.run_checks.emit"):
            ctx = (judged if judged is not None else trace_api.get_current_span()).get_span_context()
            tid = ctx.trace_id if ctx.is_valid else None
            sid = ctx.span_id if ctx.is_valid else None
            if base.trace_id and not tid:
                tid = int(base.trace_id, 16)
                sid = int(base.span_id, 16) if base.span_id else None
            for result in outcome.results:
                emit_result(result, trace_id=tid, span_id=sid)
    return outcome.results


__all__ = ["Outcome", "check_errors", "evaluate", "run_checks", "validate"]
