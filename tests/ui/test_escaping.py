"""Prompts can hold HTML/JS: the browser shows them as text, nothing runs, nothing is injected."""

from __future__ import annotations

from typing import Any

from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from ui_seed import XSS, UIProcess

from agentel.ui.markup import Markup, escape, render


def test_xss_payload_in_a_prompt_renders_as_text(
    ui: tuple[UIProcess, dict[str, Any], Any], browser: Any, screenshot: Any
) -> None:
    proc, ids, _ = ui
    browser.get(f"{proc.url}/call?trace={ids['trace_a']}&span={ids['xss_span']}")
    prompt = browser.find_element(By.ID, "prompt").text
    assert prompt == "USER\n" + XSS  # the whole payload, as text
    assert browser.find_elements(By.ID, "injected") == []
    assert browser.find_elements(By.CSS_SELECTOR, "main img") == []
    assert browser.execute_script("return document.body.dataset.pwned === undefined")
    try:
        browser.switch_to.alert.dismiss()
        raise AssertionError("the payload opened an alert")
    except NoAlertPresentException:
        pass
    browser.execute_script("arguments[0].scrollIntoView()", browser.find_element(By.ID, "prompt"))
    screenshot("xss-as-text")


def test_template_escapes_everything_but_markup() -> None:
    assert render('<p title="$t">$t</p>', t=XSS).count("<") == 2
    assert escape("\"'<>&") == "&quot;&#x27;&lt;&gt;&amp;"
    assert render("$x", x=Markup("<b>ok</b>")) == "<b>ok</b>"
    assert render("$x", x=None) == ""
