"""agentel: OpenTelemetry-native, local-first instrumentation for programs that call LLMs.

The public API is exactly ``__all__``; everything else may move without notice.

``import agentel`` is cheap: it installs the crash hook and nothing else. Every public name is
imported on first use through the module ``__getattr__`` below (``agentel.configure`` loads the
SDK, ``agentel.span`` the tracing helpers, ``agentel.training`` its pack...), so a program — or
the ``agentel`` command — pays only for what it touches. ``tests/core/test_startup.py`` pins this.
"""

from __future__ import annotations

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from agentel.redaction.crash import install as _install_crash_hook

if _TYPE_CHECKING:  # what the lazy names resolve to, for type checkers and IDEs
    from agentel import alerts, evals
    from agentel.alerts import check_alerts
    from agentel.config import ConfigError, Settings
    from agentel.correlation import context
    from agentel.evals import check, register_check, run_checks
    from agentel.evals.feedback import feedback
    from agentel.genai import current_llm_call, instrument_anthropic, instrument_openai, llm_call
    from agentel.genai.agents import agent, tool
    from agentel.packs import consortium, evolution, generation, training
    from agentel.redaction.policy import Policy as RedactionPolicy
    from agentel.registry import event, metric, register_event, register_metric
    from agentel.sdk import configure, force_flush, shutdown
    from agentel.tracing import span, trace

__version__ = "0.1.0"

# An uncaught exception leaves a sanitized record even before configure() (docs/privacy.md).
_install_crash_hook()

#: public name -> (module, attribute in it; None = the module itself)
_LAZY: dict[str, tuple[str, str | None]] = {
    "ConfigError": ("agentel.config", "ConfigError"),
    "agent": ("agentel.genai.agents", "agent"),
    "RedactionPolicy": ("agentel.redaction.policy", "Policy"),
    "Settings": ("agentel.config", "Settings"),
    "alerts": ("agentel.alerts", None),
    "check": ("agentel.evals", "check"),
    "check_alerts": ("agentel.alerts", "check_alerts"),
    "configure": ("agentel.sdk", "configure"),
    "consortium": ("agentel.packs.consortium", None),
    "context": ("agentel.correlation", "context"),
    "current_llm_call": ("agentel.genai", "current_llm_call"),
    "evals": ("agentel.evals", None),
    "event": ("agentel.registry", "event"),
    "evolution": ("agentel.packs.evolution", None),
    "feedback": ("agentel.evals", "feedback"),
    "force_flush": ("agentel.sdk", "force_flush"),
    "generation": ("agentel.packs.generation", None),
    "instrument_anthropic": ("agentel.genai", "instrument_anthropic"),
    "instrument_openai": ("agentel.genai", "instrument_openai"),
    "llm_call": ("agentel.genai", "llm_call"),
    "metric": ("agentel.registry", "metric"),
    "register_check": ("agentel.evals", "register_check"),
    "register_event": ("agentel.registry", "register_event"),
    "register_metric": ("agentel.registry", "register_metric"),
    "run_checks": ("agentel.evals", "run_checks"),
    "shutdown": ("agentel.sdk", "shutdown"),
    "span": ("agentel.tracing", "span"),
    "tool": ("agentel.genai.agents", "tool"),
    "trace": ("agentel.tracing", "trace"),
    "training": ("agentel.packs.training", None),
}

__all__ = [
    "ConfigError",
    "RedactionPolicy",
    "Settings",
    "__version__",
    "agent",
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
    "tool",
    "trace",
    "training",
]


def __getattr__(name: str) -> _Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'agentel' has no attribute {name!r}")
    module_name, attr = target
    module = _importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value  # resolved once; later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
