"""The ledger sums a story's generations: per model, kind, scene and reading path, kept or not."""

from __future__ import annotations

import pytest

from worldforge.core.ledger import ledger
from worldforge.core.model import (
    Energy,
    Link,
    Provenance,
    Render,
    Scene,
    Story,
    StoryMeta,
    TextCandidate,
)


def metered(kwh: float, cpu: str = "estimated", gpu: str = "absent") -> Energy:
    return Energy(
        cpu_kwh=kwh / 2, gpu_kwh=kwh / 4 if gpu != "absent" else 0.0, ram_kwh=kwh / 4 if gpu != "absent" else kwh / 2,
        co2e_kg=kwh * 0.1, cpu=cpu, gpu=gpu, ram="estimated", method="codecarbon test", grid="100 g/kWh (set)",
    )  # fmt: skip


def record(rid: str, kind: str, model: str, energy: Energy | None, wall: float = 1.0) -> Provenance:
    return Provenance(
        id=rid, kind=kind, engine="e", model=model, wall_s=wall, flops=1e9, energy_wh=0.5, energy=energy
    )


def story() -> Story:
    """start (3 text candidates: one accepted, one rejected, one branched into `side`;
    2 renders, one chosen) -> end (1 unmetered render, no picture chosen); `side` is off the path."""
    t1, t2, t3 = (record(f"txt-{i}", "text", "gpt2", metered(1.0)) for i in range(3))
    i1 = record("img-1", "image", "sd-turbo", metered(2.0, "measured", "measured"))
    i2 = record("img-2", "image", "sd-turbo", metered(2.0, "measured", "measured"))
    i3 = record("img-3", "image", "sd-turbo", None, wall=4.0)
    start = Scene(
        id="start",
        title="Start",
        links=[Link(to="end"), Link(to="side")],
        image="images/a.png",
        candidates=[
            TextCandidate(text="a", provenance=t1.id, status="accepted"),
            TextCandidate(text="b", provenance=t2.id, status="rejected"),
            TextCandidate(text="c", provenance=t3.id, status="branched"),
        ],
        renders=[
            Render(image="images/a.png", provenance=i1.id),
            Render(image="images/b.png", provenance=i2.id),
        ],
        provenance=[t1, t2, t3, i1, i2],
    )
    side = Scene(id="side", title="Side", provenance=[t3])  # a branch keeps a copy of its record
    end = Scene(
        id="end", title="End", renders=[Render(image="images/c.png", provenance=i3.id)], provenance=[i3]
    )
    return Story(StoryMeta(title="T", start="start"), {"start": start, "side": side, "end": end})


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
