"""Headless Chromium (Debian's, never downloaded) watching a call appear live in `agentel serve`'s UI:
the page is not reloaded (a marker set on the window survives), the header says "live"."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serve_proc import AGENTEL_APP, ServeProcess, run_app, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.integration]  # agentel serve and Chromium

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.fail("Debian chromium and chromium-driver are required: run scripts/system-deps.sh")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="agentel-serve-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        f"--user-data-dir={profile}",
    ):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_a_call_appears_live_in_the_browser(chromium: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    srv = ServeProcess(tmp_path / "d")
    try:
        chromium.get(srv.ui + "/calls")
        badge = chromium.find_element(By.ID, "live")
        assert badge.is_displayed() and badge.text.strip() == "live"
        assert "live-model-browser" not in chromium.page_source
        chromium.execute_script("window.__notReloaded = 42;")
        wait_for(lambda: "on" in (badge.get_attribute("class") or ""), what="the live badge to turn on")

        run_app(AGENTEL_APP, srv.directory, "live-model-browser", "1")
        wait_for(
            lambda: "live-model-browser" in chromium.find_element(By.TAG_NAME, "main").text,
            timeout=30,
            what="the new call on the open calls page",
        )
        assert chromium.execute_script("return window.__notReloaded;") == 42  # updated in place
        assert chromium.find_element(By.ID, "live").get_attribute("data-updated")

        # the server goes away: the badge says so instead of pretending
        srv.stop()
        wait_for(
            lambda: "offline" in chromium.find_element(By.ID, "live").text,
            timeout=15,
            what="the badge to say offline",
        )
    finally:
        srv.stop()
