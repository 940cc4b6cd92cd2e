"""Hostile CLI input ends in one clear line and a non-zero exit (or a correct answer), never a
traceback nor a raw engine dump: several statements in one query, a window of 99999999999 days,
a port past 65535, a filter value ending in a backslash, a store directory that is read-only."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def _one_clear_line(text: str) -> None:
    assert "Traceback" not in text
    assert "DB::Exception" not in text and "Code: " not in text, text


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["query", "SELECT 1; SELECT 2"], 1, "one statement at a time"),
        (["query", "SELECT 1; SELECT 2", "--format", "json"], 1, "one statement at a time"),
        (["ui", "--port", "99999"], 2, "99999"),
        (["serve", "--otlp-port", "70000"], 2, "70000"),
    ],
)
def test_bad_input_is_one_line(agentel, args: list[str], code: int, message: str) -> None:  # type: ignore[no-untyped-def]
    r = agentel(*args)
    assert r.exit_code == code, r.output
    assert message in r.stderr
    _one_clear_line(r.output)


def test_a_statement_with_semicolons_inside_quotes_is_one_statement(agentel) -> None:  # type: ignore[no-untyped-def]
    r = agentel("query", "SELECT 'a;b' AS s; -- trailing ; comment", "--format", "csv")
    assert r.exit_code == 0, r.output
    assert "a;b" in r.stdout


@pytest.mark.parametrize("window", ["99999999999d", "9" * 400 + "w", "100000w"])
def test_a_huge_window_means_everything(agentel, window: str) -> None:  # type: ignore[no-untyped-def]
    r = agentel("metrics", "export", "--window", window, "--format", "json")
    _one_clear_line(r.output)
    assert r.exit_code == 0, r.output
    big = agentel("runs", "--since", window, "--format", "json")
    _one_clear_line(big.output)
    assert big.exit_code == 0, big.output
    assert big.stdout == agentel("runs", "--format", "json").stdout  # all of it


@pytest.mark.parametrize(
    "args",
    [
        ["runs", "--run", "a\\"],
        ["cost", "--run", "a\\", "--format", "json"],
        ["leaderboard", "--task", "x\\"],
        ["runs", "--run", "tab\\there"],
    ],
)
def test_filter_values_with_backslashes_are_values(agentel, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    r = agentel(*args)
    _one_clear_line(r.output)
    assert r.exit_code in (0, 1), r.output
    if r.exit_code == 1:  # "no run 'a\\' in the store": the value was read as typed
        assert args[2] in r.stderr.replace("\\\\", "\\")


def test_filter_value_with_a_backslash_finds_its_rows(tmp_path: Path) -> None:
    from agentel.store import apply, open_engine

    engine = open_engine(str(tmp_path))
    try:
        apply(engine)
        for value in ("a\\", "tab\\there", "x'y", "new\nline\ttab"):
            got = engine.query("SELECT {v:String} AS v", {"v": value}).rows
            assert got == [(value,)], value
    finally:
        engine.close()


@pytest.fixture
def read_only_dir() -> Iterator[Path]:
    """A store directory nobody may write: a read-only tmpfs (root ignores permission bits), or
    mode 0555 for an ordinary user."""
    root = Path(tempfile.mkdtemp(prefix="agentel-ro-"))
    mounted = False
    if os.geteuid() == 0:
        mounted = (
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(root)], capture_output=True
            ).returncode
            == 0
        )
        assert mounted, "as root this test needs to mount a read-only tmpfs"
    else:
        root.chmod(0o555)
    try:
        yield root
    finally:
        if mounted:
            subprocess.run(["umount", str(root)], check=True)
        root.chmod(0o755)
        root.rmdir()


@pytest.mark.parametrize("command", [["runs"], ["query", "SELECT 1"], ["load"]])
def test_read_only_store_directory_is_one_line(read_only_dir: Path, command: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENTEL_") and k != "CLICKHOUSE_URL"}
    env["AGENTEL_DIR"] = str(read_only_dir)
    proc = subprocess.run(
        [sys.executable, "-m", "agentel.cli", *command], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1, proc.stderr
    _one_clear_line(proc.stderr)
    assert "not writable" in proc.stderr and "AGENTEL_DIR" in proc.stderr, proc.stderr
    assert len([line for line in proc.stderr.splitlines() if line.strip()]) <= 2, proc.stderr
