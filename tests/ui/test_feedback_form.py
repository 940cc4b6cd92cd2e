"""Feedback given in the browser shows at once on the call and in the list, and `agentel query` reads it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from selenium.webdriver.common.by import By
from ui_seed import UIProcess, seeded_store, wait_for


def test_feedback_is_recorded_shown_and_queryable(browser: Any, tmp_path: Path, screenshot: Any) -> None:
    directory = tmp_path / "store"
    ids = seeded_store(directory)
    proc = UIProcess(directory)
    try:
        browser.get(f"{proc.url}/calls?feedback=none")
        assert len(browser.find_elements(By.CSS_SELECTOR, "a.call-link")) == 7
        browser.get(f"{proc.url}/call?trace={ids['trace_a']}&span={ids['ok_span']}")
        browser.find_element(By.ID, "verdict-bad").click()
        browser.find_element(By.ID, "fb-comment").send_keys("too terse; mail bob@example.com")
        browser.find_element(By.ID, "fb-reference").send_keys("2+2 is 4.")
        browser.find_element(By.ID, "fb-submit").click()
        notice = wait_for(lambda: browser.find_elements(By.ID, "notice"))
        assert notice[0].text == "feedback recorded"
        table = browser.find_element(By.CSS_SELECTOR, "table.feedback").text
        assert "bad" in table and "too terse" in table and "2+2 is 4." in table
        assert "bob@example.com" not in table  # feedback text passes the redaction policy too
        browser.execute_script(
            "arguments[0].scrollIntoView()", browser.find_element(By.CSS_SELECTOR, "table.feedback")
        )
        screenshot("feedback")
        browser.get(f"{proc.url}/calls?feedback=bad")
        rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "table.calls tbody tr")]
        assert len(rows) == 1 and "gpt-4o-mini" in rows[0] and rows[0].endswith("bad")
        # an empty form records nothing and says why
        browser.get(f"{proc.url}/call?trace={ids['trace_a']}&span={ids['xss_span']}")
        browser.find_element(By.ID, "fb-submit").click()
        assert "nothing recorded" in wait_for(lambda: browser.find_elements(By.ID, "notice"))[0].text
    finally:
        proc.stop()
    env = {k: v for k, v in os.environ.items() if k != "CLICKHOUSE_URL"}
    env["AGENTEL_DIR"] = str(directory)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "agentel.cli",
            "query",
            "--format",
            "JSONEachRow",
            "SELECT trace_id, span_id, good, comment, reference_answer FROM feedback",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert len(rows) == 1
    assert rows[0]["trace_id"] == ids["trace_a"] and rows[0]["span_id"] == ids["ok_span"]
    assert rows[0]["good"] == 0 and rows[0]["reference_answer"] == "2+2 is 4."
    assert rows[0]["comment"].startswith("too terse") and "bob@example.com" not in rows[0]["comment"]
