"""Redaction: the privacy contract between the application and every sink.

One :class:`Policy` (from ``default_policy.toml``, a TOML/YAML file, or code) drives the span and
log processors that stand in front of every exporter, the metric views, the crash hook and the
collector's ``redaction`` processor config. See docs/privacy.md.

Names are imported lazily: ``import agentel`` installs the crash hook from here and must stay
cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agentel.redaction.metrics import metric_views
    from agentel.redaction.policy import EventRule, Policy, load_policy, normalize_key
    from agentel.redaction.processors import (
        RedactingLogRecordProcessor,
        RedactingSpanProcessor,
        RedactionError,
        StrictRedactionError,
        counts,
        current_redactor,
        redact_resource,
        wrap_log_processor,
        wrap_span_processor,
    )
    from agentel.redaction.redactor import Redactor
    from agentel.redaction.rules import PatternRule, marker, register_validator
    from agentel.redaction.source import PolicyError

_LAZY = {
    "EventRule": "agentel.redaction.policy",
    "Policy": "agentel.redaction.policy",
    "load_policy": "agentel.redaction.policy",
    "normalize_key": "agentel.redaction.policy",
    "PatternRule": "agentel.redaction.rules",
    "marker": "agentel.redaction.rules",
    "register_validator": "agentel.redaction.rules",
    "PolicyError": "agentel.redaction.source",
    "Redactor": "agentel.redaction.redactor",
    "RedactingLogRecordProcessor": "agentel.redaction.processors",
    "RedactingSpanProcessor": "agentel.redaction.processors",
    "RedactionError": "agentel.redaction.processors",
    "StrictRedactionError": "agentel.redaction.processors",
    "counts": "agentel.redaction.processors",
    "current_redactor": "agentel.redaction.processors",
    "redact_resource": "agentel.redaction.processors",
    "wrap_log_processor": "agentel.redaction.processors",
    "wrap_span_processor": "agentel.redaction.processors",
    "metric_views": "agentel.redaction.metrics",
}

__all__ = [
    "EventRule",
    "PatternRule",
    "Policy",
    "PolicyError",
    "RedactingLogRecordProcessor",
    "RedactingSpanProcessor",
    "RedactionError",
    "Redactor",
    "StrictRedactionError",
    "counts",
    "current_redactor",
    "load_policy",
    "marker",
    "metric_views",
    "normalize_key",
    "redact_resource",
    "register_validator",
    "wrap_log_processor",
    "wrap_span_processor",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'agentel.redaction' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
