"""Characters XML forbids never break an XML export, and a failed export never leaves half
a file in place of a good one."""

from __future__ import annotations

import zipfile

import pytest
from lxml import etree

from tests.export_story import build
from worldforge.export import export_story

BAD = "\x1b[31m\x00\x07\ufffe"


@pytest.fixture
def folder(tmp_path):
    folder = build(tmp_path / "story")
    folder.story.meta.title = f"Title {BAD}end"
    folder.story.meta.author = f"Author {BAD}"
    scene = folder.story.scene("start")
    scene.title = f"Fog {BAD}"
    scene.text = f"A line {BAD} of text.\n"
    return folder


def test_an_epub_with_control_characters_in_titles_and_text_is_valid_xml(folder, tmp_path):
    done = export_story(folder, "epub", tmp_path / "book.epub")
    with zipfile.ZipFile(done.path) as book:
        pages = [name for name in book.namelist() if name.endswith((".xhtml", ".opf", ".ncx"))]
        assert pages
        for name in pages:
            tree = etree.fromstring(book.read(name))  # raises on text XML does not allow
            assert "\x1b" not in etree.tostring(tree, encoding="unicode")
        assert any(b"Title [31mend" in book.read(name) for name in pages)


@pytest.mark.parametrize("fmt", ["html", "epub", "pdf"])
def test_a_failing_export_leaves_the_existing_file_whole(folder, tmp_path, monkeypatch, fmt):
    out = tmp_path / f"book.{fmt}"
    out.write_bytes(b"the good old book")

    def half_then_fail(path, *args, **kwargs):
        with open(path, "wb") as handle:
            handle.write(b"PK half")
        raise RuntimeError("disk full")

    monkeypatch.setattr("ebooklib.epub.write_epub", half_then_fail)
    monkeypatch.setattr("weasyprint.HTML.write_pdf", lambda self, path: half_then_fail(path))
    monkeypatch.setattr("worldforge.store.atomic.write_synced", half_then_fail)
    with pytest.raises(RuntimeError):
        export_story(folder, fmt, out)
    assert out.read_bytes() == b"the good old book"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["book." + fmt, "story"])
