"""Markdown: story text stays literal, choices link to anchors, pictures sit next to it."""

from __future__ import annotations

import html5lib
import pytest
from markdown_it import MarkdownIt

from tests.export_story import HOSTILE, SHOWN_PROMPT, build
from worldforge.export.book import build_book
from worldforge.export.markdown import escape, write_markdown


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return build(tmp_path_factory.mktemp("md") / "story")


def rendered(markdown: str):
    html = MarkdownIt("commonmark", {"html": True}).render(markdown)
    return html5lib.HTMLParser(namespaceHTMLElements=False).parse(html)


@pytest.mark.parametrize(
    "text",
    [
        HOSTILE,
        "# not a heading",
        "1. not a list",
        "- nor this",
        "*a* _b_ `c` [d](e) ![f](g) &amp; \\x",
        "---",
        "a|b",
    ],
)
def test_escaped_text_renders_as_itself(text):
    doc = rendered(escape(text))
    assert "".join(doc.find("body").itertext()).strip() == text
    assert not [
        el for el in doc.iter() if el.tag in ("script", "h1", "ol", "ul", "em", "a", "img", "hr", "code")
    ]


def test_gamebook_markdown_links_pictures_and_hostile_text(folder, tmp_path):
    out = tmp_path / "book" / "story.md"
    write_markdown(build_book(folder, gamebook=True, show_prompts=True), out)
    doc = rendered(out.read_text(encoding="utf-8"))
    assert not list(doc.iter("script"))
    text = "".join(doc.itertext())
    assert f"The machine wrote {HOSTILE} and <b>bold</b> & more." in text
    assert f"Prompt: {SHOWN_PROMPT}" in text
    anchors = {a.get("id") for a in doc.iter("a") if a.get("id")}
    turns = [a for a in doc.iter("a") if (a.text or "").startswith("turn to ")]
    assert len(turns) == 5 and all(a.get("href")[1:] in anchors for a in turns)
    images = list(doc.iter("img"))
    assert len(images) == 4
    for img in images:
        assert (out.parent / img.get("src")).read_bytes() == folder.read_image(img.get("src"))
        assert img.get("alt")
    assert "no picture yet" in text
