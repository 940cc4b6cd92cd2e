"""``agentel load``: OTLP-JSON line files (agentel's and the collector's) → the raw tables.

Incremental and idempotent: the byte offset reached in each file is recorded in
``agentel_load_state``, so a re-run reads only what was appended since (a rotated or truncated
file, seen by its inode or size, is read from the start). An incomplete last line is left for the
next run. A corrupt line is skipped and reported with its file and line number; the good lines
around it load. Rows are converted in Python and handed to the engine as JSONEachRow in large
blocks, which the engine parses with its own reader.
"""

from __future__ import annotations

import json
import os
import re
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone

from agentel.store.engine import Engine, StoreError
from agentel.store.rows import log_rows, metric_rows, span_rows

_BLOCK_ROWS = 20_000
_SKIP_DIRS = {"clickhouse", "spill", ".agentel-spill", "quarantine"}
QUARANTINE_FILE = os.path.join("quarantine", "load.jsonl")  # under the embedded store's directory
_SKIP_FILES = {"serve.json"}  # agentel serve's discovery file (agentel.serve.discovery), not telemetry
_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False).encode


@dataclass
class SkippedLine:
    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass
class LoadReport:
    """What one load did."""

    files: int = 0
    lines: int = 0
    spans: int = 0
    logs: int = 0
    metric_points: int = 0
    bytes_read: int = 0
    pending_bytes: int = 0
    skipped: list[SkippedLine] = field(default_factory=list)
    expired: int = 0  # rows older than the store's TTL: left out, remembered for --reload-expired
    dropped_on_arrival: int = 0  # rows the engine's TTL dropped anyway (not recoverable by reload)
    reloaded: int = 0  # rows loaded by --reload-expired
    ttl_days: int = 0
    quarantine: str = ""  # where skipped lines/records were written with their reasons
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.spans + self.logs + self.metric_points

    def summary(self) -> str:
        s = (
            f"loaded {self.spans} spans, {self.logs} log records, {self.metric_points} metric points "
            f"from {self.files} file(s) in {self.seconds:.2f}s"
        )
        if self.skipped:
            s += f"; skipped {len(self.skipped)} bad line(s)/record(s)"
            if self.quarantine:
                s += f" (quarantined with their reasons in {self.quarantine})"
        if self.pending_bytes:
            s += f"; {self.pending_bytes} bytes of incomplete last lines left for the next load"
        if self.reloaded:
            s += f"; reloaded {self.reloaded} row(s) left out earlier as older than the TTL"
        if self.expired or self.dropped_on_arrival:
            s += f"; {self.expired_hint()}"
        return s

    def expired_hint(self) -> str:
        s = ""
        if self.expired:
            s = (
                f"warning: {self.expired} row(s) were older than the store's TTL ({self.ttl_days} days) and "
                "were not loaded; they are remembered: to load them, set AGENTEL_TTL_DAYS=0 (or a longer "
                "TTL) and run `agentel load --reload-expired`"
            )
        if self.dropped_on_arrival:
            s += ("; " if s else "") + (
                f"{self.dropped_on_arrival} row(s) were dropped by the store's TTL on arrival"
            )
        return s


def iter_files(paths: Iterable[str]) -> Iterator[str]:
    """Every telemetry file under ``paths`` (files given directly are taken as they are)."""
    for p in paths:
        if not os.path.isdir(p):
            yield os.path.abspath(p)
            continue
        for root, dirs, names in os.walk(p):
            dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
            for n in sorted(names):
                if n.endswith((".jsonl", ".json")) and n not in _SKIP_FILES:
                    yield os.path.abspath(os.path.join(root, n))


class _Buffers:
    def __init__(self, engine: Engine, db: str, prefix: str) -> None:
        self.engine, self.db, self.prefix = engine, db, prefix
        self.parts: dict[str, list[str]] = {}
        self.count = 0

    def add(self, table: str, row: dict) -> None:
        self.parts.setdefault(table, []).append(_dumps(row))
        self.count += 1
        if self.count >= _BLOCK_ROWS:
            self.flush()

    def flush(self) -> None:
        for table, lines in self.parts.items():
            if lines:
                payload = ("\n".join(lines) + "\n").encode("utf-8")
                self.engine.insert_jsonl(f"{self.db}.{self.prefix}{table}", payload)
        self.parts = {}
        self.count = 0


_AV = (
    "Tuple(stringValue Nullable(String), intValue Nullable(String), doubleValue Nullable(Float64), "
    "boolValue Nullable(Bool), arrayValue Nullable(String), kvlistValue Nullable(String), bytesValue Nullable(String))"
)
_KV = f"Array(Tuple(key String, value {_AV}))"
_SPAN = (
    f"Tuple(traceId String, spanId String, parentSpanId String, traceState String, name String, kind UInt8, "
    f"startTimeUnixNano UInt64, endTimeUnixNano UInt64, attributes {_KV}, "
    f"events Array(Tuple(timeUnixNano UInt64, name String, attributes {_KV})), "
    f"links Array(Tuple(traceId String, spanId String, traceState String, attributes {_KV})), "
    "status Tuple(code UInt8, message String))"
)
_TRACES_STRUCTURE = (
    f"resourceSpans Array(Tuple(resource Tuple(attributes {_KV}), "
    f"scopeSpans Array(Tuple(scope Tuple(name String, version String), spans Array({_SPAN})))))"
)
_SPANS_PREFIX = b'{"resourceSpans"'


def _sql_literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _traces_sql(engine: Engine, prefix: str, path: str, lines: int, cutoff_ns: int = 0) -> str:
    from importlib import resources

    folder = resources.files("agentel.store").joinpath("loader_sql")
    value_fn = folder.joinpath("otlp_value.sql").read_text(encoding="utf-8").strip()
    sql = folder.joinpath("insert_traces.sql").read_text(encoding="utf-8")
    sql = "\n".join(line for line in sql.splitlines() if not line.startswith("--"))
    for expr in ("sp.attributes", "e.attributes", "l.attributes", "rs.resource.attributes"):
        sql = sql.replace(
            "{attrs:" + expr + "}",
            f"mapSort(mapFromArrays(arrayMap(x -> x.key, {expr}), arrayMap({value_fn}, {expr})))",
        )
    sql = re.sub(r"\{id:([\w.]+)\}", r"if(match(\1, '^0*$'), '', lower(\1))", sql)
    return (
        sql.replace("{db}", engine.database)
        .replace("{prefix}", prefix)
        .replace("{path}", _sql_literal(path))
        .replace("{structure}", _sql_literal(_TRACES_STRUCTURE))
        .replace("{lines}", str(int(lines)))
        .replace("{cutoff}", str(int(cutoff_ns)))
    )


def _only_trace_lines(region: bytes) -> bool:
    """Every line of ``region`` (whole lines) starts a trace export request (no list of lines built)."""
    lines = region.count(b"\n")
    starts = region.count(b"\n" + _SPANS_PREFIX) + (1 if region.startswith(_SPANS_PREFIX) else 0)
    # the last line's newline is not followed by a line start
    return lines > 0 and starts == lines


def _fast_traces(
    engine: Engine, prefix: str, path: str, region: bytes, whole_file: bool, cutoff_ns: int = 0
) -> int | None:
    """Insert a region of trace lines with the engine's own JSON reader; None when not applicable.

    Only for embedded engines (the file must be readable by the engine) and regions made only of
    trace requests; any error (a corrupt line) returns None so the line-by-line path can report it.
    A whole file is read in place but only up to the region's last line (``LIMIT``): lines a
    writer appends meanwhile are left for the next load, never read twice.
    """
    if getattr(engine, "kind", "") != "embedded" or not _only_trace_lines(region):
        return None
    spans = region.count(b'"startTimeUnixNano"')
    tmp = None
    target = path
    if not whole_file:
        import tempfile

        fd, tmp = tempfile.mkstemp(suffix=".jsonl", prefix="agentel-load-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(region)
        target = tmp
    try:
        before = engine.query(f"SELECT count() FROM {engine.database}.{prefix}otel_traces").scalar()
        try:
            engine.execute(_traces_sql(engine, prefix, target, region.count(b"\n"), cutoff_ns))
        except StoreError:
            # nothing of a failed INSERT … SELECT is visible: fall back and report line by line
            after = engine.query(f"SELECT count() FROM {engine.database}.{prefix}otel_traces").scalar()
            if after != before:
                raise
            return None
        return spans
    finally:
        if tmp is not None:
            os.remove(tmp)


# Below ClickHouse's minimum insert block (1M rows, 256 MiB in memory; pinned in insert_traces.sql)
# one INSERT … SELECT is one block: a parse error then inserts nothing, and the line-by-line path
# can take over cleanly. 128 MiB of OTLP-JSON is about 55 MiB of column data.
_CHUNK_BYTES = 128 * 1024 * 1024
_CHUNK_SPANS = 500_000


def _chunks(region: bytes) -> Iterator[bytes]:
    """Split a region of whole lines into chunks small enough to insert atomically."""
    start = 0
    while start < len(region):
        end = min(len(region), start + _CHUNK_BYTES)
        if end < len(region):
            end = region.rfind(b"\n", start, end) + 1 or region.find(b"\n", end) + 1 or len(region)
        chunk = region[start:end]
        while chunk.count(b'"startTimeUnixNano"') > _CHUNK_SPANS and chunk.count(b"\n") > 1:
            half = chunk.rfind(b"\n", 0, len(chunk) // 2) + 1 or len(chunk)
            end = start + half
            chunk = region[start:end]
        yield chunk
        start = end


_RAW_TABLES = (
    "otel_traces",
    "otel_logs",
    "otel_metrics_gauge",
    "otel_metrics_sum",
    "otel_metrics_histogram",
    "otel_metrics_exponential_histogram",
    "otel_metrics_summary",
)


def _raw_rows(engine: Engine, prefix: str) -> int | None:
    """Rows in the raw tables, on an embedded engine (where nobody else writes while we load)."""
    if getattr(engine, "kind", "") != "embedded":
        return None
    union = " UNION ALL ".join(f"SELECT count() AS n FROM {engine.database}.{prefix}{t}" for t in _RAW_TABLES)
    return int(engine.query(f"SELECT sum(n) FROM ({union})").scalar() or 0)


@dataclass(frozen=True)
class _Mark:
    """Where the loader stopped in a file, and how to know the file again."""

    path: str
    inode: int
    offset: int
    line: int
    head: str  # hash of the first line ('' for marks written before heads were kept)
    tail: str = ""  # hash of the 4 KiB before the offset: the content identity of a copy


def _state(engine: Engine, db: str) -> dict[str, _Mark]:
    r = engine.query(f"SELECT Path, Inode, Offset, Line, Head, Tail FROM {db}.agentel_load_state FINAL")
    return {row[0]: _Mark(row[0], int(row[1]), int(row[2]), int(row[3]), row[4], row[5]) for row in r.rows}


_TAIL_BYTES = 4096


def _tail(path: str, offset: int) -> str:
    """Hash of the bytes just before ``offset`` in ``path`` ('' at offset 0 or when unreadable)."""
    import hashlib

    if offset <= 0:
        return ""
    try:
        with open(path, "rb") as fh:
            fh.seek(max(0, offset - _TAIL_BYTES))
            return hashlib.sha1(fh.read(min(offset, _TAIL_BYTES))).hexdigest()
    except OSError:
        return ""


def _save_mark(engine: Engine, db: str, path: str, inode: int, offset: int, line: int, head: str) -> None:
    engine.insert(
        f"{db}.agentel_load_state",
        [
            {
                "Path": path,
                "Inode": inode,
                "Offset": offset,
                "Line": line,
                "Head": head,
                "Tail": _tail(path, offset),
                "Updated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f"),
            }
        ],
    )


def _binary(data: bytes) -> str:
    """Why ``data`` (a file's start) is not OTLP-JSON text, or ''."""
    if data[:2] == b"\x1f\x8b":
        return "gzip-compressed data, not OTLP-JSON lines: decompress it (gunzip) and load the result"
    if b"\x00" in data[:4096]:
        return "binary data (NUL bytes), not OTLP-JSON lines: not read"
    return ""


def _complete_json(tail: bytes) -> bool:
    """A last line without its newline that is nevertheless one whole JSON object."""
    if not tail.strip().startswith(b"{") or not tail.rstrip().endswith(b"}"):
        return False
    try:
        return isinstance(json.loads(tail), dict)
    except (ValueError, RecursionError):
        return False


def _single_document(data: bytes) -> bytes | None:
    """A file that is one (pretty-printed) JSON request, as one line; None for JSON lines."""
    first = data.split(b"\n", 1)[0].strip()
    if not data.lstrip().startswith(b"{") or data.count(b"\n") < 2 and first.endswith(b"}"):
        return None
    try:
        json.loads(first)
        return None  # the first line is a whole record: JSON lines
    except (ValueError, RecursionError):
        pass
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        return None
    if not isinstance(doc, dict):
        return None
    return _dumps(doc).encode("utf-8")


def _head(path: str) -> str:
    """Hash of the file's first complete line ('' while it has none)."""
    import hashlib

    with open(path, "rb") as fh:
        first = fh.readline(1 << 16)
    return hashlib.sha1(first).hexdigest() if first.endswith(b"\n") else ""


def _resume_at(path: str, st: os.stat_result, head: str, state: dict[str, _Mark]) -> _Mark | None:
    """The mark to continue ``path`` from: its own, or — after a rotation renamed it — the mark of
    the name it had (same inode and first line, and that name no longer holds it)."""
    own = state.get(path)
    if own is not None and own.inode == st.st_ino and own.offset <= st.st_size and own.head in ("", head):
        return own
    for mark in state.values():
        if mark.path == path or mark.inode != st.st_ino or not head or mark.head != head:
            continue
        if mark.offset > st.st_size:
            continue
        try:
            if os.stat(mark.path).st_ino == st.st_ino:
                continue  # a hard link: the file is still there under its old name
        except OSError:
            pass
        return mark
    # a copy (cp -a): another file with the same first line and the same bytes up to its offset
    for mark in state.values():
        if mark.path == path or not head or mark.head != head or not mark.tail:
            continue
        if mark.offset <= st.st_size and _tail(path, mark.offset) == mark.tail:
            return mark
    return None


_TIME = {"otel_traces": "Timestamp", "otel_logs": "Timestamp"}  # the metrics tables: TimeUnix


@dataclass(frozen=True)
class _Cutoff:
    days: int
    text: str  # DateTime64(9) literal: rows older than this fall to the TTL
    ns: int


def _ttl_cutoffs(engine: Engine, prefix: str) -> dict[str, _Cutoff]:
    """Raw table (without prefix) -> where its TTL cuts, for the tables that have one."""
    r = engine.query(
        "SELECT name, engine_full FROM system.tables WHERE database = {db:String}", {"db": engine.database}
    )
    now_ns = time.time_ns()
    out: dict[str, _Cutoff] = {}
    for name, full in r.rows:
        table = str(name)[len(prefix) :] if str(name).startswith(prefix) else ""
        m = re.search(r"\bTTL\b.*?toIntervalDay\((\d+)\)", str(full))
        if table in _RAW_TABLES and m:
            days = int(m.group(1))
            # a minute of margin: a row this close to the cut would expire before the next merge anyway
            ns = now_ns - days * 86_400 * 10**9 + 60 * 10**9
            sec, frac = divmod(ns, 10**9)
            text = f"{datetime.fromtimestamp(sec, timezone.utc):%Y-%m-%d %H:%M:%S}.{frac:09d}"
            out[table] = _Cutoff(days, text, ns)
    return out


def _time_of(table: str, row: dict) -> str:
    return str(row.get(_TIME.get(table, "TimeUnix"), ""))


def _record_expired(
    engine: Engine, db: str, path: str, offset: int, line: int, cutoff: str, rows: int, reloaded: int
) -> None:
    engine.insert(
        f"{db}.agentel_load_expired",
        [
            {
                "Path": path,
                "Offset": offset,
                "Line": line,
                "Cutoff": cutoff,
                "Rows": rows,
                "Reloaded": reloaded,
                "Updated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f"),
            }
        ],
    )


def _request_rows(req: dict, bad: list[str] | None) -> list[tuple[str, dict]]:
    """(table without prefix, row) for every record of one export request."""
    if "resourceSpans" in req:
        return [("otel_traces", r) for r in span_rows(req, bad)]
    if "resourceLogs" in req:
        return [("otel_logs", r) for r in log_rows(req, bad)]
    if "resourceMetrics" in req:
        return [("otel_metrics_" + t, r) for t, r in metric_rows(req, bad)]
    raise ValueError("not an OTLP export request (no resourceSpans/resourceLogs/resourceMetrics)")


def _reload_expired(engine: Engine, prefix: str, report: LoadReport, cutoffs: dict[str, _Cutoff]) -> None:
    """Load the lines left out as older than the TTL, where the TTL now allows it (once each)."""
    db = engine.database
    r = engine.query(
        f"SELECT Path, Offset, Line, toString(Cutoff), Rows FROM {db}.agentel_load_expired FINAL WHERE Reloaded = 0"
    )
    buf = _Buffers(engine, db, prefix)
    for path, offset, line, then, n in r.rows:
        try:
            with open(path, "rb") as fh:
                fh.seek(int(offset))
                raw = fh.readline()
                if int(offset) == 0 and _single_document(raw + fh.read()) is not None:
                    fh.seek(0)
                    raw = _single_document(fh.read()) or raw
            req = json.loads(raw)
            rows = [(t, row) for t, row in _request_rows(req, []) if _time_of(t, row) < str(then)]
        except (OSError, ValueError, RecursionError) as exc:
            report.skipped.append(SkippedLine(str(path), int(line), f"cannot reload: {str(exc)[:200]}"))
            continue
        if any(t in cutoffs and _time_of(t, row) < cutoffs[t].text for t, row in rows):
            report.expired += len(rows)  # still older than the TTL: left where it is
            report.ttl_days = max(cutoffs[t].days for t, _ in rows if t in cutoffs)
            continue
        for t, row in rows:
            buf.add(t, row)
            _count(report, t)
        buf.flush()
        report.reloaded += len(rows)
        _record_expired(engine, db, str(path), int(offset), int(line), str(then), int(n), 1)


def _count(report: LoadReport, table: str) -> None:
    if table == "otel_traces":
        report.spans += 1
    elif table == "otel_logs":
        report.logs += 1
    else:
        report.metric_points += 1


def load(
    engine: Engine,
    paths: Iterable[str],
    *,
    prefix: str = "",
    progress: Callable[[str, int, int], None] | None = None,
    reload_expired: bool = False,
    quarantine: str | None = None,
) -> LoadReport:
    """Load every new line under ``paths``; ``progress(path, done_bytes, total_bytes)`` is called per file.

    Rows older than a table's TTL are not inserted (the engine would drop them on arrival): their
    lines are remembered and counted in ``expired``; ``reload_expired`` loads them again once the
    TTL allows it (each line once).

    A line or record that cannot be loaded is reported in ``skipped`` and quarantined: appended, with
    its path, line number and reason, to ``quarantine`` (default: ``quarantine/load.jsonl`` in the
    embedded store's directory; none on a server unless given).
    """
    t0 = time.perf_counter()
    db = engine.database
    report = LoadReport()
    state = _state(engine, db)
    rows_before = _raw_rows(engine, prefix)
    cutoffs = _ttl_cutoffs(engine, prefix)
    if reload_expired:
        _reload_expired(engine, prefix, report, cutoffs)
    if quarantine is None and getattr(engine, "kind", "") == "embedded":
        quarantine = os.path.join(os.path.dirname(str(getattr(engine, "path", ""))), QUARANTINE_FILE)
    held: list[str] = []

    def bad(path: str, line: int, reason: str, raw: bytes = b"") -> None:
        report.skipped.append(SkippedLine(path, line, reason))
        record = raw.decode("utf-8", "replace") if raw else ""
        held.append(_dumps({"path": path, "line": line, "reason": reason, "record": record}))

    files = list(iter_files(paths))
    sizes = {}
    for f in files:
        try:
            sizes[f] = os.stat(f).st_size
        except OSError:
            continue
    total = sum(sizes.values())
    done = 0
    buf = _Buffers(engine, db, prefix)
    for path in files:
        if path not in sizes:
            continue
        try:
            st = os.stat(path)
            if not stat.S_ISREG(st.st_mode):
                # a FIFO or a device named *.jsonl: opening it could block the load (and the store lock)
                bad(path, 0, "not a regular file (a FIFO or device): not read")
                continue
            head = _head(path)
        except OSError:
            continue  # removed (rotated away, pruned) since it was listed
        inode, offset, line_no = st.st_ino, 0, 0
        mark = _resume_at(path, st, head, state)
        if mark is not None:
            offset, line_no = mark.offset, mark.line
            if mark.path != path:  # renamed: the old name's mark now belongs to this name
                state[path] = mark
                _save_mark(engine, db, path, inode, offset, line_no, head)
        if offset == st.st_size:
            done += st.st_size
            continue
        with open(path, "rb") as fh:
            fh.seek(offset)
            data = fh.read(st.st_size - offset)
        if offset == 0 and _binary(data):
            # compressed or binary data never becomes lines: say so once, do not keep it pending
            bad(path, 0, _binary(data))
            _save_mark(engine, db, path, inode, st.st_size, 0, head)
            done += st.st_size
            continue
        end = data.rfind(b"\n") + 1
        single = _single_document(data) if offset == 0 else None
        if single is not None or (end < len(data) and _complete_json(data[end:])):
            # one JSON document (a pretty-printed request), or a last line that is whole but has
            # no newline: both are complete records, read up to the end of the file
            end = len(data)
            if single is not None:
                data = single + b"\n"
        report.pending_bytes += len(data) - end if single is None else 0
        if end == 0:
            done += st.st_size
            continue
        report.files += 1
        report.bytes_read += end
        region = data[:end] if single is None else data
        if not region.endswith(b"\n"):
            region += b"\n"
        chunks = list(_chunks(region))
        rest: list[bytes] = []
        rest_start = offset
        for chunk in chunks:
            whole = offset == 0 and end == st.st_size and len(chunks) == 1 and single is None
            trace_cut = cutoffs["otel_traces"].ns if "otel_traces" in cutoffs else 0
            fast = (
                _fast_traces(engine, prefix, path, chunk, whole_file=whole, cutoff_ns=trace_cut)
                if not rest
                else None
            )
            if fast is None:
                rest.append(chunk)
                continue
            report.spans += fast
            report.lines += chunk.count(b"\n")
            line_no += chunk.count(b"\n")
            rest_start += len(chunk)
        region = b"".join(rest)
        pos = rest_start
        for raw in region.split(b"\n")[:-1]:
            line_no += 1
            line_at, pos = pos, pos + len(raw) + 1
            if not raw.strip():
                continue
            report.lines += 1
            bad_records: list[str] = []
            try:
                req = json.loads(raw)
                if not isinstance(req, dict):
                    raise ValueError("not a JSON object")
                # a line's rows are converted in full before any is buffered: a line that fails
                # midway adds nothing, and is reported
                rows = _request_rows(req, bad_records)
                old = [t for t, row in rows if t in cutoffs and _time_of(t, row) < cutoffs[t].text]
                if old:
                    cut = cutoffs[old[0]]
                    report.expired += len(old)
                    report.ttl_days = max(report.ttl_days, cut.days)
                    _record_expired(engine, db, path, line_at, line_no, cut.text, len(old), 0)
                for t, row in rows:
                    if t in cutoffs and _time_of(t, row) < cutoffs[t].text:
                        continue
                    buf.add(t, row)
                    _count(report, t)
            except RecursionError:
                bad(path, line_no, "JSON nested too deeply to read", raw)
            except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
                bad(path, line_no, f"{type(exc).__name__}: {str(exc)[:200]}", raw)
            for reason in bad_records:
                bad(path, line_no, reason[:300], raw)
        buf.flush()
        _save_mark(
            engine,
            db,
            path,
            inode,
            offset + end if single is None else st.st_size,
            line_no,
            head or _head(path),
        )
        done += st.st_size
        if progress is not None:
            progress(path, done, total)
    if held and quarantine:
        try:
            os.makedirs(os.path.dirname(quarantine) or ".", exist_ok=True)
            with open(quarantine, "a", encoding="utf-8") as qf:
                qf.write("\n".join(held) + "\n")
            report.quarantine = quarantine
        except OSError as exc:  # a read-only store directory: the report still lists them
            report.quarantine = f"(not written: {exc})"
    if rows_before is not None and report.rows:
        # the engine drops rows past a table's TTL as they arrive: say so instead of counting them loaded
        rows_after = _raw_rows(engine, prefix) or 0
        report.dropped_on_arrival = max(0, report.rows - (rows_after - rows_before))
    report.seconds = time.perf_counter() - t0
    return report
