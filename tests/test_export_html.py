"""HTML books: valid HTML5, self-contained, escaped, titled and credited pictures."""

from __future__ import annotations

import base64
import shutil

import html5lib
import pytest

from tests.export_story import HOSTILE, SECRET_PROMPT, SHOWN_PROMPT, build
from worldforge.export.book import build_book
from worldforge.export.html import render_html
from worldforge.store import StoryFolder


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return build(tmp_path_factory.mktemp("html") / "story")


def parse(html: str):
    """Parse with html5lib's strict parser: any HTML5 parse error fails the test."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)


def text_of(element) -> str:
    return "".join(element.itertext())


def chapter(doc, scene_id: str):
    return doc.find(f".//section[@id='s-{scene_id}']")


@pytest.fixture(scope="module")
def path_doc(folder):
    return parse(render_html(build_book(folder)))


@pytest.fixture(scope="module")
def gamebook_doc(folder):
    return parse(render_html(build_book(folder, gamebook=True, show_prompts=True)))


def test_valid_html5_with_unique_ids_and_working_anchors(path_doc, gamebook_doc):
    for doc in (path_doc, gamebook_doc):
        ids = [el.get("id") for el in doc.iter() if el.get("id")]
        assert len(ids) == len(set(ids))
        for link in doc.iter("a"):
            assert link.get("href").startswith("#") and link.get("href")[1:] in ids


def test_hostile_text_stays_text(folder, gamebook_doc):
    assert not list(gamebook_doc.iter("script"))
    assert not list(gamebook_doc.iter("b"))  # '<b>bold</b>' written by the model is not markup
    page = text_of(gamebook_doc)
    assert f"Docks {HOSTILE}" in page  # title
    assert f"The machine wrote {HOSTILE} and <b>bold</b> & more." in page  # text
    assert f"Picture {HOSTILE}" in page  # image title
    assert f"Lore with {HOSTILE} inside." in page  # lore, in the world appendix
    assert gamebook_doc.find(".//title").text == "The Red Harbour"


def test_self_contained_every_picture_embedded_titled_and_credited(folder, gamebook_doc):
    figures = [f for f in gamebook_doc.iter("figure") if f.find("img") is not None]
    chapter_figures = [f for f in figures if f.find(".//span[@class='credit']") is not None]
    assert len(chapter_figures) == 4  # every scene with a picture in the gamebook
    for figure in figures:
        img = figure.find("img")
        assert img.get("src").startswith("data:image/png;base64,")
        caption = figure.find("figcaption/span[@class='picture-title']")
        assert caption is not None and caption.text and img.get("alt") == caption.text
    start_img = chapter(gamebook_doc, "start").find(".//img")
    data = base64.b64decode(start_img.get("src").split(",", 1)[1])
    assert data == folder.read_image(folder.story.scenes["start"].image)
    credit = chapter(gamebook_doc, "hills").find(".//span[@class='credit']").text
    assert credit.startswith("Picture: segmind/tiny-sd") and "creativeml-openrail-m" in credit


def test_cover_grid_and_print_css(gamebook_doc):
    cover = gamebook_doc.find(".//header[@id='cover']")
    assert cover.find("h1").text == "The Red Harbour"
    assert len(cover.findall(".//div[@class='grid']/figure")) == 4
    css = gamebook_doc.find(".//style").text
    assert "@page" in css and "break-before: page" in css


def test_prompts_hidden_by_default_shown_with_flag_secret_never(folder, path_doc, gamebook_doc):
    assert not [s for s in path_doc.iter("span") if s.get("class") == "prompt"]
    assert SHOWN_PROMPT not in text_of(path_doc)
    prompts = {text_of(s) for s in gamebook_doc.iter("span") if s.get("class") == "prompt"}
    assert f"Prompt: {SHOWN_PROMPT}" in prompts
    assert SECRET_PROMPT not in text_of(gamebook_doc)


def test_gamebook_sections_numbered_and_choices_turn_to_their_targets(gamebook_doc):
    sections = gamebook_doc.findall(".//main/section")
    numbers = {}
    for n, section in enumerate(sections, 1):
        assert section.find("h2/span[@class='number']").text == str(n)
        numbers[section.get("id")] = n
    assert sections[0].get("id") == "s-start"
    links = 0
    for section in sections:
        for item in section.findall(".//ul[@class='choices']/li"):
            link = item.find("a")
            assert link.text == f"turn to {numbers[link.get('href')[1:]]}"
            links += 1
    assert links == 5
    assert text_of(chapter(gamebook_doc, "ending")).strip().endswith("The end.")


def test_path_book_has_contents_and_the_choices_taken(path_doc):
    sections = path_doc.findall(".//main/section")
    assert [s.get("id") for s in sections] == ["s-start", "s-harbour", "s-square", "s-ending"]
    assert [a.text for a in path_doc.findall(".//nav[@class='toc']//a")][:2] == [
        "Fog over the harbour",
        f"Docks {HOSTILE}",
    ]
    assert "▸ Go down to the docks" in text_of(sections[0])


def test_colophon_credits_models_and_counts_compute(path_doc):
    colophon = text_of(path_doc.find(".//footer[@id='colophon']"))
    assert "openai-community/gpt2" in colophon and "607a30d783dfa663caf39e06633721c8d4cfcd7e" in colophon
    assert "2 text, 3 image" in colophon
    assert "78.0 TFLOP" in colophon
    assert "130.0 mWh: an estimate" in colophon
    assert "% model" in colophon
    assert "not printed" in colophon


def test_missing_picture_gets_a_placeholder_and_a_warning(folder, tmp_path):
    copy = tmp_path / "story"
    shutil.copytree(folder.root, copy)
    (copy / folder.story.scenes["square"].image).unlink()
    book = build_book(StoryFolder.open(copy))
    assert any("'square': picture images/" in w and "missing" in w for w in book.warnings)
    doc = parse(render_html(book))
    square = chapter(doc, "square")
    assert square.find(".//img") is None
    assert text_of(square.find(".//div[@class='placeholder']")) == "no picture yet"
    assert square.find(".//figcaption/span[@class='picture-title']").text == "The square"
