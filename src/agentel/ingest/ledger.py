"""The ingest ledger: what was already ingested, so nothing is ingested twice.

Two kinds of entry, appended as JSON lines to ``<state_dir>/ledger.jsonl`` after the records they
cover were flushed to the sinks: record keys (a response id, or a hash of the record) and file
digests (SHA-256 of the whole file). A copy of a processed file is a duplicate by its digest; a
record seen in another file (a re-sent batch, a fixed file out of quarantine) by its key.

Crash window: a crash after the sinks flushed a file's records but before the ledger line was
written re-ingests that one file's records on restart (at-least-once); the ledger is fsynced
per file to keep that window to one file.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable

_CHUNK = 10_000


class Ledger:
    """Keys and file digests already ingested, loaded from and appended to one file."""

    def __init__(self, state_dir: str) -> None:
        self.path = os.path.join(state_dir, "ledger.jsonl")
        self.keys: set[str] = set()
        self.digests: set[str] = set()
        self._lock = threading.Lock()
        self._load()

    def _load(self) -> None:
        if not os.path.exists(self.path):
            return
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    row = json.loads(line)
                except ValueError:
                    continue  # a torn last line: its records may be ingested again (see module doc)
                if not isinstance(row, dict):
                    continue
                self.keys.update(k for k in row.get("keys", ()) if isinstance(k, str))
                if isinstance(row.get("sha256"), str):
                    self.digests.add(row["sha256"])

    def seen_file(self, digest: str) -> bool:
        return digest in self.digests

    def seen(self, key: str) -> bool:
        return key in self.keys

    def commit(self, name: str, digest: str | None, keys: Iterable[str]) -> None:
        """Record a settled file: its keys (in chunks) and then its digest, durably."""
        keys = list(keys)
        with self._lock:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as fh:
                for i in range(0, len(keys), _CHUNK):
                    fh.write(json.dumps({"file": name, "keys": keys[i : i + _CHUNK]}) + "\n")
                if digest is not None:
                    fh.write(json.dumps({"file": name, "sha256": digest}) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            self.keys.update(keys)
            if digest is not None:
                self.digests.add(digest)


__all__ = ["Ledger"]
