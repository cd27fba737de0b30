"""A likeness borrowed is credited: the example story rendered with a reference picture on a
lore entry names it in the book's colophon (HTML and EPUB), and a book without one does not."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import html5lib
import pytest

from tests.image_support import png_bytes, tiny_settings
from worldforge import conductor
from worldforge.export import export_story
from worldforge.store import StoryFolder

EXAMPLE = Path(__file__).resolve().parents[1] / "stories" / "socialist-gundam"
XHTML = "{http://www.w3.org/1999/xhtml}"


def example(root: Path) -> StoryFolder:
    shutil.copytree(EXAMPLE, root)
    return StoryFolder.open(root)


def illustrate(folder: StoryFolder, engine) -> None:
    """The start scene rendered (it mentions MAYDAY) and its picture chosen, saved."""
    start = folder.story.meta.start
    batch = conductor.render(folder, start, engine, tiny_settings(seed=3))
    conductor.choose(folder.story, start, batch.renders[0].image)
    folder.save()


def colophon_lines(folder: StoryFolder, out: Path) -> tuple[list[str], list[str], str]:
    """The colophon's reference lines in the HTML book and in the EPUB's colophon page, and
    the HTML colophon's whole text."""
    html = export_story(folder, "html", out / "book.html", gamebook=True).path
    doc = html5lib.parse(html.read_text(encoding="utf-8"), namespaceHTMLElements=False)
    footer = doc.find(".//footer[@id='colophon']")
    assert footer is not None
    epub = export_story(folder, "epub", out / "book.epub", gamebook=True).path
    with zipfile.ZipFile(epub) as book:
        name = next(n for n in book.namelist() if n.endswith("colophon.xhtml"))
        page = html5lib.parse(book.read(name).decode("utf-8"), namespaceHTMLElements=True)
    return (
        ["".join(p.itertext()) for p in footer.iter("p") if p.get("class") == "reference"],
        ["".join(p.itertext()) for p in page.iter(f"{XHTML}p") if p.get("class") == "reference"],
        "".join(footer.itertext()),
    )


def test_the_colophon_credits_the_reference_picture_of_a_lore_entry(tmp_path, tiny_image):
    folder = example(tmp_path / "socialist-gundam")
    (tmp_path / "mayday.png").write_bytes(png_bytes((180, 60, 40)))
    entry = conductor.set_reference(folder, "mayday", str(tmp_path / "mayday.png"), strength=0.6)
    illustrate(folder, tiny_image)
    sha = hashlib.sha256((folder.root / str(entry.reference)).read_bytes()).hexdigest()
    html, epub, _ = colophon_lines(folder, tmp_path)
    wanted = f"reference: lore entry mayday (picture sha256 {sha[:16]}…), through worldforge/tiny-ip-adapter"
    assert html == [wanted]
    assert epub == [wanted]


def test_a_book_without_references_credits_none(tmp_path, tiny_image):
    folder = example(tmp_path / "socialist-gundam")
    illustrate(folder, tiny_image)
    html, epub, text = colophon_lines(folder, tmp_path)
    assert html == [] and epub == []
    assert "reference:" not in text and "image" in text


@pytest.fixture(autouse=True)
def _example_present() -> None:
    if not EXAMPLE.is_dir():
        pytest.fail(f"the example story is missing: {EXAMPLE}")
