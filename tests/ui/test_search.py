"""Full-text search (issue 17 item 2): `agentel search TEXT` and the calls page's search box.

Prompts, answers, instructions, span names and error messages are searched, any case, as a
substring (the user's % and _ are literal); --model, --run, --since, --limit narrow it; the UI
marks the match in an escaped snippet.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from test_table_columns import column_mismatches
from ui_seed import T0, UIProcess, llm, seeded_store, span, wait_for

from agentel.store import open_engine
from testsupport import invoke_cli


def _seed(directory: Path) -> None:
    """The UI seed plus a failed call whose status message names the error."""
    seeded_store(directory)
    failed = span(
        "d" * 32,
        "d000000000000001",
        "",
        "chat gpt-4o",
        T0 + timedelta(minutes=9),
        300,
        "run-gamma",
        {**llm("gpt-4o", "Plan the week", "", 30, 0, None), "error.type": "RateLimitError"},
        error=True,
    )
    failed["StatusMessage"] = "RateLimitError: quota exceeded for this key"
    engine = open_engine(str(directory))
    try:
        engine.insert("otel_traces", [failed])
    finally:
        engine.close()


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("search-cli")
    _seed(directory)
    return directory


def search(directory: Path, *args: str) -> list[dict[str, Any]]:
    r = invoke_cli(
        "search",
        *args,
        "--format",
        "json",
        "--no-load",
        env={"AGENTEL_DIR": str(directory), "AGENTEL_NO_SERVE": "1"},
    )
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


@pytest.mark.parametrize(
    ("text", "field", "n"),
    [
        ("what is 2+2", "prompt", 1),
        ("ANSWER 2", "answer", 1),
        ("be brief", "instructions", 8),
        ("chat claude", "span name", 1),
        ("quota exceeded", "error", 1),
    ],
)
def test_search_finds_text_in_each_field_in_any_case(store_dir: Path, text: str, field: str, n: int) -> None:
    hits = search(store_dir, text)
    assert len(hits) == n
    for h in hits:
        assert h["field"] == field
        assert h["snippet"][h["match_start"] : h["match_end"]].lower() == text.lower()


def test_search_filters_and_limits(store_dir: Path) -> None:
    assert {h["model"] for h in search(store_dir, "question", "--model", "gpt-4o")} == {"gpt-4o"}
    assert len(search(store_dir, "question")) == 4
    assert search(store_dir, "question", "--model", "gpt-4o-mini") == []
    assert {h["run_id"] for h in search(store_dir, "be brief", "--run", "run-alpha")} == {"run-alpha"}
    assert (
        len(search(store_dir, "be brief", "--since", "2026-11-20 12:04")) == 6
    )  # run-beta's 5 + the failed one
    newest = search(store_dir, "be brief", "--limit", "2")
    assert [h["span_id"] for h in newest] == ["d000000000000001", "b000000000000013"]  # newest first
    assert search(store_dir, "%") == [] and search(store_dir, "_") == []  # literal, not wildcards


def test_search_table_marks_the_match_and_refuses_empty_text(store_dir: Path) -> None:
    env = {"AGENTEL_DIR": str(store_dir), "AGENTEL_NO_SERVE": "1"}
    r = invoke_cli("search", "quota", "--no-load", env=env)
    assert r.exit_code == 0 and "«quota»" in r.output
    r = invoke_cli("search", "   ", "--no-load", env=env)
    assert r.exit_code == 2 and "expected some text to look for" in r.output


@pytest.fixture(scope="module")
def search_ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UIProcess]:
    directory = tmp_path_factory.mktemp("search-ui")
    _seed(directory)
    proc = UIProcess(directory)
    yield proc
    proc.stop()


def test_calls_page_search_marks_the_match_as_text(
    search_ui: UIProcess, browser: Any, screenshot: Any
) -> None:
    browser.get(search_ui.url + "/calls")
    box = browser.find_element(By.ID, "search")
    box.send_keys("<SCRIPT>")
    browser.find_element(By.ID, "apply-filters").click()
    wait_for(lambda: "q=" in browser.current_url)
    rows = browser.find_elements(By.CSS_SELECTOR, "table.calls tbody tr")
    assert len(rows) == 1 and "claude-3-5-haiku" in rows[0].text
    marks = browser.find_elements(By.CSS_SELECTOR, "table.calls tbody mark")
    assert [m.text for m in marks] == ["<script>"]  # the stored text's case, shown as text
    assert browser.find_elements(By.ID, "injected") == []
    assert browser.execute_script("return document.body.dataset.pwned") is None
    assert browser.find_element(By.ID, "search").get_attribute("value") == "<SCRIPT>"
    assert column_mismatches(browser) == []
    browser.get(search_ui.url + "/calls?q=quota&model=gpt-4o")
    assert "1 calls containing" in browser.find_element(By.ID, "search-summary").text
    assert browser.find_element(By.CSS_SELECTOR, "table.calls tbody mark").text == "quota"
    screenshot("search")
    browser.find_element(By.CSS_SELECTOR, "a.call-link").click()
    wait_for(lambda: "/call?" in browser.current_url)
    assert "span=d000000000000001" in browser.current_url


def test_the_window_is_searched_in_disjoint_parts_newest_first() -> None:
    from datetime import datetime, timezone

    from agentel.analytics.search import slices
    from agentel.analytics.window import Window

    now = datetime(2026, 12, 3, tzinfo=timezone.utc)
    parts = slices(Window(), now)
    assert [p.since for p in parts] == [
        now - timedelta(days=1),
        now - timedelta(days=7),
        now - timedelta(days=30),
        None,
    ]
    assert [p.until for p in parts] == [None] + [p.since for p in parts[:-1]]  # contiguous
    two_days = slices(Window(now - timedelta(days=2), None), now)
    assert [(p.since, p.until) for p in two_days] == [
        (now - timedelta(days=1), None),
        (now - timedelta(days=2), now - timedelta(days=1)),
    ]
