"""The cover, a section and the colophon, at desktop and phone width, against stored PNGs."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops, ImageFilter

from tests.browser.reader import DESKTOP, PHONE, new_reader
from tests.browser.screenshots import STORED, TOLERANCE, changed_share, check_screenshot

VIEWS = {  # name: (book, fragment)
    "cover": ("path", ""),
    "section": ("gamebook", "#s-harbour"),
    "colophon": ("path", "#colophon"),
}
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}
FONT = "DejaVu Serif"  # what the book's serif resolves to on Debian (fonts-dejavu-core)


def rendered_fonts(page, selector: str) -> set[str]:
    """The fonts Chromium really drew the element's text with (not what the CSS asked for)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return {font["familyName"] for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("view", VIEWS)
def test_looks_as_stored(browser, books, tmp_path, view, width):
    book, fragment = VIEWS[view]
    tab = new_reader(browser, WIDTHS[width]).open(books[book], fragment)
    try:
        fonts = rendered_fonts(tab.page, "#colophon-title")
        assert fonts == {FONT}, f"the screenshots were made with {FONT}, this machine drew {fonts}"
        check_screenshot(tab.page.screenshot(), f"{view}-{width}", tmp_path)
    finally:
        tab.page.close()


def test_the_tolerance_forgives_drawing_noise_but_not_a_moved_picture():
    stored = Image.open(STORED / "cover-desktop.png").convert("RGB")
    softer = stored.filter(ImageFilter.GaussianBlur(0.7))  # another machine's anti-aliasing
    assert changed_share(stored, softer) <= TOLERANCE
    moved = ImageChops.offset(stored, 24, 0)  # the cover grid 24 px to one side
    assert changed_share(stored, moved) > TOLERANCE
    reencoded = io.BytesIO()
    stored.save(reencoded, format="PNG")
    assert changed_share(stored, Image.open(reencoded)) == 0
