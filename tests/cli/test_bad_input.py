"""Bad input: one line naming the argument and the fix, and a non-zero exit — nothing raised."""

from __future__ import annotations

import socket

import pytest


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["run-info", "0123456789abcdef0123456789abcdef"],
            1,
            "no trace or run '0123456789abcdef0123456789abcdef'",
        ),
        (["run-info", "nope"], 1, "recent runs:"),
        (["leaderboard", "--run", "nope"], 1, "--run: no run 'nope' in the store"),
        (["cost", "--run", "nope", "--format", "json"], 1, "--run: no run 'nope'"),
        (["runs", "--since", "next tuesday"], 2, "--since: expected a duration ago"),
        (["leaderboard", "--until", "2026-13-45"], 2, "--until: expected a duration ago"),
        (["metrics", "export", "--window", "an hour"], 2, "--window: expected a duration like 30m"),
        (
            ["metrics", "export", "--window", "1h", "--since", "2h"],
            2,
            "--window and --since both set the start",
        ),
        (["metrics", "export", "--metric", "no.such.metric"], 1, "--metric: no points of 'no.such.metric'"),
        (["leaderboard", "--by", "colour"], 2, "'colour' is not one of"),
        (["plots", "--only", "pie"], 2, "unknown chart 'pie'"),
        (["query", "SELEC 1"], 1, "query failed"),
        (["query", "SELECT * FROM no_such_table"], 1, "no_such_table"),
        (["export-training", "/no/such/dir/out.jsonl"], 2, "the folder /no/such/dir does not exist"),
        (["metrics", "export", "--format", "xlsx", "--out", "/no/such/m.xlsx"], 2, "Invalid value for --out"),
    ],
)
def test_bad_arguments(agentel, args: list[str], code: int, message: str) -> None:  # type: ignore[no-untyped-def]
    r = agentel(*args)
    assert r.exit_code == code, r.output
    assert message in r.stderr
    assert "Traceback" not in r.output


def test_doctor_fails_on_an_unreachable_endpoint(agentel) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    r = agentel("doctor", "--format", "json", env={"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}"})
    assert r.exit_code == 1
    assert "start the collector or unset OTEL_EXPORTER_OTLP_ENDPOINT" in r.stdout


def test_doctor_names_a_bad_setting(agentel) -> None:  # type: ignore[no-untyped-def]
    r = agentel("doctor", "--format", "json", env={"AGENTEL_SINKS": "fiels"})
    assert r.exit_code == 1 and "unknown sink 'fiels'" in r.stdout


def test_help_lists_the_report_commands(agentel) -> None:  # type: ignore[no-untyped-def]
    out = agentel("--help").stdout
    for name in ("runs", "run-info", "leaderboard", "cost", "export-training", "metrics", "plots", "doctor"):
        assert f"  {name} " in out
