"""Crash safety: an uncaught exception leaves a sanitized ``agentel.crash`` record, configured or not.

``import agentel`` installs wrappers around ``sys.excepthook`` and ``threading.excepthook``
(cheap: nothing is compiled until a crash). The previous hook still runs first (the traceback
is printed as usual); then a record is made with the exception type and the frames (file, line,
function — no locals, no source lines) and the message replaced by a marker, or passed through
the rules when the policy says ``[crash] message = "scan"``.

Configured: the record goes through the pipeline (and its redacting processor) and is flushed.
Not configured yet: it is written straight to ``AGENTEL_DIR/<run_id>/logs.jsonl`` as one
OTLP-JSON line, the same encoding the file sink uses — always inside ``AGENTEL_DIR``: a run id
that is not a plain name (``../..``, an absolute path, an email address) is replaced by
``crash-<pid>``.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
import types
from typing import Any

_lock = threading.Lock()
_installed = False
_prev_sys_hook: Any = None
_prev_thread_hook: Any = None
_MAX_FRAMES = 64


def install() -> None:
    """Wrap ``sys.excepthook`` and ``threading.excepthook`` (idempotent)."""
    global _installed, _prev_sys_hook, _prev_thread_hook
    with _lock:
        if _installed:
            return
        _prev_sys_hook = sys.excepthook
        _prev_thread_hook = threading.excepthook
        sys.excepthook = _sys_hook
        threading.excepthook = _thread_hook
        _installed = True


def uninstall() -> None:
    """Put the previous hooks back (when ours are still the ones installed)."""
    global _installed
    with _lock:
        if not _installed:
            return
        if sys.excepthook is _sys_hook:
            sys.excepthook = _prev_sys_hook
        if threading.excepthook is _thread_hook:
            threading.excepthook = _prev_thread_hook
        _installed = False


def _sys_hook(exc_type: type[BaseException], exc: BaseException, tb: types.TracebackType | None) -> None:
    config = sys.modules.get("agentel.config")  # not loaded: no ConfigError can have been raised
    if config is not None and issubclass(exc_type, config.ConfigError):
        # A bad setting is one line naming the variable and the fix, not a traceback (and no crash
        # record: the settings it would be written with are the bad ones).
        try:
            sys.stderr.write(f"agentel: configuration error: {exc}\n")
        except Exception:  # noqa: BLE001 - stderr closed
            pass
        return
    prev = _prev_sys_hook or sys.__excepthook__
    try:
        prev(exc_type, exc, tb)
    finally:
        if not issubclass(exc_type, KeyboardInterrupt):
            record_crash(exc_type, exc, tb)


def _thread_hook(args: Any) -> None:
    prev = _prev_thread_hook or threading.__excepthook__
    try:
        prev(args)
    finally:
        if args.exc_type is not None and not issubclass(args.exc_type, SystemExit):
            name = args.thread.name if args.thread is not None else None
            record_crash(args.exc_type, args.exc_value, args.exc_traceback, thread_name=name)


# --- the sanitized record ---------------------------------------------------------------------


def _type_name(exc_type: type[BaseException]) -> str:
    mod = getattr(exc_type, "__module__", "") or ""
    name = getattr(exc_type, "__qualname__", None) or exc_type.__name__
    return name if mod in ("builtins", "__main__", "") else f"{mod}.{name}"


def _frames(tb: types.TracebackType | None) -> list[str]:
    """``File "...", line N, in fn`` for each frame: no locals, no source text."""
    lines: list[str] = []
    while tb is not None and len(lines) < _MAX_FRAMES:
        code = tb.tb_frame.f_code
        lines.append(f'  File "{code.co_filename}", line {tb.tb_lineno}, in {code.co_name}\n')
        tb = tb.tb_next
    return lines


def sanitized_attributes(
    exc_type: type[BaseException],
    exc: BaseException | None,
    tb: types.TracebackType | None,
    redactor: Any,
    *,
    thread_name: str | None = None,
) -> dict[str, Any]:
    """The attributes of an ``agentel.crash`` record: type, redacted message, frames, error code."""
    from agentel.redaction.rules import marker

    type_name = _type_name(exc_type)

    def message_of(e: BaseException | None) -> str:
        try:
            raw = str(e) if e is not None else ""
        except Exception:  # noqa: BLE001 - a __str__ that raises must not lose the crash
            raw = "<unprintable message>"
        if not raw:
            return ""
        if redactor.policy.crash_message == "scan":
            return str(redactor.redact_text(raw))
        return marker("crash_message")

    def block(t: type[BaseException], e: BaseException | None, trace: types.TracebackType | None) -> str:
        msg = message_of(e)
        head = f"{_type_name(t)}: {msg}\n" if msg else f"{_type_name(t)}\n"
        return "".join(["Traceback (most recent call last):\n", *_frames(trace), head])

    message = message_of(exc)
    blocks = [block(exc_type, exc, tb)]
    seen = {id(exc)}
    cause = (exc.__cause__ or exc.__context__) if exc is not None else None
    while cause is not None and id(cause) not in seen and len(blocks) < 6:
        seen.add(id(cause))
        blocks.insert(0, block(type(cause), cause, cause.__traceback__))
        cause = cause.__cause__ or cause.__context__
    joined = "\nDuring handling of the above exception, another exception occurred:\n\n".join(blocks)
    attrs: dict[str, Any] = {
        "exception.type": type_name,
        "exception.message": message,
        # file paths can carry names too: the frames pass the rules as well
        "exception.stacktrace": redactor.redact_text(joined),
        "error.code": getattr(exc_type, "__qualname__", exc_type.__name__),
    }
    if thread_name:
        attrs["thread.name"] = redactor.redact_text(thread_name)
    return attrs


def _crash_redactor() -> Any:
    """The pipeline's redactor, or one from AGENTEL_REDACTION_POLICY / the defaults before configure."""
    from agentel.redaction.policy import Policy, load_policy
    from agentel.redaction.processors import current_redactor
    from agentel.redaction.redactor import Redactor

    red = current_redactor()
    if red is not None:
        return red
    try:
        policy = load_policy(os.environ.get("AGENTEL_REDACTION_POLICY") or None)
    except Exception:  # noqa: BLE001 - a broken policy file must not cost the crash record
        policy = Policy.default()
    return Redactor(policy)


def record_crash(
    exc_type: type[BaseException],
    exc: BaseException | None,
    tb: types.TracebackType | None,
    *,
    thread_name: str | None = None,
) -> None:
    """Record one uncaught exception as a sanitized ``agentel.crash`` log record. Never raises."""
    try:
        red = _crash_redactor()
        attrs = sanitized_attributes(exc_type, exc, tb, red, thread_name=thread_name)
        body = f"uncaught {attrs['exception.type']}" + (
            f" in thread {attrs['thread.name']}" if thread_name else ""
        )
        # Looked up, not imported: `import agentel` installs this hook and must stay cheap, and
        # without the state module loaded agentel cannot be configured.
        state = sys.modules.get("agentel._internal.state")
        if state is not None and state.settings() is not None:  # configured: through the pipeline
            _emit(body, attrs, state)
        else:
            _write_file(body, attrs, red)
    except Exception as exc2:  # noqa: BLE001 - the crash hook is the last line: say so, never raise
        try:
            sys.stderr.write(f"agentel: could not record the crash ({type(exc2).__name__})\n")
        except Exception:  # noqa: BLE001
            pass


def _emit(body: str, attrs: dict[str, Any], state: Any) -> None:
    from opentelemetry._logs import LogRecord, SeverityNumber, get_logger_provider

    logger = get_logger_provider().get_logger("agentel.crash")  # the configured pipeline's
    logger.emit(
        LogRecord(
            timestamp=time.time_ns(),
            severity_text="ERROR",
            severity_number=SeverityNumber.ERROR,
            body=body,
            attributes=attrs,
            event_name="agentel.crash",
        )
    )
    state.force_flush(5000)  # the crash record and every span still queued


_SAFE_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def _run_folder(directory: str, run_id: str) -> str:
    """``directory/run_id`` when the run id is a plain folder name, else ``directory/crash-<pid>``."""
    base = os.path.abspath(directory)
    if not _SAFE_RUN_ID.fullmatch(run_id or "") or "@" in run_id:
        run_id = f"crash-{os.getpid()}"
    target = os.path.abspath(os.path.join(base, run_id))
    if os.path.dirname(target) != base:  # belt and braces: never outside AGENTEL_DIR
        target = os.path.join(base, f"crash-{os.getpid()}")
    return target


def _write_file(body: str, attrs: dict[str, Any], redactor: Any) -> None:
    from opentelemetry._logs import LogRecord, SeverityNumber
    from opentelemetry.sdk._logs import ReadableLogRecord
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.util.instrumentation import InstrumentationScope

    from agentel.config import DEFAULT_DIR, Settings
    from agentel.redaction.redactor import Tally
    from agentel.sinks.files import JsonlWriter
    from agentel.sinks.otlp_json import encode_logs

    try:
        settings = Settings.load()
        directory, run_id, service = settings.dir, settings.run_id, settings.service_name
    except Exception:  # noqa: BLE001 - a bad variable must not cost the crash record
        directory = os.environ.get("AGENTEL_DIR") or DEFAULT_DIR
        run_id = os.environ.get("AGENTEL_RUN_ID") or f"crash-{os.getpid()}"
        service = None
    folder = _run_folder(directory, run_id)
    run_id = os.path.basename(folder)
    argv0 = sys.argv[0] if sys.argv and sys.argv[0] else "python"
    resource_attrs: dict[str, Any] = {
        "service.name": service or os.path.splitext(os.path.basename(argv0))[0] or "python",
        "agentel.run_id": run_id,
        "process.pid": os.getpid(),
        "telemetry.distro.name": "agentel",
    }
    resource_attrs = dict(redactor.mapping(resource_attrs, Tally()))
    now = time.time_ns()
    record = ReadableLogRecord(
        log_record=LogRecord(
            timestamp=now,
            observed_timestamp=now,
            severity_text="ERROR",
            severity_number=SeverityNumber.ERROR,
            body=body,
            attributes=attrs,
            event_name="agentel.crash",
        ),
        resource=Resource(resource_attrs),
        instrumentation_scope=InstrumentationScope("agentel.crash"),
    )
    writer = JsonlWriter(os.path.join(folder, "logs.jsonl"))
    try:
        writer.write_line(encode_logs([record]))
    finally:
        writer.close()
