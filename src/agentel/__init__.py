"""agentel: OpenTelemetry-native, local-first instrumentation for programs that call LLMs.

The public API is exactly ``__all__``; everything else may move without notice.
"""

from __future__ import annotations

from agentel.config import ConfigError, Settings
from agentel.correlation import context
from agentel.registry import event, metric, register_event, register_metric
from agentel.sdk import configure, force_flush, shutdown
from agentel.tracing import span, trace

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "Settings",
    "__version__",
    "configure",
    "context",
    "event",
    "force_flush",
    "metric",
    "register_event",
    "register_metric",
    "shutdown",
    "span",
    "trace",
]
