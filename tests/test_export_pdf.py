"""PDF from the HTML book: titles are real text, every picture is in it."""

from __future__ import annotations

import hashlib

import pytest
from pypdf import PdfReader

from tests.export_story import HOSTILE, build
from worldforge.export.book import build_book
from worldforge.export.pdf import write_pdf


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return build(tmp_path_factory.mktemp("pdf") / "story")


def distinct_images(reader: PdfReader) -> set[str]:
    return {hashlib.sha256(image.data).hexdigest() for page in reader.pages for image in page.images}


@pytest.mark.parametrize("gamebook", [False, True])
def test_pdf_has_titles_as_text_and_one_image_per_illustrated_scene(folder, tmp_path, gamebook):
    book = build_book(folder, gamebook=gamebook)
    out = tmp_path / "book.pdf"
    write_pdf(book, out)
    reader = PdfReader(out)
    text = "\n".join(page.extract_text() for page in reader.pages)
    for ch in book.chapters:
        assert ch.title in text
    assert f"Docks {HOSTILE}" in text
    assert "no picture yet" in text
    assert "Colophon" in text
    illustrated = sum(1 for ch in book.chapters if ch.picture.image)
    assert illustrated == (4 if gamebook else 3)
    assert len(distinct_images(reader)) == illustrated
    # a page per chapter at least: cover, contents or not, chapters, world, colophon
    assert len(reader.pages) >= len(book.chapters) + 2
