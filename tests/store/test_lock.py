"""chdb allows one process per data path: a second process waits, then fails clearly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from agentel.store import StoreBusyError, open_engine

_HOLDER = """
import sys, time
from agentel.store import open_engine
e = open_engine(sys.argv[1])
print("open", flush=True)
time.sleep(float(sys.argv[2]))
e.close()
"""


def test_second_process_waits_then_fails_with_a_clear_message(tmp_path: Path) -> None:
    script = tmp_path / "hold.py"
    script.write_text(_HOLDER)
    holder = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path), "60"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(
            StoreBusyError, match=rf"in use by another agentel process \(pid {holder.pid}\).*CLICKHOUSE_URL"
        ):
            open_engine(str(tmp_path), wait_s=0.5)
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()  # type: ignore[union-attr]
    eng = open_engine(str(tmp_path), wait_s=5)  # the lock died with the holder
    eng.close()


def test_second_process_gets_the_store_once_the_first_is_done(tmp_path: Path) -> None:
    script = tmp_path / "hold.py"
    script.write_text(_HOLDER)
    holder = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path), "1"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        eng = open_engine(str(tmp_path), wait_s=30)
        eng.query("SELECT 1")
        eng.close()
    finally:
        holder.wait()
        holder.stdout.close()  # type: ignore[union-attr]
