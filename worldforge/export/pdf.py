"""PDF for paper, rendered from the HTML book by WeasyPrint (its print CSS sets the pages).

The book carries everything it shows (pictures as `data:` URIs, the CSS inline), so
WeasyPrint is given a fetcher that fetches nothing else: no `file:`, no network, whatever a
picture or a later template might name. WeasyPrint 68 is the first with URLFetcher (and
the fix of CVE-2025-68616, redirects that skipped a custom fetcher).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from worldforge.core.errors import StoryError
from worldforge.export.book import Book
from worldforge.export.html import render_html
from worldforge.store.atomic import replacing

Progress = Callable[[int], None]


def write_pdf(book: Book, out: Path, progress: Progress | None = None) -> None:
    """Write the book as PDF to `out`. `progress(n)` counts chapters laid out as HTML;
    WeasyPrint then sets the pages in one step."""
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as exc:
        raise StoryError(
            f"PDF export needs WeasyPrint and the Pango library ({exc}); "
            "pip install 'worldforge[export]' and install Pango (apt install libpango-1.0-0)"
        ) from None
    html = render_html(book, progress)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    out.parent.mkdir(parents=True, exist_ok=True)
    book_only = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    with replacing(out) as temp:  # a failure never leaves half a PDF in place of a good one
        HTML(string=html, base_url=None, url_fetcher=book_only).write_pdf(str(temp))
