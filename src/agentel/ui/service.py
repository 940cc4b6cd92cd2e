"""Wiring a store engine into the UI's repository with the configured redaction policy."""

from __future__ import annotations

import os

from agentel.store.engine import Engine
from agentel.ui.data import Repository


def repository_for(engine: Engine) -> Repository:
    """The repository over ``engine``; feedback text passes the policy in AGENTEL_REDACTION_POLICY."""
    from agentel.redaction import Redactor, load_policy

    redactor = Redactor(load_policy(os.environ.get("AGENTEL_REDACTION_POLICY") or None))
    return Repository(engine, redact=redactor.redact_text)
