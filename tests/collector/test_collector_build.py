"""scripts/build-collector.sh: the cache key is the manifest's hash, a cached build is a fast no-op."""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from pathlib import Path

from collector_process import BUILD_SCRIPT, ROOT

MANIFEST = ROOT / "collector-config" / "builder-config.yaml"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(BUILD_SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_binary_path_is_keyed_by_the_manifest_hash_outside_the_clone(tmp_path: Path) -> None:
    path = Path(run("--print-path", env={"AGENTEL_CACHE": str(tmp_path)}).stdout.strip())
    digest = hashlib.sha256(MANIFEST.read_bytes()).hexdigest()
    assert path == tmp_path / "collector" / digest / "agentel-otelcol"
    edited = tmp_path / "edited.yaml"
    edited.write_text(MANIFEST.read_text() + "\n# any edit is a new build\n")
    other = run(
        "--print-path", env={"AGENTEL_CACHE": str(tmp_path), "AGENTEL_COLLECTOR_MANIFEST": str(edited)}
    )
    assert Path(other.stdout.strip()).parent.name == hashlib.sha256(edited.read_bytes()).hexdigest()
    default = Path(run("--print-path").stdout.strip())
    assert ROOT not in default.parents  # the cache lives outside the clone


def test_a_cached_build_is_a_fast_no_op(collector_bin: Path) -> None:
    before = collector_bin.stat().st_mtime_ns
    start = time.monotonic()
    out = run()
    assert out.returncode == 0, out.stderr
    assert time.monotonic() - start < 5
    assert Path(out.stdout.strip()) == collector_bin
    assert collector_bin.stat().st_mtime_ns == before
    assert "building" not in out.stderr
