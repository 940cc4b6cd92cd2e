"""Regenerate the UI screenshots in docs/images/ (ui-*.png) from the browser tests' seeded store.

The browser tests (tests/ui, headless Debian Chromium) take a screenshot at each page they check;
with UI_SCREENSHOT_DIR set they also copy it there. This script runs exactly those tests with it
set to docs/images, so every image in the docs is a page a test has just asserted on.

    .venv/bin/python scripts/ui_screenshots.py            # all pages
    .venv/bin/python scripts/ui_screenshots.py -k trace   # only some (pytest -k)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = (
    "tests/ui/test_browse_pages.py",
    "tests/ui/test_feedback_form.py",
    "tests/ui/test_escaping.py",
    "tests/ui/test_trace_page.py",
    "tests/ui/test_search.py",
    "tests/ui/test_evals_feedback_pages.py",
)


def main(argv: list[str]) -> int:
    out = ROOT / "docs" / "images"
    env = {**os.environ, "UI_SCREENSHOT_DIR": str(out)}
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *TESTS, *argv]
    rc = subprocess.call(cmd, cwd=ROOT, env=env)
    if rc == 0:
        for p in sorted(out.glob("ui-*.png")):
            print(f"{p.relative_to(ROOT)}  {p.stat().st_size:,} bytes")
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
