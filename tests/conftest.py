"""Suite-wide fixtures: internal errors re-raised, agentel shut down and isolated per test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from agentel._internal import errors

# every line agentel's file writer writes during the session must parse as OTLP/JSON (issue 15 item 8)
pytest_plugins = ["otlp_json_check"]

# Bugs in telemetry code must fail tests instead of being swallowed.
errors.RAISE = True
os.environ.setdefault("AGENTEL_RAISE_INTERNAL_ERRORS", "1")
# A ClickHouse server for the store's server-engine tests is read from here; CLICKHOUSE_URL itself
# is removed per test so it does not turn on the clickhouse sink in every configure().
if os.environ.get("CLICKHOUSE_URL"):
    os.environ.setdefault("AGENTEL_TEST_CLICKHOUSE_URL", os.environ["CLICKHOUSE_URL"])


@pytest.fixture(autouse=True)
def _isolated_agentel(tmp_path: os.PathLike[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts unconfigured, with AGENTEL_DIR in its own temp dir and no stray OTEL_* env."""
    from agentel import sdk

    for var in list(os.environ):
        if (var.startswith("AGENTEL_") and var != "AGENTEL_RAISE_INTERNAL_ERRORS") or var.startswith("OTEL_"):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("CLICKHOUSE_URL", raising=False)
    monkeypatch.setenv("AGENTEL_DIR", str(tmp_path / "agentel"))
    sdk.shutdown()
    yield
    sdk.shutdown()
