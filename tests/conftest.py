"""Suite-wide fixtures: internal errors re-raised, agentel shut down and isolated per test; the
session's example data; the ``slow`` marker that keeps `make test-fast` fast.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentel._internal import errors
from testsupport import ExampleData, run_demo

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


@pytest.fixture(scope="session")
def example_data(tmp_path_factory: pytest.TempPathFactory) -> ExampleData:
    """The one seed of example data for every suite that needs it: `examples/demo.py --quick` run
    once per session (the examples against a stub LLM server, loaded into the embedded store)."""
    return run_demo(tmp_path_factory.mktemp("example-data"))


# `make test-fast` runs `-m "not slow and not integration"`. A test is slow when it needs the example
# data (a subprocess seed), a collector, a browser or the UI process; those are marked here, so new
# tests that use these fixtures are marked without anyone remembering to. Mark any other test that
# starts processes or sleeps on real time with @pytest.mark.slow.
SLOW_FIXTURES = frozenset({"example_data", "collector_bin", "start_collector", "browser", "chromium", "ui"})
SLOW_DIRS = frozenset({"collector", "ui"})
TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).resolve().relative_to(TESTS).parts
        if SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())) or parts[0] in SLOW_DIRS:
            item.add_marker(pytest.mark.slow)
