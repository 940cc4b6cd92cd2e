"""What a person sees in every table: under each header, values of that header's kind.

A generic check, page by page in headless Chromium: for each table, each header's text names a
kind (tokens are integers, cost starts with $, latency ends in ms/s, rates are percentages, model
names are names...) and every non-empty cell of its column must look like one. A header with no
declared kind fails too, so a new table must say what its columns hold.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from ui_seed import UIProcess

_INT = r"\d{1,3}(,\d{3})*"
_NUM = r"-?\d[\d,]*(\.\d+)?"
_NAME = r"[A-Za-z(][\w.\-/:() ]*"  # a model, run, span, check or service name: never a number, $ or %
_TIME = r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?"
KINDS: dict[str, str] = {
    "integer": _INT,
    "cost": r"\$\d[\d,]*(\.\d+)?|unknown",
    "duration": _NUM + r" (ms|s)",
    "rate": r"\d{1,3}(\.\d+)?%",
    "score": r"-?\d+(\.\d+)?",
    "name": _NAME,
    "names": _NAME + r"(, " + _NAME + r")*",
    "time": _TIME,
    "day": r"\d{4}-\d\d-\d\d",
    "status": r"ok|error|Ok|Error|Unset",  # a call's outcome, or a span's status code
    "yes/no": r"yes|NO",
    "verdict": r"good|bad|–|comment",
    "checks badge": r"\d+ (passed|failed)",
    "text": r"(?s).+",
    "links": r"(call )?trace",
}
HEADERS: dict[str, str] = {
    # runs
    "run": "name",
    "started (UTC)": "time",
    "last call": "time",
    "calls": "integer",
    "errors": "integer",
    "tokens": "integer",
    "cost": "cost",
    "models": "names",
    # calls
    "time (UTC)": "time",
    "model": "name",
    "in": "integer",
    "out": "integer",
    "latency": "duration",
    "status": "status",
    "checks": "checks badge",
    "feedback": "verdict",
    # call: checks and feedback
    "check": "name",
    "passed": "yes/no",
    "score": "score",
    "label": "name",
    "explanation": "text",
    "verdict": "verdict",
    "comment": "text",
    "reference answer": "text",
    # search results
    "found in": "name",
    "match": "text",
    # evals and feedback
    "results": "integer",
    "pass rate": "rate",
    "mean score": "score",
    "failed": "integer",
    "last result": "time",
    "open": "links",
    # trace
    "span": "name",
    "service": "name",
    "start": "duration",
    "duration": "duration",
    # leaderboard
    "error rate": "rate",
    "input tokens": "integer",
    "output tokens": "integer",
    "p50": "duration",
    "p95": "duration",
    "mean check score": "score",
    "good feedback": "rate",
    # cost
    "calls without a price": "integer",
    "day": "day",
}
_EMPTY = {"", "–", "nothing yet"}


def column_mismatches(browser: Any) -> list[str]:
    """Every cell on the current page whose text is not of its column header's kind."""
    problems = []
    for t in browser.find_elements(By.CSS_SELECTOR, "main table"):
        headers = [h.text.strip() for h in t.find_elements(By.CSS_SELECTOR, "thead th")]
        name = t.get_attribute("class")
        for h in headers:
            if h not in HEADERS:
                problems.append(f"table.{name}: header {h!r} has no declared kind")
        for tr in t.find_elements(By.CSS_SELECTOR, "tbody tr"):
            cells = [c.text.strip() for c in tr.find_elements(By.TAG_NAME, "td")]
            if len(cells) == 1 and cells[0] in _EMPTY:
                continue
            if len(cells) != len(headers):
                problems.append(f"table.{name}: {len(cells)} cells under {len(headers)} headers: {cells}")
                continue
            for h, cell in zip(headers, cells, strict=True):
                kind = HEADERS.get(h)
                if kind and cell not in _EMPTY and not re.fullmatch(KINDS[kind], cell):
                    problems.append(f"table.{name}: {h!r} ({kind}) shows {cell!r}")
    return problems


def test_the_helper_catches_values_under_the_wrong_header() -> None:
    """The leaderboard as it was: a score under "input tokens", a latency under "cost"."""
    assert re.fullmatch(KINDS[HEADERS["input tokens"]], "0.93") is None
    assert re.fullmatch(KINDS[HEADERS["cost"]], "1,977 ms") is None
    assert re.fullmatch(KINDS[HEADERS["p50"]], "12") is None
    assert re.fullmatch(KINDS[HEADERS["model"]], "$0.002492") is None
    assert re.fullmatch(KINDS[HEADERS["cost"]], "$0.002492")
    assert re.fullmatch(KINDS[HEADERS["p95"]], "1,977 ms")


@pytest.mark.parametrize(
    "page",
    [
        "/",
        "/calls",
        "/call?trace={trace_a}&span={ok_span}",
        "/call?trace={trace_a}&span={xss_span}",
        "/trace?trace={trace_a}",
        "/trace?trace={trace_b}",
        "/leaderboard?since=all",
        "/cost?since=2026-11-01",
        "/evals?since=all",
    ],
)
def test_every_column_holds_values_of_its_headers_kind(
    ui: tuple[UIProcess, dict[str, Any], Any], browser: Any, page: str
) -> None:
    proc, ids, _ = ui
    browser.get(proc.url + page.format(**ids))
    tables = browser.find_elements(By.CSS_SELECTOR, "main table tbody tr")
    assert tables, f"{page}: no table rows"
    assert column_mismatches(browser) == []
