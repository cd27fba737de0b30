"""Headless Chromium for the browser tests: Debian's `chromium`, driven by Playwright.

Playwright's own browser download cannot be reached here, so the browser is the system one
(`WORLDFORGE_CHROMIUM`, default /usr/bin/chromium). Without it or without Playwright the
tests are skipped on a developer's machine; in CI (`CI` set) they fail instead, so a missing
install step can never pass for a green run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("WORLDFORGE_CHROMIUM", "/usr/bin/chromium")
# text and colours drawn the same way on every machine, for the screenshot comparisons
STEADY_DRAWING = ["--font-render-hinting=none", "--disable-lcd-text", "--force-color-profile=srgb"]


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[dev]')"
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """One Chromium per test module. Not per session: Playwright's sync API keeps an event
    loop running until it stops, and the Textual tests after these need none running."""
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"the browser tests need a real Chromium in CI: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=STEADY_DRAWING)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def books(tmp_path_factory) -> dict[str, Path]:
    from tests.browser.books import build_books

    return build_books(tmp_path_factory.mktemp("books"))


@pytest.fixture
def reader(browser):
    from tests.browser.reader import new_reader

    reader = new_reader(browser)
    yield reader
    reader.page.close()
