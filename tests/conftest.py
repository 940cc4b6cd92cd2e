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
# Tests that start processes (`agentel run`, `opentelemetry-instrument`, `agentel serve`, writers
# killed mid-line), hunt with hypothesis or replay stores end to end: each took 5 s or more in
# `pytest --durations` (node-id prefixes, relative to tests/). Their fast siblings stay in the tier.
SLOW_TESTS = (
    "alerts/test_alerts_cli.py",
    "alerts/test_pack_rules.py::test_every_default_rule_is_judged_and_fires_and_clears_from_the_store",
    "analytics/test_training_export.py::test_records_without_recorded_content_are_counted",
    "core/test_bad_settings.py::test_a_bad_setting_under_a_wrapper",
    "core/test_bad_settings.py::test_agentel_run_",
    "core/test_files_sink.py::test_concurrent_processes_never_interleave_lines",
    "core/test_run_wrappers.py",
    "evals/test_fake.py::test_fake_workload_lands_in_every_view",
    "evals/test_store_roundtrip.py::test_cli_feedback",
    "evals/test_store_roundtrip.py::test_evals_run_judges_stored_calls_once",
    "evals/test_store_roundtrip.py::test_feedback_round_trip_through_the_store",
    "genai/test_content_event_store.py",
    "genai/test_instrumentor_lifecycle.py::test_opentelemetry_instrument_",
    "genai/test_lazy_instrumentors.py::test_sdks_are_hooked_on_import_not_at_start_up",
    "ingest/test_directory.py::test_ingested_calls_reach_the_store_once",
    "ingest/test_watch.py::test_the_watch_command",
    "packs/test_generation_reports.py::test_export_metrics_and_visualize_metrics_from_the_monitor",
    "packs/test_packs_feed_store.py",
    "redaction/test_property_no_leak.py",
    "redaction/test_redos.py",
    "serve/test_serve_browser.py",
    "serve/test_serve_cli_parity.py",
    "serve/test_serve_collector_clickhouse.py",
    "serve/test_serve_faults.py",
    "sinks/test_clickhouse_hung_server.py",
    "sinks/test_clickhouse_sink.py::test_spill_survives_the_process",
    "sinks/test_clickhouse_sink.py::test_target_fails_mid_run",
    "sinks/test_clickhouse_sink_server.py",
    "sinks/test_files_full_disk.py",
    "sinks/test_files_killed_writer.py",
    "store/test_exporter_parity.py",
    "store/test_load_bad_files.py",
    "store/test_maintenance.py",
    "store/test_row_fidelity.py",
)
# The store suites run on the embedded engine and on the server engine (`server-client`, `server`);
# the fast tier keeps the embedded runs.
SLOW_ENGINES = frozenset({"server-client", "server"})
TESTS = Path(__file__).resolve().parent


def _is_slow(item: pytest.Item) -> bool:
    path = Path(str(item.fspath)).resolve().relative_to(TESTS)
    node = "/".join(path.parts) + item.nodeid.partition("::")[1] + item.nodeid.partition("::")[2]
    params = getattr(getattr(item, "callspec", None), "params", {})
    return (
        bool(SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())))
        or path.parts[0] in SLOW_DIRS
        or node.startswith(SLOW_TESTS)
        or params.get("engine") in SLOW_ENGINES
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _is_slow(item):
            item.add_marker(pytest.mark.slow)
