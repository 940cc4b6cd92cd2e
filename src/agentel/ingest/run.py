"""The ingest loop: files from a :class:`LogSource` → interactions → telemetry; files settled.

For each file, oldest first: too large or empty → quarantined; a copy of a file already ingested
→ processed as a duplicate; otherwise every record is parsed, the new ones recorded (span, cost,
checks), the sinks flushed, the ledger written, and the file marked processed — or, when some
records or lines could not be read, quarantined with a ``.reason`` listing them (the good ones
are ingested and in the ledger, so a fixed copy put back adds only what was missing).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from agentel._internal import state
from agentel.evals.names import INGEST_FILES, INGEST_RECORDS
from agentel.ingest.formats import FormatError, Interaction, parse_record
from agentel.ingest.ledger import Ledger
from agentel.ingest.record import record_interaction
from agentel.ingest.source import LogFile, LogSource
from agentel.registry import metric

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
_MAX_REASONS = 50
_log = logging.getLogger("agentel.internal")


class IngestBusyError(RuntimeError):
    """Another ingest holds this source."""


@dataclass
class FileOutcome:
    """What happened to one file."""

    name: str
    outcome: str  # "ingested" | "duplicate" | "quarantined" | "error" (left for the next poll)
    records: int = 0  # interactions recorded
    duplicates: int = 0  # interactions skipped: already ingested
    problems: list[str] = field(default_factory=list)
    reason: str = ""
    oldest_ns: int | None = None  # the earliest call recorded (the store's TTL applies to it)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.name,
            "outcome": self.outcome,
            "records": self.records,
            "duplicates": self.duplicates,
            "problems": self.problems,
            "reason": self.reason,
        }


@dataclass
class IngestReport:
    """What one pass over a source did."""

    files: list[FileOutcome] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, outcome: str) -> int:
        return sum(f.outcome == outcome for f in self.files)

    @property
    def records(self) -> int:
        return sum(f.records for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)

    @property
    def oldest_ns(self) -> int | None:
        found = [f.oldest_ns for f in self.files if f.oldest_ns is not None]
        return min(found) if found else None

    def summary(self) -> str:
        return (
            f"{len(self.files)} file(s): {self.count('ingested')} ingested, {self.count('duplicate')} "
            f"duplicate, {self.count('quarantined')} quarantined"
            + (f", {self.count('error')} left for retry" if self.count("error") else "")
            + f"; {self.records} call(s) recorded, {self.duplicates} already ingested"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": [f.as_dict() for f in self.files],
            "ingested": self.count("ingested"),
            "duplicate": self.count("duplicate"),
            "quarantined": self.count("quarantined"),
            "errors": self.count("error"),
            "records": self.records,
            "duplicate_records": self.duplicates,
            "seconds": round(self.seconds, 3),
        }


def _unclosed(text: str) -> bool:
    """True when ``text`` ends inside a string or with brackets still open (a cut-off write)."""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
    return in_string or depth > 0


def _msg(exc: json.JSONDecodeError) -> str:
    return exc.msg[:-3] if exc.msg.endswith(" at") else exc.msg


_TOO_DEEP = "nested too deeply (more levels of [ and { than can be read)"
_default_redactor: Any = None


def _redact(text: str) -> str:
    """A message that may quote a record's values, through the redactor, before any report, JSON
    output or ``.reason`` file shows it (the pipeline's policy when configured, else the default)."""
    global _default_redactor
    try:
        from agentel.redaction.processors import current_redactor

        red = current_redactor()
        if red is None:
            if _default_redactor is None:
                from agentel.redaction.policy import Policy
                from agentel.redaction.redactor import Redactor

                _default_redactor = Redactor(Policy.default())
            red = _default_redactor
        return str(red.redact_text(text))
    except Exception:  # noqa: BLE001 - strict mode refusing it, a broken policy: say less, never leak
        return text.split(":", 1)[0] + ": (message withheld: it could not be redacted)"


class _Bad(Exception):
    """The whole file is unusable; the message is the quarantine reason."""


class Ingestor:
    """Ingests a source's files; holds the source's lock (one ingest per source) while alive."""

    def __init__(
        self,
        source: LogSource,
        *,
        checks: Iterable[str] | None = None,
        run_checks: bool = True,
        params: Mapping[str, Mapping[str, Any]] | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        flush: Callable[[], bool] | None = None,
    ) -> None:
        from agentel.evals.run import validate

        self.source = source
        self.checks = list(checks) if checks is not None else None
        self.run_checks = run_checks
        self.params = params
        if run_checks:
            validate(self.checks, params)
        self.max_bytes = max_bytes
        if flush is None:
            flush = state.force_flush  # the pipeline in force, pushed down by configure()
        self.flush = flush
        os.makedirs(source.state_dir, exist_ok=True)
        self._lock_fd: int | None = os.open(
            os.path.join(source.state_dir, "lock"), os.O_RDWR | os.O_CREAT, 0o600
        )
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            self._lock_fd = None
            raise IngestBusyError(
                f"another agentel ingest is running on {source.name}; stop it first (one ingest per source)"
            ) from None
        self.ledger = Ledger(source.state_dir)

    def close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Ingestor:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # --- one pass ---------------------------------------------------------------------------

    def ingest_once(
        self, on_file: Callable[[FileOutcome], None] | None = None, stop: threading.Event | None = None
    ) -> IngestReport:
        """Ingest every file the source offers now (until ``stop`` is set, between files)."""
        t0 = time.perf_counter()
        report = IngestReport()
        for item in self.source.iter_files():
            if stop is not None and stop.is_set():
                break
            outcome = self.ingest_file(item)
            report.files.append(outcome)
            if on_file is not None:
                on_file(outcome)
        report.seconds = time.perf_counter() - t0
        return report

    def ingest_file(self, item: LogFile) -> FileOutcome:
        """Ingest and settle one file; OS errors leave it in place for the next pass."""
        try:
            outcome = self._ingest(item)
        except FileNotFoundError:
            return FileOutcome(item.name, "error", reason="the file vanished while being read")
        except OSError as exc:
            return FileOutcome(item.name, "error", reason=_redact(f"cannot read or move it: {exc}"))
        metric(INGEST_FILES).add(1, {"agentel.ingest.outcome": outcome.outcome})
        return outcome

    def _ingest(self, item: LogFile) -> FileOutcome:
        out = FileOutcome(item.name, "ingested")
        try:
            if item.size == 0:
                raise _Bad("empty file (0 bytes)")
            if not item.lines and item.size > self.max_bytes:
                raise _Bad(
                    f"too large: {item.size} bytes > {self.max_bytes} (--max-bytes); raise the limit, or "
                    "write JSON lines (.jsonl), which are read a line at a time with no file size limit"
                )
            digest = self._digest(item)
            if self.ledger.seen_file(digest):
                out.outcome = "duplicate"
                out.reason = "an identical file was ingested before"
                self.source.mark_processed(item)
                return out
            default_ns = int(item.mtime * 1e9)
            keys: list[str] = []
            for where, record in self._records(item, out):
                try:
                    it = parse_record(record, default_ns)
                except FormatError as exc:
                    out.problems.append(_redact(f"{where}: {exc}"))
                    continue
                except RecursionError:
                    out.problems.append(f"{where}: {_TOO_DEEP}")
                    continue
                except Exception as exc:  # noqa: BLE001 - one odd record never stops the run
                    out.problems.append(_redact(f"{where}: cannot read it: {type(exc).__name__}: {exc}"))
                    continue
                if self.ledger.seen(it.key) or it.key in keys:
                    out.duplicates += 1
                    continue
                try:
                    self._record(it, item)
                except Exception as exc:  # noqa: BLE001 - set aside with its reason, go on
                    out.problems.append(_redact(f"{where}: cannot record it: {type(exc).__name__}: {exc}"))
                    continue
                keys.append(it.key)
                out.records += 1
                out.oldest_ns = it.start_ns if out.oldest_ns is None else min(out.oldest_ns, it.start_ns)
        except _Bad as exc:
            out.outcome = "quarantined"
            out.reason = _redact(str(exc))
            self.source.quarantine(item, f"{item.name}: {out.reason}")
            return out
        flushed = self.flush() if out.records else True
        if not flushed:
            _log.warning("ingest: the sinks did not confirm %s's records within the flush timeout", item.name)
        self.ledger.commit(item.name, None if out.problems else digest, keys)
        self._count(out)
        if out.problems and not out.records and not out.duplicates:
            out.outcome = "quarantined"
            out.reason = "no record could be read"
        elif out.problems:
            out.outcome = "quarantined"
            out.reason = f"{len(out.problems)} record(s) could not be read; the other {out.records + out.duplicates} were ingested"
        if out.outcome == "quarantined":
            self.source.quarantine(item, self._reason(item, out))
        else:
            self.source.mark_processed(item)
        return out

    def _record(self, it: Interaction, item: LogFile) -> None:
        record_interaction(
            it,
            checks=self.checks,
            run_checks=self.run_checks,
            params=self.params,
            extra_attributes={"agentel.ingest.file": item.name, "agentel.ingest.format": it.format},
        )

    def _count(self, out: FileOutcome) -> None:
        rec = metric(INGEST_RECORDS)
        for outcome, n in (
            ("ingested", out.records),
            ("duplicate", out.duplicates),
            ("malformed", len(out.problems)),
        ):
            if n:
                rec.add(n, {"agentel.ingest.outcome": outcome})

    @staticmethod
    def _reason(item: LogFile, out: FileOutcome) -> str:
        lines = [f"{item.name}: {out.reason}."]
        if out.records or out.duplicates:
            lines.append(
                "Those are recorded in the ingest ledger: put a fixed copy back and only the missing "
                "records are ingested."
            )
        lines.extend(out.problems[:_MAX_REASONS])
        if len(out.problems) > _MAX_REASONS:
            lines.append(f"... and {len(out.problems) - _MAX_REASONS} more")
        return "\n".join(lines)

    # --- reading ----------------------------------------------------------------------------

    def _digest(self, item: LogFile) -> str:
        h = hashlib.sha256()
        with self.source.open(item) as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        return h.hexdigest()

    def _records(self, item: LogFile, out: FileOutcome) -> Iterator[tuple[str, Any]]:
        if item.lines:
            yield from self._line_records(item, out)
            return
        with self.source.open(item) as fh:
            raw = fh.read(self.max_bytes + 1)
        if len(raw) > self.max_bytes:
            raise _Bad(f"too large: more than {self.max_bytes} bytes (--max-bytes)")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _Bad(f"not UTF-8 text (byte {exc.start}): is it compressed or binary?") from None
        try:
            doc = json.loads(text)
        except RecursionError:
            raise _Bad(_TOO_DEEP) from None
        except json.JSONDecodeError as exc:
            ends_early = exc.pos >= len(text.rstrip()) or _unclosed(text)
            raise _Bad(
                f"invalid JSON at line {exc.lineno}, column {exc.colno}: {_msg(exc)}"
                + (" (the file ends early: truncated?)" if ends_early else "")
            ) from None
        if isinstance(doc, dict) and isinstance(doc.get("records", doc.get("interactions")), list):
            doc = doc.get("records", doc.get("interactions"))
        if isinstance(doc, list):
            if not doc:
                raise _Bad("an empty list: no records")
            for i, record in enumerate(doc):
                yield f"record {i + 1}", record
        else:
            yield "record 1", doc

    def _line_records(self, item: LogFile, out: FileOutcome) -> Iterator[tuple[str, Any]]:
        with self.source.open(item) as fh:
            for n, line in enumerate(fh, 1):
                if len(line) > self.max_bytes:
                    out.problems.append(f"line {n}: too large ({len(line)} bytes > {self.max_bytes})")
                    continue
                if not line.strip():
                    continue
                try:
                    text = line.decode("utf-8-sig" if n == 1 else "utf-8")
                except UnicodeDecodeError as exc:
                    out.problems.append(f"line {n}: not UTF-8 (byte {exc.start})")
                    continue
                try:
                    record = json.loads(text)
                except RecursionError:
                    out.problems.append(f"line {n}: {_TOO_DEEP}")
                    continue
                except json.JSONDecodeError as exc:
                    tail = not line.endswith(b"\n")
                    out.problems.append(
                        f"line {n}, column {exc.colno}: invalid JSON: {_msg(exc)}"
                        + (" (the last line has no end: truncated?)" if tail else "")
                    )
                    continue
                yield f"line {n}", record

    # --- watching ---------------------------------------------------------------------------

    def watch(
        self,
        poll_s: float = 2.0,
        *,
        stop: threading.Event | None = None,
        on_report: Callable[[IngestReport], None] | None = None,
        on_file: Callable[[FileOutcome], None] | None = None,
    ) -> None:
        """Ingest, then look again every ``poll_s`` seconds, until ``stop`` is set."""
        if poll_s <= 0:
            raise ValueError(f"poll: must be a positive number of seconds, got {poll_s!r}")
        stop = stop or threading.Event()
        while not stop.is_set():
            report = self.ingest_once(on_file, stop)
            if on_report is not None and report.files:
                on_report(report)
            stop.wait(poll_s)


__all__ = ["DEFAULT_MAX_BYTES", "FileOutcome", "IngestBusyError", "IngestReport", "Ingestor"]
