"""Every picture a book shows is opened through one check; the PDF renderer fetches nothing."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from tests.export_story import build, png
from tests.security.hostile import SECRET, listening, png_claiming, svg_fetching
from worldforge.core.errors import StoryError
from worldforge.export import export_story
from worldforge.export.book import build_book
from worldforge.store import StoryFolder
from worldforge.store.picture import check_picture


@pytest.fixture
def folder(tmp_path) -> StoryFolder:
    return build(tmp_path / "story")


def _first_picture(folder: StoryFolder) -> str:
    return next(s.image for s in folder.story.scenes.values() if s.image)


def test_an_svg_named_png_is_left_out_of_the_pdf_and_fetches_nothing(folder, tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(png((250, 0, 250)))
    with listening() as (url, seen):
        hostile = svg_fetching(url) + svg_fetching(secret.as_uri())
        (folder.root / _first_picture(folder)).write_bytes(hostile)
        done = export_story(folder, "pdf", tmp_path / "book.pdf")
    assert seen == []
    assert any("is left out" in w and "SVG" in w for w in done.warnings)
    images = [image.data for page in PdfReader(done.path).pages for image in page.images]
    assert images and all(data != secret.read_bytes() for data in images)


def test_the_pdf_renderer_fetches_only_data_uris(folder, tmp_path, monkeypatch):
    """Whatever HTML reaches WeasyPrint, its fetcher allows nothing but the book's data."""
    secret = tmp_path / "secret.png"
    secret.write_bytes(png((250, 0, 250)))
    with listening() as (url, seen):
        html = f'<p>{SECRET}</p><img src="{url}"><img src="{secret.as_uri()}">'
        monkeypatch.setattr("worldforge.export.pdf.render_html", lambda book, progress=None: html)
        export_story(folder, "pdf", tmp_path / "book.pdf")
    assert seen == []
    reader = PdfReader(tmp_path / "book.pdf")
    assert SECRET in reader.pages[0].extract_text()
    assert not [image for page in reader.pages for image in page.images]


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "not a PNG, JPEG or WebP"),
        (svg_fetching("http://127.0.0.1:9/x"), "not a PNG, JPEG or WebP"),
        (png_claiming(50_000, 50_000), "claims more pixels than the limit"),
        (png_claiming(7_000, 7_000), "claims 7000 x 7000 pixels"),
        (png((1, 2, 3))[:40], "not a PNG, JPEG or WebP"),
    ],
    ids=["gif", "svg", "bomb", "too-large", "truncated"],
)
def test_the_picture_check_refuses(content, problem):
    with pytest.raises(StoryError, match=problem):
        check_picture(content)


@pytest.mark.parametrize("fmt", ["html", "epub", "md"])
def test_every_book_format_leaves_out_a_picture_that_is_not_one(folder, tmp_path, fmt):
    rel = _first_picture(folder)
    (folder.root / rel).write_bytes(png_claiming(50_000, 50_000))
    done = export_story(folder, fmt, tmp_path / "out" / f"book.{fmt}")
    assert any(f"picture {rel} is left out" in w for w in done.warnings)
    assert not (tmp_path / "out" / rel).exists()
    assert build_book(folder).warnings == done.warnings
