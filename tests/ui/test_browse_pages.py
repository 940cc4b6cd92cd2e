"""In headless Chromium: runs list → a run's calls → filters → a call → its trace; leaderboard, cost."""

from __future__ import annotations

from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from ui_seed import UIProcess, wait_for


def _rows(browser: Any) -> list[str]:
    return [r.text for r in browser.find_elements(By.CSS_SELECTOR, "table.calls tbody tr")]


def test_runs_list_links_to_the_runs_calls(
    ui: tuple[UIProcess, dict[str, Any], Any], browser: Any, screenshot: Any
) -> None:
    proc, _, _ = ui
    browser.get(proc.url + "/")
    runs = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "a.run-link")]
    assert runs == ["run-beta", "run-alpha"]  # newest activity first
    screenshot("runs")
    browser.find_element(By.LINK_TEXT, "run-alpha").click()
    wait_for(lambda: "/calls" in browser.current_url)
    rows = _rows(browser)
    assert len(rows) == 2 and all("run-alpha" in r for r in rows)


def test_filters_narrow_the_calls_list(
    ui: tuple[UIProcess, dict[str, Any], Any], browser: Any, screenshot: Any
) -> None:
    proc, _, _ = ui
    browser.get(proc.url + "/calls")
    assert len(_rows(browser)) == 7
    Select(browser.find_element(By.NAME, "model")).select_by_value("gpt-4o")
    browser.find_element(By.ID, "apply-filters").click()
    wait_for(lambda: "model=gpt-4o" in browser.current_url)
    assert "run=" not in browser.current_url  # empty fields are dropped from the URL
    rows = _rows(browser)
    assert len(rows) == 5 and all("gpt-4o" in r for r in rows)
    Select(browser.find_element(By.NAME, "status")).select_by_value("error")
    browser.find_element(By.ID, "apply-filters").click()
    wait_for(lambda: "status=error" in browser.current_url)
    rows = _rows(browser)
    assert len(rows) == 1 and "error" in rows[0]
    screenshot("calls-filtered")
    browser.get(proc.url + "/calls?failing=1")
    rows = _rows(browser)
    assert len(rows) == 1 and "claude-3-5-haiku" in rows[0] and "1 failed" in rows[0]
    browser.get(proc.url + "/calls?since=2026-11-20+12:04")
    assert len(_rows(browser)) == 5
    browser.get(proc.url + "/calls?since=yesterday-ish")
    message = browser.find_element(By.CSS_SELECTOR, ".error-message").text
    assert message.startswith("since: expected a duration ago") and "got 'yesterday-ish'" in message


def test_call_detail_and_trace_view(
    ui: tuple[UIProcess, dict[str, Any], Any], browser: Any, screenshot: Any
) -> None:
    proc, ids, _ = ui
    browser.get(proc.url + "/calls?model=gpt-4o-mini")
    browser.find_element(By.CSS_SELECTOR, "a.call-link").click()
    wait_for(lambda: "/call?" in browser.current_url)
    assert "What is 2+2?" in browser.find_element(By.ID, "prompt").text
    assert "Be brief." in browser.find_element(By.ID, "instructions").text
    assert browser.find_element(By.ID, "answer").text == "ASSISTANT\n4"
    facts = browser.find_element(By.CSS_SELECTOR, "dl.facts").text
    assert "gpt-4o-mini" in facts and "12" in facts and "$0.00002" in facts and "900 ms" in facts
    assert "non_empty" in browser.find_element(By.CSS_SELECTOR, "table.checks").text
    screenshot("call")
    browser.find_element(By.CSS_SELECTOR, "a.trace-link").click()
    wait_for(lambda: "/trace?" in browser.current_url)
    spans = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "table.spans tbody tr")]
    assert [s.split()[0] for s in spans] == ["agent.run", "chat", "chat"]
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.timeline rect.span-bar")) == 3
    screenshot("trace")


def test_error_call_shows_that_the_answer_was_not_captured(
    ui: tuple[UIProcess, dict[str, Any], Any], browser: Any
) -> None:
    proc, ids, _ = ui
    browser.get(f"{proc.url}/call?trace={ids['trace_b']}&span=b000000000000001")
    assert browser.find_element(By.ID, "answer").text == "not captured"
    assert "unknown" in browser.find_element(By.CSS_SELECTOR, "dl.facts").text  # no price is not $0


def test_leaderboard_and_cost_pages_draw_charts(
    ui: tuple[UIProcess, dict[str, Any], Any], browser: Any, screenshot: Any
) -> None:
    proc, _, _ = ui
    browser.get(proc.url + "/leaderboard")
    assert Select(browser.find_element(By.ID, "window")).first_selected_option.text == "last 7 days"
    browser.get(proc.url + "/leaderboard?since=all")  # the seeded calls are at a fixed date
    rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "table.leaderboard tbody tr")]
    assert rows[0].startswith("gpt-4o 5")
    assert next(r for r in rows if r.startswith("gpt-4o-mini")).endswith(" 1.00 –")  # its check passed
    assert next(r for r in rows if r.startswith("claude")).endswith(" 0.00 –")  # its check failed
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.chart rect.bar")) == 6
    screenshot("leaderboard")
    browser.get(proc.url + "/cost?since=2026-11-01")
    assert Select(browser.find_element(By.ID, "window")).first_selected_option.text == "since 2026-11-01"
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.chart")) == 2
    cost = browser.find_element(By.CSS_SELECTOR, "table.cost").text
    assert "gpt-4o" in cost and "1" in cost
    screenshot("cost")
