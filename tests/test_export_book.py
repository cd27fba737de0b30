"""The book layout every format shares: paths, gamebook numbering, credits, colophon."""

from __future__ import annotations

import pytest

from tests.export_story import GAMEBOOK_SCENES, IFID, PATH_SCENES, SECRET_PROMPT, SHOWN_PROMPT, build
from worldforge.core.compute import format_energy
from worldforge.core.errors import StoryError
from worldforge.core.graph import StoryGraph
from worldforge.core.model import Scene
from worldforge.export.book import build_book, gamebook_order, paragraphs
from worldforge.export.stats import authorship, colophon, model_chars


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return build(tmp_path_factory.mktemp("book") / "story")


def test_paragraphs_split_on_blank_lines_and_keep_line_breaks():
    assert paragraphs("a\nb\n\n \n\nc\n") == [["a", "b"], ["c"]]
    assert paragraphs("\n\n") == []


def test_model_chars_merges_overlaps_and_clips_to_the_text():
    scene = Scene(id="s", title="s", text="0123456789", model_spans=[(0, 4), (2, 6), (8, 50)])
    assert model_chars(scene) == 6 + 2
    assert authorship([scene]) == (2, 8)


def test_path_book_follows_first_choices_by_default(folder):
    book = build_book(folder)
    assert [ch.scene.id for ch in book.chapters] == PATH_SCENES
    assert [ch.number for ch in book.chapters] == [1, 2, 3, 4]
    # the choice taken to reach the next chapter is printed; the last one has none
    assert book.chapters[0].choices[0].label == "Go down to the docks"


def test_path_book_follows_a_given_path_and_rejects_a_broken_one(folder):
    book = build_book(folder, path=["start", "hills", "square"])
    assert [ch.scene.id for ch in book.chapters] == ["start", "hills", "square"]
    with pytest.raises(StoryError, match="'start' has no link to 'square'"):
        build_book(folder, path=["start", "square"])
    with pytest.raises(StoryError, match="nowhere"):
        build_book(folder, path=["start", "nowhere"])


def test_gamebook_numbers_every_reachable_scene_start_first_deterministically(folder):
    book = build_book(folder, gamebook=True)
    ids = [ch.scene.id for ch in book.chapters]
    assert set(ids) == GAMEBOOK_SCENES and ids[0] == "start"
    assert ids == [ch.scene.id for ch in build_book(folder, gamebook=True).chapters]
    assert any("cannot be reached" in w for w in book.warnings)
    numbers = {ch.scene.id: ch.number for ch in book.chapters}
    for ch in book.chapters:
        for choice in ch.choices:
            assert choice.number == numbers[choice.target]
        assert [c.target for c in ch.choices] == [link.to for link in ch.scene.links]


def test_gamebook_shuffle_depends_on_the_ifid():
    scenes = {f"s{i}": Scene(id=f"s{i}", title=f"S{i}") for i in range(12)}
    scenes["s0"].links = [{"to": f"s{i}"} for i in range(1, 12)]
    from worldforge.core.model import Story, StoryMeta

    orders = set()
    for ifid in (IFID, "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"):
        story = Story(
            StoryMeta(title="t", start="s0", ifid=ifid), {k: v.model_copy() for k, v in scenes.items()}
        )
        order = gamebook_order(StoryGraph(story))
        assert order[0] == "s0" and sorted(order) == sorted(scenes)
        orders.add(tuple(order))
    assert len(orders) > 1


def test_prompts_hidden_by_default_shown_on_request_secret_never(folder):
    hidden = build_book(folder, gamebook=True)
    assert all(ch.picture.prompt is None for ch in hidden.chapters)
    shown = {
        ch.scene.id: ch.picture.prompt for ch in build_book(folder, gamebook=True, show_prompts=True).chapters
    }
    assert shown["start"] == SHOWN_PROMPT
    assert shown["harbour"] is None and SECRET_PROMPT not in str(shown)


def test_every_picture_is_titled_and_credited(folder):
    book = build_book(folder, gamebook=True)
    pictures = {ch.scene.id: ch.picture for ch in book.chapters}
    assert pictures["start"].title == "The harbour in fog"
    assert pictures["hills"].title == "The hills"  # no image title: the scene title
    assert (
        "segmind/tiny-sd" in pictures["hills"].credit and "creativeml-openrail-m" in pictures["hills"].credit
    )
    assert pictures["ending"].image is None
    assert any("'ending' has no picture yet" in w for w in book.warnings)


def test_colophon_sums_the_records_of_the_printed_scenes(folder):
    c = colophon(folder.story.scenes[s] for s in PATH_SCENES)
    assert (c.text_generations, c.image_generations) == (2, 3)
    assert c.flops == pytest.approx(2 * 1.5e12 + 3 * 2.5e13)
    assert c.energy_wh == pytest.approx(2 * 0.02 + 3 * 0.03)
    assert {(m.kind, m.model, m.generations) for m in c.models} == {
        ("text", "openai-community/gpt2", 2),
        ("image", "segmind/tiny-sd", 3),
    }
    assert c.flops_text == "78.0 TFLOP"
    assert format_energy(0.13) == "130.0 mWh" and format_energy(2500) == "2.50 kWh"


def test_missing_start_is_a_clear_error(folder, tmp_path):
    story = folder.story.copy()
    story.meta.start = "gone"
    from worldforge.store import StoryFolder

    broken = StoryFolder(tmp_path, story)
    with pytest.raises(StoryError, match="start scene 'gone' does not exist"):
        build_book(broken)


def test_export_loads_no_model_or_ui_library():
    import subprocess
    import sys

    probe = "import worldforge.export, sys; print('\\n'.join(sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "worldforge.export" in loaded
    assert not [
        m for m in loaded if m.split(".")[0] in ("torch", "transformers", "diffusers", "textual", "rich")
    ]
