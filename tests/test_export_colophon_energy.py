"""The colophon shows the ledger: metered kWh measured and estimated apart, kept vs
discarded, a small SVG chart; an unmetered story says its energy is an estimate only."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.ledger_story import story
from worldforge.export.book import build_book
from worldforge.export.html import render_html
from worldforge.export.markdown import render_markdown
from worldforge.store import StoryFolder

SVG = "{http://www.w3.org/2000/svg}"


def test_html_colophon_shows_the_ledger_and_its_chart(tmp_path):
    folder = StoryFolder.create(tmp_path / "s", story())
    html = render_html(build_book(folder))
    colophon = html[html.index('id="colophon"') :]
    assert "7.00 kWh for the whole story, 7.00 kWh for this reading path" in colophon
    assert "3.00 kWh measured by hardware counters (cpu, gpu)" in colophon
    assert "4.00 kWh estimated by power models (cpu, ram)" in colophon
    assert "1 generation(s), estimated from wall time" in colophon
    assert "3 of 6 generations are in the story; 2 discarded and 1 pending" in colophon
    svg = ET.fromstring(colophon[colophon.index("<svg") : colophon.index("</svg>") + 6])
    labels = [t.text for t in svg.iter(f"{SVG}text")]
    assert labels == ["gpt2", "3 kWh", "sd-turbo", "4 kWh"]
    assert len(list(svg.iter(f"{SVG}rect"))) == 2


def test_unmetered_story_says_its_energy_is_only_an_estimate(story_dir):
    text = render_markdown(build_book(StoryFolder.open(story_dir)))
    assert "- Energy metered: nothing: no generation was metered" in text
    assert "measured by hardware counters" not in text


def test_a_branch_copy_of_a_record_is_counted_once():
    from worldforge.export.stats import colophon

    counts = colophon(story().scenes.values())
    assert (counts.text_generations, counts.image_generations) == (3, 3)
    assert counts.flops == 6e9
    assert [(m.model, m.generations) for m in counts.models] == [("sd-turbo", 3), ("gpt2", 3)]
