"""The trace page as a person reads it (issue 17 item 5), and chart labels that never overlap.

Span status comes from the stored StatusCode in either spelling (the exporter's Unset|Ok|Error,
or STATUS_CODE_* on old rows); an LLM span opens its call; an unknown trace id is a 404 that says
so; on a store with many long model names the bar charts' labels and the timeline's span names
do not overlap each other or the bars, and a cut label keeps the whole name in its tooltip.
"""

from __future__ import annotations

import html
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from ui_seed import T0, UIProcess, llm, seeded_store, span, wait_for

from agentel.store import open_engine

LONG_SPAN = "retrieve-and-rerank-documents-for-the-user-question-with-the-hybrid-index-" * 2
CROWD = [f"vendor-{i:02d}/a-rather-long-model-name-2026-11-20-preview" for i in range(30)]


@pytest.fixture(scope="module")
def crowded_ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[UIProcess, str]]:
    """The usual seed plus 30 models with long names and a deep trace of long span names."""
    directory = tmp_path_factory.mktemp("ui-crowded")
    seeded_store(directory)
    tc = "c" * 32
    spans = [span(tc, "c000000000000000", "", LONG_SPAN, T0, 5000, "run-crowd")]
    for i, model in enumerate(CROWD):
        spans.append(
            span(
                tc,
                f"c0000000000001{i:02d}",
                f"c0000000000001{i - 1:02d}" if i else "c000000000000000",  # ever deeper
                f"chat {model}",
                T0 + timedelta(milliseconds=100 * i),
                200 + 10 * i,
                "run-crowd",
                llm(model, f"q{i}", f"a{i}", 10 + i, 2, "0.001"),
            )
        )
    engine = open_engine(str(directory))
    try:
        engine.insert("otel_traces", spans)
    finally:
        engine.close()
    proc = UIProcess(directory)
    yield proc, tc
    proc.stop()


def _statuses(browser: Any) -> list[tuple[str, str]]:
    rows = browser.find_elements(By.CSS_SELECTOR, "table.spans tbody tr")
    return [
        (r.find_elements(By.TAG_NAME, "td")[0].text.strip(), r.find_elements(By.TAG_NAME, "td")[4].text)
        for r in rows
    ]


def test_span_status_comes_from_the_stored_status_code_in_either_spelling(
    ui: tuple[UIProcess, dict[str, Any], Path], browser: Any
) -> None:
    proc, ids, _ = ui
    browser.get(f"{proc.url}/trace?trace={ids['trace_a']}")
    # agent.run is stored as "Ok" (the exporter's spelling), its calls as STATUS_CODE_UNSET
    assert _statuses(browser) == [
        ("agent.run", "Ok"),
        ("chat gpt-4o-mini", "Unset"),
        ("chat claude-3-5-haiku", "Unset"),
    ]
    browser.get(f"{proc.url}/trace?trace={ids['trace_b']}")
    statuses = _statuses(browser)
    assert statuses[0] == ("chat gpt-4o", "Error")  # STATUS_CODE_ERROR on an old row
    assert {s for _, s in statuses[1:]} == {"Unset"}
    bars = browser.find_elements(By.CSS_SELECTOR, "svg.timeline rect.span-bar")
    assert ["error" in b.get_attribute("class") for b in bars] == [True] + [False] * 4


def test_llm_spans_link_to_their_call_page(ui: tuple[UIProcess, dict[str, Any], Path], browser: Any) -> None:
    proc, ids, _ = ui
    browser.get(f"{proc.url}/trace?trace={ids['trace_a']}")
    names = browser.find_elements(By.CSS_SELECTOR, "table.spans tbody td:first-child")
    links = [n.find_elements(By.CSS_SELECTOR, "a.call-link") for n in names]
    assert [bool(x) for x in links] == [False, True, True]  # agent.run is not a call
    links[1][0].click()
    wait_for(lambda: "/call?" in browser.current_url)
    assert f"span={ids['ok_span']}" in browser.current_url
    assert "gpt-4o-mini" in browser.find_element(By.CSS_SELECTOR, "dl.facts").text
    assert "What is 2+2?" in browser.find_element(By.ID, "prompt").text


def test_an_unknown_trace_id_is_a_404_that_says_so(
    ui: tuple[UIProcess, dict[str, Any], Path], browser: Any
) -> None:
    proc, _, _ = ui
    unknown = "f" * 32
    for query, expect in ((f"?trace={unknown}", f"no trace '{unknown}' in the store"), ("", "no trace id")):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"{proc.url}/trace{query}", timeout=30)
        assert err.value.code == 404
        assert expect in html.unescape(err.value.read().decode())
    browser.get(f"{proc.url}/trace?trace={unknown}")
    message = browser.find_element(By.CSS_SELECTOR, ".error-message").text
    assert message.startswith(f"no trace '{unknown}' in the store") and "0 spans" not in message


_BOXES = """
return Array.from(arguments[0].querySelectorAll(arguments[1])).map(e => {
  const r = e.getBoundingClientRect();
  const t = e.querySelector('title');
  return [r.left, r.top, r.right, r.bottom, e.textContent, t ? t.textContent : ''];
});
"""


def _overlaps(a: list[Any], b: list[Any]) -> bool:
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


def _label_boxes(browser: Any, svg: Any, selector: str) -> list[list[Any]]:
    return [
        [*b[:4], b[4][len(b[5]) :] if b[4].startswith(b[5]) else b[4], b[5]]
        for b in browser.execute_script(_BOXES, svg, selector)
    ]


def _check_cut_labels(labels: list[list[Any]]) -> None:
    for *_, shown, full in labels:
        assert shown == full or (shown.endswith("…") and full.startswith(shown[:-1])), (shown, full)


@pytest.mark.parametrize("page", ["/leaderboard?since=all", "/cost?since=all"])
def test_bar_chart_labels_never_overlap(
    crowded_ui: tuple[UIProcess, str], browser: Any, screenshot: Any, page: str
) -> None:
    proc, _ = crowded_ui
    browser.get(proc.url + page)
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    if page.startswith("/leaderboard"):
        browser.execute_script("arguments[0].scrollIntoView()", charts[0])
        screenshot("leaderboard-many-models")
    assert charts
    crowded = 0
    for svg in charts:
        labels = _label_boxes(browser, svg, "text.axis")
        bars = browser.execute_script(_BOXES, svg, "rect.bar")
        crowded += len(bars) >= len(CROWD)
        assert labels and len(labels) * 2 >= len(bars)  # at least every other bar is named
        _check_cut_labels(labels)
        for i, a in enumerate(labels):
            for b in labels[i + 1 :]:
                assert not _overlaps(a, b), f"{page}: {a[5]!r} overlaps {b[5]!r}"
            for bar in bars:
                assert not _overlaps(a, bar), f"{page}: label {a[5]!r} overlaps a bar"
        box = svg.rect
        assert all(box["x"] - 0.5 <= a[0] and a[2] <= box["x"] + box["width"] + 0.5 for a in labels)
        assert all(a[3] <= box["y"] + box["height"] + 0.5 for a in labels)  # not cut off below
    assert crowded, "the crowded store's 30 models are on a chart"


def test_timeline_span_names_stay_clear_of_the_bars(crowded_ui: tuple[UIProcess, str], browser: Any) -> None:
    proc, tc = crowded_ui
    browser.get(f"{proc.url}/trace?trace={tc}")
    svg = browser.find_element(By.CSS_SELECTOR, "svg.timeline")
    labels = _label_boxes(browser, svg, "text.span-label")
    bars = browser.execute_script(_BOXES, svg, "rect.span-bar")
    assert len(labels) == len(bars) == len(CROWD) + 1
    _check_cut_labels(labels)
    assert labels[0][5] == LONG_SPAN and labels[0][4].endswith("…")
    for a in labels:
        for b in bars:
            assert not _overlaps(a, b), f"span label {a[5]!r} overlaps a bar"
