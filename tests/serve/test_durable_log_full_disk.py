"""The receiver's durable log on a full disk: a write that fails is cut back, so the next request
is never glued onto half a line and every acknowledged request stays loadable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs a subprocess with a file-size limit

SCRIPT = r"""
import os, resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
from agentel.serve.otlp import DurableLog
log = DurableLog(sys.argv[1])
log.append("traces", b'{"resourceSpans":[{"n":1}]}\n')
size = os.path.getsize(log.path_for("traces"))
resource.setrlimit(resource.RLIMIT_FSIZE, (size + 4096, resource.RLIM_INFINITY))
try:
    log.append("traces", b'{"resourceSpans":[{"big":"' + b"x" * 100000 + b'"}]}\n')
    print("big write accepted")
except OSError as exc:
    print("refused", exc.errno)
log.append("traces", b'{"resourceSpans":[{"n":2}]}\n')
print(log.path_for("traces"))
"""


def test_a_failed_append_leaves_no_half_line(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("refused"), r.stdout
    content = Path(lines[1]).read_bytes()
    assert content.endswith(b"\n")
    parsed = [json.loads(line) for line in content.splitlines()]
    assert parsed == [{"resourceSpans": [{"n": 1}]}, {"resourceSpans": [{"n": 2}]}]
