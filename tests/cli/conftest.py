"""The CLI tests' store: the session's example data (tests/conftest.py ``example_data``), made by
running `examples/demo.py --quick`, i.e. the real main job (stub LLM server, the examples with the
real SDKs, load, reports, plots)."""

from __future__ import annotations

import pytest

from testsupport import ExampleData, invoke_cli


@pytest.fixture(scope="session")
def demo(example_data: ExampleData) -> ExampleData:
    return example_data


@pytest.fixture()
def agentel(demo: ExampleData, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run ``agentel ARGS`` in-process against the demo's store; returns the click Result."""
    monkeypatch.setenv("AGENTEL_DIR", str(demo.dir))
    return invoke_cli
