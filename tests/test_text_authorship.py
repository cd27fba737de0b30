"""Who wrote what, kept right through the human's edits."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from worldforge.core.authorship import (
    append_model_text,
    authorship_share,
    carry_spans,
    edit_text,
    story_authorship,
)
from worldforge.core.model import Scene, Story, StoryMeta


def scene_with(human: str, model: str) -> Scene:
    scene = Scene(id="s", title="S", text=human)
    append_model_text(scene, model)
    return scene


def model_text(scene: Scene) -> str:
    return "".join(scene.text[a:b] for a, b in scene.model_spans)


def test_append_marks_model_text_and_drops_trailing_space():
    scene = scene_with("The lamps were lit.\n", " The machine woke.")
    assert scene.text == "The lamps were lit. The machine woke."
    assert model_text(scene) == " The machine woke."
    assert authorship_share(scene) == (19, 18)


def test_insert_inside_a_model_span_splits_it():
    scene = scene_with("Human.", " The machine woke slowly.")
    edit_text(scene, "Human. The old machine woke slowly.")
    assert model_text(scene) == " The machine woke slowly."
    assert scene.model_spans == [(6, 11), (15, 35)]


def test_delete_across_the_boundary():
    scene = scene_with("The lamps were lit.", " The machine woke.")
    edit_text(scene, "The lamps machine woke.")
    # the space kept is the human's (it followed "lamps"); the model keeps what it wrote
    assert model_text(scene) == "machine woke."
    assert authorship_share(scene) == (10, 13)


def test_replace_a_model_word_makes_it_human():
    scene = scene_with("A.", " The machine woke.")
    edit_text(scene, "A. The robot woke.")
    assert model_text(scene) == " The  woke."
    assert "robot" not in model_text(scene)


def test_human_retyping_the_same_text_changes_nothing():
    scene = scene_with("A.", " The machine woke.")
    before = list(scene.model_spans)
    edit_text(scene, scene.text)
    assert scene.model_spans == before


def test_story_wide_share():
    story = Story(StoryMeta(title="T", start="a"), {
        "a": scene_with("Hi.", " Model."),
        "b": Scene(id="b", title="B", text="All human."),
    })
    assert story_authorship(story) == (3 + 10, 7)


@given(st.text(max_size=40), st.text(max_size=40), st.text(max_size=40))
def test_untouched_model_text_survives_any_edit_around_it(before, after, model):
    old = "H" + model
    spans = [(1, 1 + len(model))] if model else []
    new = before + old + after
    carried = carry_spans(old, new, spans)
    # every model character is still model-written and nothing the human typed is
    assert sum(b - a for a, b in carried) == len(model)
    assert "".join(new[a:b] for a, b in carried) == model
