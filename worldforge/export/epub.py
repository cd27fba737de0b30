"""EPUB 3 with ebooklib: one XHTML file per chapter, a navigation document, a cover.

The identifier is the story's ifid as `urn:uuid:`; gamebook choices link to the target
chapter's file, so they work in every reading system.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from worldforge.core.errors import StoryError
from worldforge.export.book import Book
from worldforge.export.cover import title_card
from worldforge.export.render import environment, media_type, stylesheet, xml_safe
from worldforge.store.atomic import replacing

Progress = Callable[[int], None]
EPUB_IMAGE_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp"}


def chapter_file(scene_id: str) -> str:
    return f"s-{scene_id}.xhtml"


def _as_epub_image(data: bytes) -> tuple[bytes, str]:
    """Bytes and media type of a picture: every picture of a book passed the picture check,
    so it is PNG, JPEG or WebP, which EPUB readers must support."""
    return data, media_type(data)


def write_epub(book: Book, out: Path, progress: Progress | None = None) -> None:
    """Write the book as EPUB 3 to `out`. `progress(n)` is told of n chapters done."""
    try:
        from ebooklib import epub
    except ImportError:
        raise StoryError("EPUB export needs ebooklib: pip install 'worldforge[export]'") from None

    env = environment()
    ebook = epub.EpubBook()
    ebook.set_identifier(f"urn:uuid:{book.ifid.lower()}")
    ebook.set_title(xml_safe(book.title))
    ebook.set_language(xml_safe(book.language))
    if book.author:
        ebook.add_author(xml_safe(book.author))
    ebook.add_metadata("DC", "publisher", "worldforge")
    css = epub.EpubItem(
        uid="style", file_name="style/book.css", media_type="text/css", content=stylesheet("epub.css")
    )
    ebook.add_item(css)

    files: dict[str, str] = {}  # story-relative image -> file name inside the book

    def src(rel: str) -> str:
        if rel not in files:
            data, kind = _as_epub_image(book.image_bytes(rel))
            name = f"images/{hashlib.sha256(data).hexdigest()[:32]}{EPUB_IMAGE_TYPES[kind]}"
            files[rel] = name
            item = epub.EpubImage(uid=f"img-{len(files)}", file_name=name, media_type=kind, content=data)
            ebook.add_item(item)
        return files[rel]

    def href(scene_id: str) -> str:
        return chapter_file(scene_id)

    cover = book.cover_pictures()
    if cover:
        cover_data, cover_kind = _as_epub_image(book.image_bytes(cover[0].image or ""))
    else:
        cover_data, cover_kind = title_card(book.title, book.author), "image/png"
    ebook.set_cover(f"images/cover{EPUB_IMAGE_TYPES[cover_kind]}", cover_data, create_page=False)

    def page(name: str, title: str, file_name: str) -> epub.EpubHtml:
        item = epub.EpubHtml(title=xml_safe(title), file_name=file_name, lang=book.language, uid=name)
        item.content = env.get_template("page.xhtml.j2").render(
            book=book, page=name, title=title, cover=cover, src=src, href=href
        )
        item.add_item(css)
        ebook.add_item(item)
        return item

    title_page = page("title", book.title, "title.xhtml")
    chapters = []
    template = env.get_template("chapter.xhtml.j2")
    for ch in book.chapters:
        title = f"{ch.number}. {ch.title}" if book.gamebook else ch.title
        item = epub.EpubHtml(title=xml_safe(title), file_name=chapter_file(ch.scene.id), lang=book.language)
        item.content = template.render(book=book, ch=ch, src=src, href=href)
        item.add_item(css)
        ebook.add_item(item)
        chapters.append(item)
        if progress:
            progress(1)
    back = []
    if book.has_world:
        back.append(page("glossary", "The world", "glossary.xhtml"))
    colophon_page = page("colophon", "Colophon", "colophon.xhtml")
    if book.ledger_chart:
        colophon_page.properties.append("svg")  # EPUB 3 declares pages with inline SVG
    back.append(colophon_page)

    ebook.toc = [title_page, *chapters, *back]
    ebook.add_item(epub.EpubNcx())
    ebook.add_item(epub.EpubNav())
    ebook.spine = [title_page, "nav", *chapters, *back]
    # written beside `out`, then renamed over it: a failure never leaves half a book in
    # place of an existing one
    out.parent.mkdir(parents=True, exist_ok=True)
    with replacing(out) as temp:
        epub.write_epub(str(temp), ebook, {"epub3_pages": False})
