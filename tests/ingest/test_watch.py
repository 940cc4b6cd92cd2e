"""Watch mode picks up files that arrive later, in-process and as the ``agentel ingest --watch``
command (stopped by SIGINT, its telemetry flushed)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ingest_samples import agentel_record, openai_pair, write_json

from agentel.ingest import DirectorySource, FileOutcome, Ingestor
from agentel.testing import capture


def wait_for(condition: Callable[[], bool], timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_watch_ingests_new_files_until_stopped(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    write_json(logs / "early.json", agentel_record(1))
    seen: list[FileOutcome] = []
    stop = threading.Event()
    with capture() as cap, Ingestor(DirectorySource(str(logs))) as ing:
        worker = threading.Thread(
            target=ing.watch, args=(0.05,), kwargs={"stop": stop, "on_file": seen.append}
        )
        worker.start()
        try:
            wait_for(lambda: len(seen) == 1, what="the file present at start")
            write_json(logs / "late.json", [agentel_record(2), agentel_record(3)])
            wait_for(lambda: len(seen) == 2, what="the file that arrived later")
            (logs / "broken.json").write_text("{")
            wait_for(lambda: len(seen) == 3, what="the broken file")
        finally:
            stop.set()
            worker.join(10)
    assert not worker.is_alive()
    assert [(f.name, f.outcome, f.records) for f in seen] == [
        ("early.json", "ingested", 1),
        ("late.json", "ingested", 2),
        ("broken.json", "quarantined", 0),
    ]
    assert len([s for s in cap.spans if s.name.startswith("chat ")]) == 3
    assert sorted(os.listdir(logs)) == [
        ".agentel-ingest",
        "processed_early.json",
        "processed_late.json",
        "quarantine",
    ]


def test_the_watch_command_picks_up_new_files_and_stops_cleanly(tmp_path: Path) -> None:
    logs, data = tmp_path / "logs", tmp_path / "agentel"
    logs.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGENTEL_", "OTEL_"))}
    env.update({"AGENTEL_DIR": str(data), "AGENTEL_RAISE_INTERNAL_ERRORS": "1"})
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "agentel.cli",
            "ingest",
            str(logs),
            "--watch",
            "--poll",
            "0.1",
            "--settle",
            "0",
            "--format",
            "json",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: (logs / ".agentel-ingest" / "lock").exists(), what="the watcher to start")
        write_json(logs / "a.json", openai_pair(1))
        wait_for(lambda: (logs / "processed_a.json").exists(), what="a.json to be processed")
        write_json(logs / "b.json", openai_pair(2))
        wait_for(lambda: (logs / "processed_b.json").exists(), what="b.json to be processed")
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(r["file"], r["outcome"], r["records"]) for r in lines] == [
        ("a.json", "ingested", 1),
        ("b.json", "ingested", 1),
    ]
    (run_dir,) = [p for p in data.iterdir() if p.name.startswith("ingest-")]
    spans = [
        s
        for line in (run_dir / "traces.jsonl").read_text().splitlines()
        for rs in json.loads(line)["resourceSpans"]
        for ss in rs["scopeSpans"]
        for s in ss["spans"]
    ]
    assert sorted(s["name"] for s in spans) == ["chat gpt-4o-mini", "chat gpt-4o-mini"]
