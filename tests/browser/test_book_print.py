"""The book printed by Chromium (`page.pdf()`, print media): as the print CSS intends, the
contents, every section, the world and the colophon each start a new page."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader


def page_texts(reader) -> list[str]:
    """Each page's text without whitespace (PDF text extraction spaces words its own way) and
    without the page number printed at its foot (every page but the first has one)."""
    pdf = reader.page.pdf(prefer_css_page_size=True)
    pages = PdfReader(io.BytesIO(pdf)).pages
    return [
        _bare(page.extract_text() or "").removeprefix(str(n) if n > 1 else "")
        for n, page in enumerate(pages, 1)
    ]


def _bare(text: str) -> str:
    return re.sub(r"\s+", "", text)


def headings(reader) -> list[str]:
    """Every heading that must open a page, as printed (gamebook numbers included)."""
    return reader.page.eval_on_selector_all(
        ".toc h2, main section.chapter h2, .glossary h2, .colophon h2", "els => els.map(e => e.textContent)"
    )


@pytest.mark.parametrize("name", ["path", "gamebook", "hostile-gamebook"])
def test_each_section_starts_a_page(reader, books, name):
    reader.open(books[name], "#s-harbour")  # the reader's place on screen does not change the print
    pages = page_texts(reader)
    wanted = headings(reader)
    assert len(wanted) >= 6
    starts = []
    for heading in wanted:
        opening = [n for n, text in enumerate(pages) if text.startswith(_bare(heading))]
        assert opening, f"no page starts with {heading!r}; the pages begin: {[t[:40] for t in pages]}"
        starts.append(opening[0])
    assert starts == sorted(set(starts)), "two headings on one page, or out of order"
    assert pages[0].startswith(_bare(reader.page.locator("#cover h1").inner_text()))
    assert reader.trouble() == []
