"""``kill -9`` of a writer: with ``AGENTEL_FLUSH=sync`` every span and log record whose call
returned is in the files (by default, batching, what ended within the last schedule delay is lost:
docs/reliability.md).

The writer is a real subprocess that records spans and log records, says how many, and is then
SIGKILLed while it waits (no atexit, no flush): only what reached the files counts.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

WRITER = textwrap.dedent(
    """
    import sys, time
    import agentel
    agentel.configure(run_id="k", metrics_interval_s=0)
    n = int(sys.argv[1])
    for i in range(n):
        with agentel.span("work", i=i):
            agentel.event("agentel.feedback", **{"agentel.feedback.comment": f"c{i}"})
    print(n, flush=True)
    time.sleep(600)  # killed here
    """
)


def _records(path: Path, key: str) -> int:
    """Records (spans or log records) in an OTLP-JSON lines file, skipping a torn last line."""
    n = 0
    if not path.exists():
        return 0
    for line in path.read_bytes().splitlines():
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        for rs in doc.get(f"resource{key}", []):
            for ss in rs.get(f"scope{key}", []):
                n += len(ss.get({"Spans": "spans", "Logs": "logRecords"}[key], []))
    return n


def _run_and_kill(tmp_path: Path, n: int, flush: str | None) -> tuple[int, int]:
    env = {k: v for k, v in os.environ.items() if k not in ("AGENTEL_RAISE_INTERNAL_ERRORS", "AGENTEL_FLUSH")}
    env["AGENTEL_DIR"] = str(tmp_path / "agentel")
    if flush is not None:
        env["AGENTEL_FLUSH"] = flush
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(n)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # blocks until the writer has recorded everything
        assert line.strip() == str(n), proc.stderr.read() if proc.stderr else ""
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert proc.returncode == -signal.SIGKILL
    run = tmp_path / "agentel" / "k"
    return _records(run / "traces.jsonl", "Spans"), _records(run / "logs.jsonl", "Logs")


def test_sync_flush_loses_nothing_on_kill_9(tmp_path: Path) -> None:
    start = time.monotonic()
    spans, logs = _run_and_kill(tmp_path, 300, "sync")
    assert (spans, logs) == (300, 300), f"after {time.monotonic() - start:.1f}s"
