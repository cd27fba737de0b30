"""The ledger sums a story's generations: per model, kind, scene and reading path, kept or not."""

from __future__ import annotations

import pytest

from tests.ledger_story import story
from worldforge.core.ledger import chart, ledger


def test_totals_count_each_generation_once_with_its_fate():
    book = ledger(story())
    total = book.total
    assert total.generations == 6  # the branch's copy of txt-2 is not counted again
    assert (total.kept, total.discarded, total.pending) == (3, 2, 1)
    assert total.unmetered == 1 and total.estimate_wh == pytest.approx(3.0)
    assert total.kwh == pytest.approx(3 * 1.0 + 2 * 2.0)
    assert total.co2e_kg == pytest.approx(0.7)
    assert total.wall_s == pytest.approx(9.0) and total.flops == pytest.approx(6e9)


def test_measured_and_estimated_kwh_are_kept_apart():
    book = ledger(story())
    # images: cpu and gpu measured (1 + 0.5 each), ram estimated (0.5 each)
    assert book.total.kwh_measured == pytest.approx(3.0)
    assert book.total.kwh_estimated == pytest.approx(3.0 + 1.0)
    assert book.measured_parts == ["cpu", "gpu"]
    assert book.estimated_parts == ["cpu", "ram"]


def test_groups_by_model_kind_scene_and_reading_path():
    book = ledger(story())
    assert set(book.by_model) == {"gpt2", "sd-turbo"}
    assert book.by_kind["text"].generations == 3 and book.by_kind["image"].generations == 3
    assert book.by_scene["start"].generations == 5 and "side" not in book.by_scene
    assert book.by_scene["end"].pending == 1
    assert book.path == ["start", "end"]
    assert book.reading_path.generations == 6


def test_a_broken_reading_path_leaves_the_path_empty():
    broken = story()
    broken.meta.reading_path = ["start", "nowhere"]
    book = ledger(broken)
    assert book.path == [] and book.reading_path.generations == 0
    assert book.total.generations == 6


def test_the_chart_shows_metered_kwh_in_a_fitting_unit():
    data = chart(ledger(story()), "model")
    assert data.labels == ["gpt2", "sd-turbo"] and data.unit == "kWh"
    assert data.values == pytest.approx([3.0, 4.0])
    assert "metered" in data.title and "1 unmetered" in data.title


def test_without_any_meter_the_chart_says_it_shows_the_estimate():
    unmetered = story()
    for scene in unmetered.scenes.values():
        scene.provenance = [p.model_copy(update={"energy": None}) for p in scene.provenance]
    data = chart(ledger(unmetered), "kind")
    assert data.unit == "Wh" and "estimated from wall time" in data.title
    assert data.values == pytest.approx([1.5, 1.5])


def test_a_chart_of_many_groups_keeps_the_largest_bars_in_order_and_says_so():
    book = ledger(story())
    data = chart(book, "scene", limit=1)
    assert data.labels == ["start"]
    assert "the 1 largest of 2 scenes" in data.title
    assert chart(book, "scene", limit=2).labels == ["start", "end"]
