"""Every CLI command works while `agentel serve` runs, and prints what it prints without it.

One store, seeded by `agentel fake` (files only). A real `agentel serve` owns it; the writes
(`fake --load`, `feedback`, `evals run`, `load`) and the reports run as separate processes through
its ClickHouse interface. Then the server stops and the same reports run on the store opened
directly: their output must match byte for byte (JSON compared as data, because the engine sums
floats in parallel in no fixed order — the last bits of an average differ from run to run with
or without the server).
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serve_proc import ServeProcess, clean_env

REPORTS: list[list[str]] = [
    ["leaderboard"],
    ["leaderboard", "--by", "operation", "--format", "csv"],
    ["runs"],
    ["cost", "--by", "day"],
    ["evals", "summary"],
    ["evals", "list", "--limit", "20", "--format", "csv"],
    [
        "query",
        "--format",
        "TSVWithNames",
        "SELECT model, count() AS n FROM llm_logs GROUP BY model ORDER BY model",
    ],
    ["leaderboard", "--format", "json"],
    ["export-training", "-"],
    ["metrics", "export", "--since", "30d", "--format", "csv"],
]


FEEDBACK_COUNT = "SELECT count() FROM feedback_events WHERE Comment = 'served feedback'"


def agentel(
    directory: Path, *args: str, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agentel.cli", *args],
        env=clean_env(directory, extra),
        capture_output=True,
        text=True,
        timeout=300,
    )


def ok(directory: Path, *args: str) -> str:
    r = agentel(directory, *args)
    assert r.returncode == 0, f"agentel {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    return r.stdout


def _approx(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, list):
        return [_approx(v) for v in value]
    if isinstance(value, dict):
        return {k: _approx(v) for k, v in value.items()}
    return value


def _cells(text: str) -> list[list[Any]]:
    return [[_approx(_number(c)) for c in row] for row in csv.reader(io.StringIO(text))]


def _number(cell: str) -> Any:
    try:
        return float(cell)
    except ValueError:
        return cell


_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _same_text(a: str, b: str) -> bool:
    """Byte for byte, except that a rounded number may differ by one unit in its last digit: a
    float sum's last bits depend on the order the engine reads its parts in (direct or served
    alike), and now and then that flips a rounding ($0.0453 / $0.0454)."""
    if a == b:
        return True
    la, lb = a.splitlines(), b.splitlines()
    if len(la) != len(lb):
        return False
    for x, y in zip(la, lb, strict=True):
        if x == y:
            continue
        if _NUMBER.split(x) != _NUMBER.split(y):
            return False  # the text around the numbers differs
        for m, n in zip(_NUMBER.findall(x), _NUMBER.findall(y), strict=True):
            if m == n:
                continue
            if "." not in m:
                return False  # counts and other integers: exactly
            if (
                len(m) != len(n)
                or abs(int(m.replace(",", "").replace(".", "")) - int(n.replace(",", "").replace(".", "")))
                > 1
            ):
                return False
    return True


def same_output(args: list[str], served: str, direct: str) -> None:
    """Tables and text byte for byte (but see _same_text); JSON and CSV as data, floats to 12
    significant digits."""
    if args[0] == "export-training":
        assert _approx([json.loads(x) for x in served.splitlines() if x]) == _approx(
            [json.loads(x) for x in direct.splitlines() if x]
        )
    elif "json" in args:
        assert _approx(json.loads(served)) == _approx(json.loads(direct))
    elif "csv" in args:
        assert _cells(served) == _cells(direct)
    else:
        if not _same_text(served, direct):
            import difflib

            diff = "".join(
                difflib.unified_diff(
                    direct.splitlines(True), served.splitlines(True), "direct", "served", n=1
                )
            )
            raise AssertionError(f"agentel {' '.join(args)} printed differently through the server:\n{diff}")


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    directory = tmp_path_factory.mktemp("parity") / "agentel"
    ok(directory, "fake", "--seed", "5")  # files only: the server loads them when it starts
    srv = ServeProcess(directory)
    try:
        out: dict[str, Any] = {"dir": directory, "served": {}, "direct": {}}
        # writes, through the server: a second workload loaded now, feedback, an evals run
        ok(directory, "fake", "--seed", "6", "--run", "second", "--load")
        runs = json.loads(ok(directory, "runs", "--format", "json", "--limit", "5"))
        trace = runs[0]["trace_id"]
        out["trace"] = trace
        out["feedback"] = ok(directory, "feedback", trace, "--bad", "--comment", "served feedback")
        # read your writes: the command returned after the server had loaded what it wrote
        out["feedback_seen"] = ok(directory, "query", "--format", "TSV", FEEDBACK_COUNT)
        out["evals_run"] = ok(directory, "evals", "run", "--check", "length", "--rejudge")
        # the client never opened the store itself: no chdb in its process
        probe = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys\nfrom agentel.cli import cli\n"
                "try:\n    cli.main(['leaderboard', '--format', 'json'], standalone_mode=False)\n"
                "finally:\n    print('CHDB' if 'chdb' in sys.modules else 'NOCHDB', file=sys.stderr)",
            ],
            env=clean_env(directory),
            capture_output=True,
            text=True,
            timeout=300,
        )
        out["probe"] = probe
        for args in [*REPORTS, ["run-info", trace]]:
            out["served"][tuple(args)] = ok(directory, *args)
        out["serve_stderr"] = srv.stderr()
    finally:
        assert srv.stop() == 0, srv.stderr()
    assert not (directory / "serve.json").exists()
    for args in [*REPORTS, ["run-info", out["trace"]]]:
        out["direct"][tuple(args)] = ok(directory, *args)
    out["feedback_direct"] = ok(directory, "query", "--format", "TSV", FEEDBACK_COUNT)
    yield out


@pytest.mark.parametrize("args", [*REPORTS, ["run-info", "<trace>"]], ids=lambda a: " ".join(a)[:40])
def test_report_prints_the_same_through_the_server(both: dict[str, Any], args: list[str]) -> None:
    if args[-1] == "<trace>":
        args = [*args[:-1], both["trace"]]
    served, direct = both["served"][tuple(args)], both["direct"][tuple(args)]
    assert direct.strip(), f"agentel {' '.join(args)} printed nothing"
    same_output(args, served, direct)


def test_writes_went_through_the_server(both: dict[str, Any]) -> None:
    assert "recorded feedback (bad) on trace " + both["trace"] in both["feedback"]
    assert "new result(s)" in both["evals_run"]
    assert both["feedback_seen"] == "1\n"  # visible through the server as soon as the command returned
    assert both["feedback_direct"] == "1\n"  # loaded once: the server is the only loader
    direct = both["direct"]
    # the feedback, the re-judged checks and the second workload are all in the store
    runs = direct[("runs",)]
    assert " second " in runs and " fake " in runs
    summary = direct[("evals", "summary")]
    assert "length" in summary


def test_client_path_imports_no_chdb(both: dict[str, Any]) -> None:
    probe = both["probe"]
    assert probe.returncode == 0, probe.stderr
    assert probe.stderr.strip().endswith("NOCHDB"), probe.stderr
    assert json.loads(probe.stdout)  # and it printed the leaderboard
