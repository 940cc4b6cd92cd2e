"""The public API is exactly agentel.__all__, and every name there resolves."""

from __future__ import annotations

import importlib
import subprocess
import sys
import time

import agentel


def test_all_names_resolve_and_are_public() -> None:
    for name in agentel.__all__:
        assert hasattr(agentel, name), name
    public = {
        n
        for n in vars(agentel)
        if not n.startswith("_") and n != "annotations" and not isinstance(getattr(agentel, n), type(sys))
    }
    assert public <= set(agentel.__all__), f"exported but not in __all__: {public - set(agentel.__all__)}"


def test_submodules_import_cleanly() -> None:
    for mod in (
        "agentel.sdk",
        "agentel.config",
        "agentel.registry",
        "agentel.testing",
        "agentel.distro",
        "agentel.cli",
    ):
        importlib.import_module(mod)


def test_cli_help_is_fast_and_lists_commands() -> None:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "agentel.cli", "--help"], capture_output=True, text=True, check=True
    )
    elapsed = time.perf_counter() - start
    assert "run" in out.stdout and "lint" in out.stdout
    assert elapsed < 5  # generous sanity bound; the real number is in benchmarks
