"""The HTML book in headless Chromium, checked as a reader sees it."""

from __future__ import annotations

import pytest

from tests.browser.books import LONG_WORD, PAYLOADS
from tests.browser.reader import PHONE, new_reader

BOOKS = ["path", "gamebook", "missing", "hostile", "hostile-gamebook", "one-picture"]

# what the payloads would have become had any of them been parsed as markup
# markup story text could smuggle in; the colophon's own ledger chart is an SVG of bars and labels
MARKUP = (
    "script, iframe, svg:not(.ledger-chart), .ledger-chart :not(rect, text, title), details, "
    "[onerror], [onload], [ontoggle], a[href^='javascript'], meta[http-equiv=refresh]"
)


@pytest.mark.parametrize("name", BOOKS)
def test_the_book_opens_cleanly_every_picture_decodes_cover_and_colophon_present(reader, books, name):
    reader.open(books[name])
    page = reader.page
    pictures = page.eval_on_selector_all(
        "img", "imgs => imgs.map(i => ({alt: i.alt, ok: i.complete && i.naturalWidth > 0}))"
    )
    assert pictures and all(p["ok"] for p in pictures), pictures
    assert page.locator("header#cover h1").is_visible()
    colophon = page.locator("footer#colophon")
    assert colophon.is_visible() and "Colophon" in colophon.inner_text()
    assert reader.trouble() == []


def test_missing_pictures_are_placeholders_not_broken_images(reader, books):
    reader.open(books["missing"], "#s-hills")
    section = reader.page.locator("#s-hills")
    assert section.locator("img").count() == 0
    assert section.locator(".placeholder").inner_text() == "no picture yet"
    assert reader.page.locator("#s-harbour img").count() == 1  # the pictures still there are shown


@pytest.mark.parametrize("name", ["hostile", "hostile-gamebook"])
def test_hostile_text_is_shown_as_text_and_nothing_runs(reader, books, name):
    reader.open(books[name])
    page = reader.page
    for link in page.locator("a").all():  # a live javascript: link would run when followed
        if link.is_visible():
            link.click()
    for anchor in page.eval_on_selector_all("main section.chapter", "els => els.map(e => e.id)"):
        reader.open(books[name], f"#{anchor}")
    assert page.eval_on_selector_all(MARKUP, "els => els.map(e => e.outerHTML)") == []
    text = page.evaluate("document.body.innerText")
    for payload in PAYLOADS:
        assert payload in text
    assert page.title().endswith(PAYLOADS[4])
    assert reader.trouble() == []


def test_the_page_forbids_script_even_if_markup_slipped_through(reader, books):
    """Defence in depth: the book's content security policy stops an injected handler."""
    reader.open(books["path"])
    reader.page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', `<img src=\"data:,\" onerror=\"pwned('late')\">"
        "<script>pwned('late script')</script>`)"
    )
    reader.page.wait_for_timeout(200)
    assert reader.pwned() == []
    assert any("Content Security Policy" in e for e in reader.errors)


@pytest.mark.parametrize("name", BOOKS)
def test_usable_at_phone_width_without_horizontal_scrolling(browser, books, name):
    phone = new_reader(browser, PHONE)
    try:
        for fragment in ("", "#colophon", "#s-harbour"):
            phone.open(books[name], fragment)
            width = phone.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert width[0] <= width[1], f"{name}{fragment}: {width[0]} px wide at {width[1]} px"
        if name.startswith("hostile"):
            assert LONG_WORD in phone.page.evaluate("document.body.innerText")
        assert phone.trouble() == []
    finally:
        phone.page.close()


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE])
def test_a_lone_cover_picture_sits_centred_under_the_title(browser, books, viewport):
    tab = new_reader(browser, viewport).open(books["one-picture"])
    try:
        title = tab.page.locator("#cover h1").bounding_box()
        picture = tab.page.locator("#cover img").bounding_box()
        centre = title["x"] + title["width"] / 2
        assert abs(picture["x"] + picture["width"] / 2 - centre) < 2
        cover = tab.page.locator("#cover").bounding_box()
        assert picture["width"] > cover["width"] / 2  # shown large, not as one third of a row
    finally:
        tab.page.close()


def test_a_partial_last_row_of_cover_pictures_is_centred_too(reader, books):
    reader.open(books["gamebook"])
    boxes = [img.bounding_box() for img in reader.page.locator("#cover img").all()]
    title = reader.page.locator("#cover h1").bounding_box()
    last = boxes[-1]  # four pictures: three in the first row, the fourth alone below
    assert last["y"] > boxes[0]["y"]
    assert abs(last["x"] + last["width"] / 2 - (title["x"] + title["width"] / 2)) < 2
