"""A Twee export played in Twine's own story format (Harlowe 3.3.9, compiled by extwee) in
Chromium: the hostile text is shown as typed, nothing of it runs, and worldforge's own
links still take the reader from passage to passage."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.security.test_twee_export_is_text import HOSTILE_LINES, hostile_story
from worldforge.export.twee import export_twee

JS = Path(__file__).resolve().parents[1] / "twee-js"
HARLOWE = JS / "formats" / "harlowe-3.3.9" / "format.js"


@pytest.fixture(scope="module")
def twine_book(tmp_path_factory) -> Path:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: extwee compiles the Twine book")
    if not (JS / "node_modules" / "extwee").is_dir():
        pytest.fail("extwee is not installed: run `cd tests/twee-js && npm ci` (`make setup` does it)")
    folder = tmp_path_factory.mktemp("twine")
    twee = folder / "hostile.twee"
    twee.write_text(export_twee(hostile_story()), encoding="utf-8")
    html = subprocess.run(
        ["node", str(JS / "compile.mjs"), str(twee), str(HARLOWE)], capture_output=True, text=True, check=True
    ).stdout
    assert "Harlowe" in html and "tw-storydata" in html
    book = folder / "hostile.html"
    book.write_text(html, encoding="utf-8")
    return book


def passage_text(reader) -> str:
    passage = reader.page.locator("tw-passage")
    passage.wait_for()
    return passage.inner_text()


def test_hostile_text_shows_as_typed_and_nothing_runs(reader, twine_book):
    reader.open(twine_book)
    shown = passage_text(reader)
    assert shown.startswith("Plain prose stays readable.")
    for line in HOSTILE_LINES:
        if line.strip("` "):
            assert line.strip() in shown, line
    assert reader.page.locator("tw-passage script, tw-passage a[href], tw-passage iframe").count() == 0
    macros = reader.page.eval_on_selector_all(
        "tw-passage tw-expression", "els => els.map(e => e.getAttribute('name'))"
    )
    assert macros == ["link-goto", "link-goto"]  # worldforge's two choices, and no macro of the text
    assert reader.page.locator("tw-passage tw-hook").count() == 0
    reader.page.wait_for_timeout(500)  # an (after:) or a timed macro would have fired by now
    assert reader.trouble() == []


@pytest.mark.parametrize(
    ("label", "passage"), [('(open-url: "https://evil.example/") go', "Gold."), ("On", "The end.")]
)
def test_worldforge_links_still_lead_on(reader, twine_book, label, passage):
    reader.open(twine_book)
    passage_text(reader)
    links = reader.page.locator("tw-passage tw-link")
    assert [t.strip() for t in links.all_inner_texts()] == ['(open-url: "https://evil.example/") go', "On"]
    links.get_by_text(label, exact=True).click()
    reader.page.locator("tw-passage").get_by_text(passage).wait_for()
    assert reader.trouble() == []
