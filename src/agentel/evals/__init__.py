"""Evals and feedback: rule-based checks over LLM calls, and human feedback, as linked events.

Each check result is a ``gen_ai.evaluation.result`` log record whose TraceId/SpanId are the judged
call's; feedback is an ``agentel.feedback`` record on the judged trace (and span). The store types
them into the ``eval_checks`` and ``feedback`` views. See docs/evals.md.

Importing this package is cheap; the store-side runner (``agentel.evals.store``) is imported by
the CLI only.
"""

from __future__ import annotations

from agentel.evals import builtin as _builtin  # noqa: F401 - registers the named checks (no cycle: builtin imports checks)
from agentel.evals.checks import CheckSpec, check, get_check, list_checks, register_check
from agentel.evals.emit import emit_result
from agentel.evals.feedback import feedback
from agentel.evals.model import FAIL, PASS, Call, CheckResult, EvalError, verdict
from agentel.evals.run import Outcome, evaluate, run_checks

__all__ = [
    "FAIL",
    "PASS",
    "Call",
    "CheckResult",
    "CheckSpec",
    "EvalError",
    "Outcome",
    "check",
    "emit_result",
    "evaluate",
    "feedback",
    "get_check",
    "list_checks",
    "register_check",
    "run_checks",
    "verdict",
]
