"""UI fixtures: a seeded embedded store, `agentel ui` as a real process, headless Debian Chromium.

Chromium and chromedriver come from Debian (scripts/system-deps.sh), never downloaded. Screenshots
go to a temp dir, and also to UI_SCREENSHOT_DIR when set (`UI_SCREENSHOT_DIR=docs/images pytest tests/ui`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ui_seed import CHROMEDRIVER, CHROMIUM, UIProcess, seeded_store


@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[UIProcess, dict[str, Any], Path]]:
    directory = tmp_path_factory.mktemp("ui-store")
    ids = seeded_store(directory)
    proc = UIProcess(directory)
    yield proc, ids, directory
    proc.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.fail("Debian chromium and chromium-driver are required: run scripts/system-deps.sh")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="agentel-ui-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
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


@pytest.fixture
def screenshot(browser: Any, tmp_path: Path) -> Any:
    """Save the current page as ui-<name>.png (tmp, and UI_SCREENSHOT_DIR when set); returns the path."""

    def take(name: str) -> Path:
        path = tmp_path / f"ui-{name}.png"
        browser.save_screenshot(str(path))
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        out = os.environ.get("UI_SCREENSHOT_DIR")
        if out:
            os.makedirs(out, exist_ok=True)
            shutil.copy(path, os.path.join(out, path.name))
        return path

    return take
