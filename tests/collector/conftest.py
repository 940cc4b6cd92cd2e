"""Fixtures for the collector tests: the built binary (skip only when it is not built) and processes."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from collector_process import CollectorProcess, collector_binary  # noqa: E402


@pytest.fixture(scope="session")
def collector_bin() -> Path:
    path = collector_binary()
    if not path.exists():
        pytest.skip(
            f"agentel collector binary not built at {path}: run `make collector` "
            "(`make test` builds it, so CI always runs these tests)"
        )
    return path


@pytest.fixture
def start_collector(collector_bin: Path, tmp_path: Path) -> Iterator[Callable[..., CollectorProcess]]:
    """Factory: ``start_collector(config, env=None, start=True)``; every process is killed at teardown."""
    started: list[CollectorProcess] = []

    def make(
        config: dict[str, Any], env: dict[str, str] | None = None, start: bool = True
    ) -> CollectorProcess:
        workdir = tmp_path / f"otelcol-{len(started)}"
        workdir.mkdir()
        proc = CollectorProcess(collector_bin, config, workdir, env)
        started.append(proc)
        return proc.start() if start else proc

    yield make
    # Flush the SDK into a still-running collector first, so a failing test does not spend its
    # teardown in the OTLP exporter's retries against a dead endpoint.
    import agentel

    agentel.shutdown()
    for proc in started:
        proc.kill()
