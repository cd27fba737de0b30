"""PDF for paper, rendered from the HTML book by WeasyPrint (its print CSS sets the pages)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from worldforge.core.errors import StoryError
from worldforge.export.book import Book
from worldforge.export.html import render_html

Progress = Callable[[int], None]


def write_pdf(book: Book, out: Path, progress: Progress | None = None) -> None:
    """Write the book as PDF to `out`. `progress(n)` counts chapters laid out as HTML;
    WeasyPrint then sets the pages in one step."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        raise StoryError(
            f"PDF export needs WeasyPrint and the Pango library ({exc}); "
            "pip install 'worldforge[export]' and install Pango (apt install libpango-1.0-0)"
        ) from None
    html = render_html(book, progress)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    out.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=html, base_url=None).write_pdf(str(out))
