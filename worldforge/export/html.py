"""One self-contained HTML file: pictures embedded as data: URIs, print CSS for paper."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from worldforge.export.book import Book, Chapter
from worldforge.export.render import data_uri, environment, stylesheet
from worldforge.store.atomic import write_atomic

Progress = Callable[[int], None]


class _Chapters:
    """Chapters handed to the template one by one, reporting progress as they render."""

    def __init__(self, chapters: list[Chapter], progress: Progress | None):
        self.chapters, self.progress = chapters, progress

    def __iter__(self):
        for chapter in self.chapters:
            yield chapter
            if self.progress:
                self.progress(1)


def render_html(book: Book, progress: Progress | None = None) -> str:
    """The whole book as one HTML5 document. `progress(n)` is told of n chapters done."""
    uris: dict[str, str] = {}

    def src(rel: str) -> str:
        if rel not in uris:
            uris[rel] = data_uri(book.image_bytes(rel))
        return uris[rel]

    template = environment().get_template("book.html.j2")
    return template.render(
        book=book,
        chapters=_Chapters(book.chapters, progress),
        cover=book.cover_pictures(),
        css=stylesheet("book.css"),
        src=src,
        href=lambda scene_id: f"#s-{scene_id}",
    )


def write_html(book: Book, out: Path, progress: Progress | None = None) -> None:
    write_atomic(out, render_html(book, progress).encode("utf-8"))
