"""Where log files come from: the :class:`LogSource` interface and the directory source.

A source lists files ready to read, opens them, and settles each one: processed (renamed with a
prefix, or recorded in the source's state) or quarantined with the reason. Another source (an
object store bucket, an SFTP drop) implements the same five methods.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

STATE_DIR = ".agentel-ingest"
QUARANTINE_DIR = "quarantine"
EXTENSIONS = (".json", ".jsonl", ".ndjson")


@dataclass(frozen=True)
class LogFile:
    """One file a source offers: its name within the source, size and modification time."""

    name: str
    size: int
    mtime: float

    @property
    def lines(self) -> bool:
        """JSON lines (one record per line) rather than one JSON document."""
        return self.name.endswith((".jsonl", ".ndjson"))


class LogSource(ABC):
    """A place log files arrive. Ingest calls :meth:`iter_files`, reads each file, then settles it
    with :meth:`mark_processed` or :meth:`quarantine`."""

    #: a readable name for reports ("dir:/var/log/llm")
    name: str = "source"

    @abstractmethod
    def iter_files(self) -> Iterator[LogFile]:
        """Files ready to ingest, oldest first (never ones already settled)."""

    @abstractmethod
    def open(self, item: LogFile) -> IO[bytes]:
        """The file's bytes."""

    @abstractmethod
    def mark_processed(self, item: LogFile) -> None:
        """The file was ingested (or was a duplicate): never offer it again."""

    @abstractmethod
    def quarantine(self, item: LogFile, reason: str) -> None:
        """The file is malformed: move it aside with ``reason`` and never offer it again."""

    @property
    @abstractmethod
    def state_dir(self) -> str:
        """A folder this source's ingest state (the ledger) lives in."""


class DirectorySource(LogSource):
    """``*.json``/``*.jsonl`` files in one directory (not its subdirectories).

    ``mark="rename"`` renames a processed file to ``<prefix><name>`` (the prefix is never offered
    again); ``mark="record"`` leaves it in place and records (name, size, mtime) in
    ``.agentel-ingest/processed.jsonl`` — a file that changes afterwards is offered again (the
    ledger still skips the records already ingested). Malformed files move to ``quarantine/`` (or
    ``quarantine_dir``) next to a ``<name>.reason`` file. ``settle_s``: a file modified less than
    this long ago may still be being written, and waits for the next poll.
    """

    def __init__(
        self,
        path: str,
        *,
        prefix: str = "processed_",
        mark: str = "rename",
        quarantine_dir: str | None = None,
        settle_s: float = 0.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not os.path.isdir(path):
            raise FileNotFoundError(
                f"{path}: no such directory (create it, or point ingest at the log folder)"
            )
        if mark not in ("rename", "record"):
            raise ValueError(f"mark: expected 'rename' or 'record', got {mark!r}")
        if mark == "rename" and not prefix:
            raise ValueError("prefix: renaming processed files needs a non-empty prefix")
        self.path = os.path.abspath(path)
        self.name = f"dir:{self.path}"
        self.prefix = prefix
        self.mark = mark
        self.quarantine_dir = os.path.abspath(quarantine_dir or os.path.join(self.path, QUARANTINE_DIR))
        self.settle_s = settle_s
        self.clock = clock
        self._lock = threading.Lock()
        self._recorded: dict[str, tuple[int, float]] = {}
        if mark == "record":
            self._load_recorded()

    @property
    def state_dir(self) -> str:
        return os.path.join(self.path, STATE_DIR)

    @property
    def _recorded_path(self) -> str:
        return os.path.join(self.state_dir, "processed.jsonl")

    def _load_recorded(self) -> None:
        try:
            with open(self._recorded_path, encoding="utf-8") as fh:
                for line in fh:
                    try:
                        row = json.loads(line)
                        self._recorded[row["name"]] = (int(row["size"]), float(row["mtime"]))
                    except (ValueError, KeyError, TypeError):
                        continue  # a torn last line from a crash: that file is simply offered again
        except FileNotFoundError:
            pass

    def iter_files(self) -> Iterator[LogFile]:
        now = self.clock()
        found: list[LogFile] = []
        with os.scandir(self.path) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith(".") or not name.endswith(EXTENSIONS):
                    continue
                if self.mark == "rename" and name.startswith(self.prefix):
                    continue
                try:
                    if not entry.is_file():
                        continue
                    st = entry.stat()
                except OSError:
                    continue  # vanished between listing and stat
                if self.settle_s and now - st.st_mtime < self.settle_s:
                    continue
                if self._recorded.get(name) == (st.st_size, st.st_mtime):
                    continue
                found.append(LogFile(name, st.st_size, st.st_mtime))
        found.sort(key=lambda f: (f.mtime, f.name))
        yield from found

    def open(self, item: LogFile) -> IO[bytes]:
        return open(os.path.join(self.path, item.name), "rb")

    def mark_processed(self, item: LogFile) -> None:
        src = os.path.join(self.path, item.name)
        if self.mark == "rename":
            os.replace(src, _unique(os.path.join(self.path, self.prefix + item.name)))
            return
        with self._lock:
            os.makedirs(self.state_dir, exist_ok=True)
            with open(self._recorded_path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps({"name": item.name, "size": item.size, "mtime": item.mtime}) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            self._recorded[item.name] = (item.size, item.mtime)

    def quarantine(self, item: LogFile, reason: str) -> None:
        os.makedirs(self.quarantine_dir, exist_ok=True)
        target = _unique(os.path.join(self.quarantine_dir, item.name))
        # the reason first: a crash between the two leaves an explained file, never an unexplained one
        with open(target + ".reason", "w", encoding="utf-8") as fh:
            fh.write(reason.rstrip() + "\n")
        shutil.move(os.path.join(self.path, item.name), target)
        with self._lock:
            self._recorded.pop(item.name, None)


def _unique(path: str) -> str:
    """``path``, or ``path`` with ``.1``, ``.2``… before the extension when it exists."""
    if not os.path.exists(path):
        return path
    base, ext = os.path.splitext(path)
    n = 1
    while os.path.exists(f"{base}.{n}{ext}"):
        n += 1
    return f"{base}.{n}{ext}"


__all__ = ["EXTENSIONS", "DirectorySource", "LogFile", "LogSource"]
