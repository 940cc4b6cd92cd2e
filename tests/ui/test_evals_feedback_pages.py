"""Evaluations and feedback pages (issue 17 item 4), in headless Chromium.

/evals: check results by check and by model (pass rate, mean score, failures), the pass rate per
day, filters, failing calls one click away. /feedback: feedback with comments and reference
answers, filterable, linked to the call and the trace. Both keep every column to its header's kind.
"""

from __future__ import annotations

from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from test_table_columns import column_mismatches
from ui_seed import UIProcess, wait_for


def _rows(browser: Any, cls: str) -> list[list[str]]:
    return [
        [c.text for c in r.find_elements(By.TAG_NAME, "td")]
        for r in browser.find_elements(By.CSS_SELECTOR, f"table.{cls} tbody tr")
    ]


def test_evals_page_by_check_and_model_links_to_failing_calls(
    ui: tuple[UIProcess, dict[str, Any], Any], browser: Any, screenshot: Any
) -> None:
    proc, _, _ = ui
    browser.get(proc.url + "/evals")
    assert Select(browser.find_element(By.NAME, "since")).first_selected_option.text == "last 7 days"
    browser.get(proc.url + "/evals?since=all")  # the seeded checks are at a fixed date
    rows = _rows(browser, "evals")
    assert [r[:6] for r in rows] == [
        ["no_refusal", "claude-3-5-haiku", "1", "0.0%", "0.00", "1"],
        ["non_empty", "gpt-4o-mini", "1", "100.0%", "1.00", "0"],
    ]
    assert rows[0][6].startswith("2026-11-20 12:00:05")
    assert column_mismatches(browser) == []
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.chart rect.bar")) == 1  # one day
    screenshot("evals")
    browser.find_element(By.CSS_SELECTOR, "a.failing-link").click()
    wait_for(lambda: "/calls?" in browser.current_url)
    calls = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "table.calls tbody tr")]
    assert len(calls) == 1 and "claude-3-5-haiku" in calls[0] and "1 failed" in calls[0]
    browser.get(proc.url + "/evals?since=all&check=non_empty")
    assert [r[0] for r in _rows(browser, "evals")] == ["non_empty"]
    assert "non_empty" in browser.find_element(By.CSS_SELECTOR, "svg.chart .chart-title").text
    browser.get(proc.url + "/evals?since=all&model=claude-3-5-haiku")
    assert [r[1] for r in _rows(browser, "evals")] == ["claude-3-5-haiku"]


def test_feedback_page_lists_comments_and_reference_answers(
    ui: tuple[UIProcess, dict[str, Any], Any], browser: Any, screenshot: Any
) -> None:
    proc, ids, _ = ui
    browser.get(proc.url + "/feedback?since=all")
    assert _rows(browser, "feedback-list") == [["nothing yet"]]
    # give feedback on two calls through the call page's form
    for span, verdict, comment, reference in (
        (ids["ok_span"], "good", "right and short", "4"),
        (ids["xss_span"], "bad", "refused for no reason", "a plain answer"),
    ):
        browser.get(f"{proc.url}/call?trace={ids['trace_a']}&span={span}")
        browser.find_element(By.ID, f"verdict-{verdict}").click()
        browser.find_element(By.ID, "fb-comment").send_keys(comment)
        browser.find_element(By.ID, "fb-reference").send_keys(reference)
        browser.find_element(By.ID, "fb-submit").click()
        wait_for(lambda: "notice=" in browser.current_url)
    browser.get(proc.url + "/feedback")  # recorded now: inside the default 7 days
    rows = _rows(browser, "feedback-list")
    assert [r[1:5] for r in rows] == [
        ["bad", "claude-3-5-haiku", "refused for no reason", "a plain answer"],
        ["good", "gpt-4o-mini", "right and short", "4"],
    ]
    assert column_mismatches(browser) == []
    screenshot("feedback-list")
    Select(browser.find_element(By.NAME, "verdict")).select_by_value("good")
    browser.find_element(By.ID, "apply-filters").click()
    wait_for(lambda: "verdict=good" in browser.current_url)
    assert [r[1] for r in _rows(browser, "feedback-list")] == ["good"]
    browser.get(proc.url + "/feedback?model=claude-3-5-haiku")
    assert [r[2] for r in _rows(browser, "feedback-list")] == ["claude-3-5-haiku"]
    browser.find_element(By.CSS_SELECTOR, "table.feedback-list a.call-link").click()
    wait_for(lambda: "/call?" in browser.current_url)
    assert f"span={ids['xss_span']}" in browser.current_url
    browser.back()
    browser.find_element(By.CSS_SELECTOR, "table.feedback-list a.trace-link").click()
    wait_for(lambda: "/trace?" in browser.current_url)
    assert f"trace={ids['trace_a']}" in browser.current_url
