"""Files sink on a full disk: the batch that hits the full disk is lost (counted), never the next.

The disk fills for real: a 256 KiB tmpfs (when this process may mount one) or, otherwise, a
file-size limit (RLIMIT_FSIZE, the kernel refuses writes past it with EFBIG). A writer process
records a batch that does not fit (a short write, then an error), the space comes back, and it
records 200 spans and 200 log records: the loader must find all 400, and the file must never
hold a line glued onto a torn one.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentel.sinks.files import JsonlWriter
from agentel.store import apply, open_engine
from agentel.store.loader import load

WRITER = textwrap.dedent(
    """
    import json, os, resource, signal, sys
    import agentel

    mode, root, fsize = sys.argv[1], sys.argv[2], int(sys.argv[3])
    filler = os.path.join(root, "filler")
    agentel.configure(dir=os.path.join(root, "agentel"), run_id="r", metrics_interval_s=0)
    # a first small batch, written while there is room
    with agentel.span("before", i=-1):
        agentel.event("agentel.feedback", **{"agentel.feedback.comment": "before"})
    agentel.force_flush()
    # the disk fills up
    if mode == "tmpfs":
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"x" * 4096)
        except OSError:
            pass
        os.ftruncate(fd, max(0, os.fstat(fd).st_size - 8192))  # the next batch fits only partly
        os.close(fd)
    else:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a killed process
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, hard))
    for i in range(300):  # one big batch that cannot fit
        with agentel.span("lost", i=i, pad="p" * 400):
            agentel.event("agentel.feedback", **{"agentel.feedback.comment": "lost" + "p" * 400})
    agentel.force_flush()
    # the space comes back
    if mode == "tmpfs":
        os.remove(filler)
    else:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    for i in range(200):
        with agentel.span("after", i=i):
            agentel.event("agentel.feedback", **{"agentel.feedback.comment": f"after{i}"})
    agentel.shutdown()
    print(json.dumps({"ok": True}))
    """
)


@contextlib.contextmanager
def _small_disk(want: str) -> Iterator[tuple[str, str, int]]:
    """(mode, directory, file size limit): a 256 KiB tmpfs when asked for and mountable (root),
    else a 24 KB RLIMIT_FSIZE."""
    root = tempfile.mkdtemp(prefix="agentel-fulldisk-")
    mounted = (
        want == "tmpfs"
        and hasattr(os, "geteuid")
        and os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", root], capture_output=True
        ).returncode
        == 0
    )
    try:
        yield ("tmpfs" if mounted else "rlimit"), root, 24_000
    finally:
        if mounted:
            subprocess.run(["umount", root], check=True)
        import shutil

        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize("want", ["tmpfs", "rlimit"])
def test_full_disk_loses_only_the_batch_that_did_not_fit(tmp_path: Path, want: str) -> None:
    with _small_disk(want) as (mode, root, fsize):
        env = {k: v for k, v in os.environ.items() if k != "AGENTEL_RAISE_INTERNAL_ERRORS"}
        proc = subprocess.run(
            [sys.executable, "-c", WRITER, mode, root, str(fsize)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        run_dir = Path(root) / "agentel" / "r"
        for name in ("traces.jsonl", "logs.jsonl"):
            data = (run_dir / name).read_bytes()
            assert data.endswith(b"\n"), f"{name} ends torn"
        store = open_engine(str(tmp_path / "store"))
        try:
            apply(store)
            report = load(store, [str(run_dir)])
            after_spans = store.query("SELECT count() FROM otel_traces WHERE SpanName = 'after'").scalar()
            after_logs = store.query(
                "SELECT count() FROM otel_logs WHERE LogAttributes['agentel.feedback.comment'] LIKE 'after%'"
            ).scalar()
            before = store.query("SELECT count() FROM otel_traces WHERE SpanName = 'before'").scalar()
            lost = store.query("SELECT count() FROM otel_traces WHERE SpanName = 'lost'").scalar()
        finally:
            store.close()
    assert (after_spans, after_logs) == (200, 200), (mode, report.summary(), proc.stderr[-2000:])
    assert before == 1, mode
    assert lost == 0, "the disk was not full: the test proved nothing"  # cut back, never half a line


def test_a_torn_last_line_from_a_killed_writer_is_not_glued_to_the_next(tmp_path: Path) -> None:
    path = tmp_path / "traces.jsonl"
    path.write_bytes(b'{"resourceSpans":[]}\n{"resourceSpans":[{"resou')  # a writer died mid-line
    writer = JsonlWriter(str(path))
    writer.write_line({"resourceSpans": [], "n": 1})
    writer.write_line({"resourceSpans": [], "n": 2})
    writer.close()
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b""
    parsed = []
    for line in lines[:-1]:
        with contextlib.suppress(ValueError):
            parsed.append(json.loads(line))
    assert [d.get("n") for d in parsed] == [None, 1, 2]
    assert lines[1] == b'{"resourceSpans":[{"resou'  # the torn line stays one (corrupt) line


@pytest.mark.parametrize("fail_after", [1, 7, 100])
def test_a_failed_write_leaves_no_partial_line(
    tmp_path: Path, fail_after: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "logs.jsonl"
    writer = JsonlWriter(str(path))
    writer.write_line({"n": 0})
    real_write = os.write

    def short_then_enospc(fd: int, data: object) -> int:
        view = memoryview(data)  # type: ignore[arg-type]
        if len(view) > fail_after:
            n = real_write(fd, view[:fail_after])
            monkeypatch.setattr(os, "write", enospc)
            return n
        return real_write(fd, view)

    def enospc(fd: int, data: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", short_then_enospc)
    with pytest.raises(OSError):
        writer.write_line({"n": 1, "pad": "x" * 200})
    monkeypatch.setattr(os, "write", real_write)
    writer.write_line({"n": 2})
    writer.close()
    assert [json.loads(line)["n"] for line in path.read_text().splitlines()] == [0, 2]


def test_the_loader_skips_a_torn_line_and_loads_the_next(tmp_path: Path) -> None:
    import agentel
    from agentel.sinks.otlp_json import encode_spans
    from agentel.testing import capture

    with capture() as cap:
        for i in range(5):
            with agentel.span("torn", i=i):
                pass
        for i in range(7):
            with agentel.span("whole", i=i):
                pass
    torn = [s for s in cap.spans if s.name == "torn"]
    whole = [s for s in cap.spans if s.name == "whole"]
    run = tmp_path / "run"
    run.mkdir()
    line = json.dumps(encode_spans(torn)).encode()
    (run / "traces.jsonl").write_bytes(line[: len(line) // 2])  # a writer killed mid-line
    writer = JsonlWriter(str(run / "traces.jsonl"))
    writer.write_line(encode_spans(whole))
    writer.close()
    store = open_engine(str(tmp_path / "store"))
    try:
        apply(store)
        report = load(store, [str(run)])
        names = store.query("SELECT SpanName, count() FROM otel_traces GROUP BY SpanName").rows
    finally:
        store.close()
    assert names == [("whole", 7)]
    assert len(report.skipped) == 1 and report.skipped[0].line == 1, report.summary()
