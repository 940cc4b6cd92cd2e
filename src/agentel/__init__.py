"""agentel: OpenTelemetry-native, local-first instrumentation for programs that call LLMs.

The public API is exactly ``__all__``; everything else may move without notice.
"""

from __future__ import annotations

from agentel import alerts, evals
from agentel.alerts import check_alerts
from agentel.config import ConfigError, Settings
from agentel.correlation import context
from agentel.evals import check, feedback, register_check, run_checks
from agentel.genai import current_llm_call, instrument_anthropic, instrument_openai, llm_call
from agentel.packs import consortium, evolution, generation, training
from agentel.redaction.crash import install as _install_crash_hook
from agentel.redaction.policy import Policy as RedactionPolicy
from agentel.registry import event, metric, register_event, register_metric
from agentel.sdk import configure, force_flush, shutdown
from agentel.tracing import span, trace

__version__ = "0.1.0"

# An uncaught exception leaves a sanitized record even before configure() (docs/privacy.md).
_install_crash_hook()

__all__ = [
    "ConfigError",
    "RedactionPolicy",
    "Settings",
    "__version__",
    "alerts",
    "check",
    "check_alerts",
    "configure",
    "consortium",
    "context",
    "current_llm_call",
    "evals",
    "event",
    "evolution",
    "feedback",
    "force_flush",
    "generation",
    "instrument_anthropic",
    "instrument_openai",
    "llm_call",
    "metric",
    "register_check",
    "register_event",
    "register_metric",
    "run_checks",
    "shutdown",
    "span",
    "trace",
    "training",
]
