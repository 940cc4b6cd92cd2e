"""Crash safety: an uncaught exception leaves a sanitized record, before and after configure()."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

EMAIL = "crash.victim@example.com"
PASSWORD = "Zq9-crash-password"


def _run(tmp_path: Path, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("AGENTEL_", "OTEL_"))}
    full_env.update({"AGENTEL_DIR": str(tmp_path / "agentel"), "AGENTEL_RUN_ID": "crashrun", **env})
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


def _crash_records(tmp_path: Path) -> tuple[str, list[dict[str, Any]]]:
    path = tmp_path / "agentel" / "crashrun" / "logs.jsonl"
    raw = path.read_text()
    records = []
    for line in raw.splitlines():
        for rl in json.loads(line)["resourceLogs"]:
            for sl in rl["scopeLogs"]:
                for rec in sl["logRecords"]:
                    if rec.get("eventName") == "agentel.crash":
                        attrs = {a["key"]: next(iter(a["value"].values())) for a in rec["attributes"]}
                        records.append(
                            {"body": rec["body"]["stringValue"], "attrs": attrs, "resource": rl["resource"]}
                        )
    return raw, records


CRASHING = f"""
    import agentel

    def charge(card, pw):
        api_key = "sk-proj-EXAMPLEexampleEXAMPLE0123456789"  # a local: must not be recorded
        raise ValueError(f"charge failed for {EMAIL} password={{pw}}")

    def main():
        charge("4111 1111 1111 1111", "{PASSWORD}")
"""


def test_uncaught_exception_before_configure_writes_a_sanitized_record(tmp_path: Path) -> None:
    proc = _run(tmp_path, CRASHING + "    main()\n")
    assert proc.returncode == 1
    assert "ValueError" in proc.stderr  # the previous hook still printed the traceback
    raw, records = _crash_records(tmp_path)
    assert len(records) == 1
    attrs = records[0]["attrs"]
    assert attrs["exception.type"] == "ValueError"
    assert attrs["exception.message"] == "[REDACTED:crash_message]"
    assert attrs["error.code"] == "ValueError"
    stack = attrs["exception.stacktrace"]
    assert "in charge" in stack and "in main" in stack and "line " in stack
    for secret in (EMAIL, PASSWORD, "sk-proj-EXAMPLE", "4111 1111", "api_key ="):
        assert secret not in raw  # no message, no locals, no source lines
    assert {"key": "agentel.run_id", "value": {"stringValue": "crashrun"}} in records[0]["resource"][
        "attributes"
    ]


def test_scan_mode_keeps_the_message_through_the_rules(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('[crash]\nmessage = "scan"\n')
    _run(tmp_path, CRASHING + "    main()\n", AGENTEL_REDACTION_POLICY=str(policy))
    raw, records = _crash_records(tmp_path)
    message = records[0]["attrs"]["exception.message"]
    assert message == "charge failed for [REDACTED:email] password=[REDACTED:denied_key]"
    assert EMAIL not in raw and PASSWORD not in raw


def test_uncaught_exception_in_a_thread_is_recorded(tmp_path: Path) -> None:
    code = (
        CRASHING
        + """
    import threading
    t = threading.Thread(target=main, name="worker-1")
    t.start(); t.join()
    print("main thread still alive")
    """
    )
    proc = _run(tmp_path, code)
    assert proc.returncode == 0 and "main thread still alive" in proc.stdout
    raw, records = _crash_records(tmp_path)
    assert records[0]["attrs"]["thread.name"] == "worker-1"
    assert "in thread worker-1" in records[0]["body"]
    assert EMAIL not in raw and PASSWORD not in raw


def test_uncaught_exception_after_configure_goes_through_the_pipeline(tmp_path: Path) -> None:
    code = (
        CRASHING
        + """
    agentel.configure()
    with agentel.span("before the crash"):
        pass
    main()
    """
    )
    proc = _run(tmp_path, code)
    assert proc.returncode == 1
    raw, records = _crash_records(tmp_path)
    assert len(records) == 1
    assert records[0]["attrs"]["exception.message"] == "[REDACTED:crash_message]"
    assert set(records[0]["attrs"]) <= {
        "exception.type",
        "exception.message",
        "exception.stacktrace",
        "error.code",
        "thread.name",
    }
    traces = (tmp_path / "agentel" / "crashrun" / "traces.jsonl").read_text()
    assert "before the crash" in traces  # flushed on the way out
    assert EMAIL not in raw and PASSWORD not in raw


def test_chained_exceptions_keep_frames_but_no_messages(tmp_path: Path) -> None:
    code = f"""
    import agentel
    try:
        raise KeyError("{EMAIL}")
    except KeyError as exc:
        raise RuntimeError("wrapping {PASSWORD}") from exc
    """
    _run(tmp_path, code)
    raw, records = _crash_records(tmp_path)
    stack = records[0]["attrs"]["exception.stacktrace"]
    assert "KeyError: [REDACTED:crash_message]" in stack
    assert "RuntimeError: [REDACTED:crash_message]" in stack
    assert EMAIL not in raw and PASSWORD not in raw


def test_keyboard_interrupt_is_not_a_crash(tmp_path: Path) -> None:
    _run(tmp_path, "import agentel\nraise KeyboardInterrupt\n")
    assert not (tmp_path / "agentel" / "crashrun" / "logs.jsonl").exists()


def test_hooks_are_installed_at_import_and_chain_to_the_previous_ones() -> None:
    import threading

    from agentel.redaction import crash

    assert crash._installed
    assert sys.excepthook in (crash._sys_hook,) or getattr(sys.excepthook, "__module__", "") == "agentel.sdk"
    assert threading.excepthook is crash._thread_hook or crash._prev_thread_hook is not None


@pytest.mark.parametrize("broken", ["[keys\n", "version = 7\n"])
def test_a_broken_policy_file_does_not_cost_the_crash_record(tmp_path: Path, broken: str) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(broken)
    _run(tmp_path, CRASHING + "    main()\n", AGENTEL_REDACTION_POLICY=str(policy))
    raw, records = _crash_records(tmp_path)
    assert records and EMAIL not in raw
