"""Continuous loading: new lines of telemetry files become rows as soon as they are written.

A thread polls the watched paths (``AGENTEL_DIR`` and every ``--watch`` path) a few times a
second: one ``stat`` per file, and only files whose size, inode or mtime changed are handed to
the existing loader, which reads from the offset it recorded (incremental, idempotent, an
incomplete last line left for later). The OTLP receiver calls :meth:`Tailer.wake` after an
append so its data does not wait for the next poll. Polling rather than inotify keeps it
portable and correct for files on any filesystem.

A long history (thousands of run directories) must not make every poll walk it: a full walk runs
at start and every ``full_every`` seconds; in between, a poll stats the roots and the directories
and files active in the last ``hot_s`` seconds (a directory's mtime changes when a run or a file
appears in it, so new runs are found at once), plus any file the receiver names. A file idle for
longer that starts growing again is found by the next full walk.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from agentel.store.engine import Engine, StoreError
from agentel.store.loader import LoadReport, load

try:  # the loader's own choice of what is telemetry
    from agentel.store.loader import _SKIP_DIRS, _SKIP_FILES
except ImportError:  # pragma: no cover
    _SKIP_DIRS, _SKIP_FILES = {"clickhouse", "spill", ".agentel-spill"}, {"serve.json"}

log = logging.getLogger("agentel.serve.tail")

_Sig = tuple[int, int, int]  # inode, size, mtime_ns

#: below this many new bytes a pass converts rows in Python and inserts them as JSONEachRow; the
#: loader's in-engine path (INSERT … SELECT from the file) has a large fixed cost per call that
#: only pays off for big backlogs
SMALL_PASS_BYTES = 512 * 1024


class _Incremental:
    """The engine as the loader sees it for a small live pass: same calls, another ``kind``, so
    the loader takes its row-by-row path and skips its before/after row counts (TTL accounting
    for a backlog; live data is new)."""

    kind = "served-incremental"

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.database = engine.database

    def __getattr__(self, name: str) -> object:
        return getattr(self._engine, name)


class Tailer:
    """Loads what is appended under ``paths`` into ``engine`` until :meth:`stop`."""

    def __init__(
        self,
        engine: Engine,
        paths: Sequence[str],
        *,
        interval: float = 0.2,
        on_loaded: Callable[[LoadReport], None] | None = None,
        budget: Callable[[], object] | None = None,
        budget_every: float = 60.0,
        full_every: float = 30.0,
        hot_s: float = 600.0,
    ) -> None:
        self.engine = engine
        self.paths = [os.path.abspath(p) for p in paths]
        self.interval = interval
        self.on_loaded = on_loaded
        self.budget = budget
        self.budget_every = budget_every
        self._seen: dict[str, _Sig] = {}
        self.full_every = full_every
        self.hot_s = hot_s
        self._next_full = 0.0  # monotonic time of the next full walk
        self._dirs: dict[str, int] = {}  # directory → mtime_ns when last listed
        self._files: dict[str, float] = {}  # telemetry file → mtime (s) when last stat'ed
        self._hints: set[str] = set()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one load at a time (the loop, or a caller of load_now)
        self.passes = 0
        self.loaded_rows = 0
        self.errors = 0
        self.last_error = ""
        self.first_pass_done = threading.Event()

    # --- control -----------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="agentel-tail", daemon=True)
        self._thread.start()

    def wake(self, path: object = None) -> None:
        """Look now rather than at the next poll (the receiver appended to ``path``)."""
        if isinstance(path, str) and os.path.isabs(path):
            self._hints.add(path)
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    # --- work ----------------------------------------------------------------------------

    @staticmethod
    def _sig(path: str) -> _Sig | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def _list(self, directory: str, recurse: bool) -> None:
        """Note ``directory``'s telemetry files and subdirectories (and theirs, if ``recurse``)."""
        try:
            mtime = os.stat(directory).st_mtime_ns
            entries = list(os.scandir(directory))
        except OSError:
            self._dirs.pop(directory, None)
            return
        self._dirs[directory] = mtime
        for e in entries:
            try:
                if e.is_dir(follow_symlinks=True):
                    if e.name in _SKIP_DIRS or e.name.startswith("."):
                        continue
                    if recurse or e.path not in self._dirs:
                        self._list(e.path, recurse)
                elif e.name.endswith((".jsonl", ".json")) and e.name not in _SKIP_FILES:
                    self._files.setdefault(e.path, 0.0)
            except OSError:
                continue

    def _candidates(self) -> list[str]:
        """The files worth a stat this poll (all of them on a full walk)."""
        now_m = time.monotonic()
        roots = [p for p in self.paths if os.path.exists(p)]
        if now_m >= self._next_full:
            self._next_full = now_m + self.full_every
            self._dirs.clear()
            self._files = {f: m for f, m in self._files.items() if os.path.exists(f)}
            for root in roots:
                if os.path.isdir(root):
                    self._list(root, recurse=True)
                else:
                    self._files.setdefault(root, 0.0)
            return list(self._files)
        cutoff = time.time() - self.hot_s
        hot_dirs = set(p for p in roots if os.path.isdir(p))
        hot_dirs.update(d for d, m in self._dirs.items() if m / 1e9 >= cutoff)
        for d in sorted(hot_dirs):
            try:
                mtime = os.stat(d).st_mtime_ns
            except OSError:
                self._dirs.pop(d, None)
                continue
            if mtime != self._dirs.get(d):
                self._list(d, recurse=False)
        for root in roots:
            if not os.path.isdir(root):
                self._files.setdefault(root, 0.0)
        hints, self._hints = self._hints, set()
        for h in hints:
            self._files.setdefault(h, 0.0)
        return [f for f, m in self._files.items() if m >= cutoff or m == 0.0 or f in hints]

    def changed(self) -> list[str]:
        """Files whose (inode, size, mtime) differ from the last pass that loaded them."""
        out = []
        for path in self._candidates():
            sig = self._sig(path)
            if sig is None:
                self._files.pop(path, None)
                continue
            self._files[path] = sig[2] / 1e9 or 1.0
            if self._seen.get(path) != sig:
                out.append(path)
        return out

    def load_now(self, full: bool = True) -> LoadReport | None:
        """One pass: load every changed file; None when nothing had changed.

        ``full`` (the default, for callers such as the CLI's ``/agentel/load``: they must see
        everything written before they asked) walks every watched path; the loop's own polls
        look at the active part only.
        """
        with self._lock:
            if full:
                self._next_full = 0.0
            files = self.changed()
            if not files:
                return None
            sigs: dict[str, _Sig] = {}
            new_bytes = 0
            for f in files:
                try:
                    st = os.stat(f)
                except OSError:
                    continue
                old = self._seen.get(f)
                new_bytes += st.st_size - (old[1] if old is not None and old[0] == st.st_ino else 0)
                sigs[f] = (st.st_ino, st.st_size, st.st_mtime_ns)
            small = self.passes > 0 and new_bytes < SMALL_PASS_BYTES
            engine: Any = _Incremental(self.engine) if small else self.engine
            report = load(engine, list(sigs))
            # a file with an incomplete last line is looked at again when it grows (its size changes)
            self._seen.update(sigs)
            for gone in [p for p in self._seen if p not in self._files]:  # pruned by the walks
                del self._seen[gone]
            self.loaded_rows += report.rows
            return report

    def _run(self) -> None:
        last_budget = time.monotonic()
        backoff = self.interval
        while not self._stop.is_set():
            try:
                report = self.load_now(full=False)
                backoff = self.interval
                self.last_error = ""
                if report is not None:
                    for s in report.skipped[:5]:
                        log.warning("agentel serve: skipped corrupt line %s", s)
                    if report.expired:
                        log.warning("agentel serve: %s", report.expired_hint())
                    if report.rows and self.on_loaded is not None:
                        self.on_loaded(report)
                if self.budget is not None and time.monotonic() - last_budget > self.budget_every:
                    last_budget = time.monotonic()
                    self.budget()
            except Exception as exc:  # noqa: BLE001 - the loop must outlive any one bad pass
                self.errors += 1
                message = str(exc) if isinstance(exc, StoreError) else f"{type(exc).__name__}: {exc}"
                if message != self.last_error:  # said once per distinct failure, not every retry
                    if isinstance(exc, StoreError):
                        log.error("agentel serve: loading failed (retrying): %s", message)
                    else:
                        log.exception("agentel serve: loading failed (retrying)")
                self.last_error = message
                backoff = min(5.0, backoff * 2)
            self.passes += 1
            self.first_pass_done.set()
            self._wake.wait(backoff)
            self._wake.clear()
