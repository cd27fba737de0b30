"""Authorship through the expand use case: accepted, edited-then-accepted, branched text."""

from __future__ import annotations

from worldforge.conductor.expand import accept
from worldforge.core.authorship import authorship_share, edit_text, story_authorship
from worldforge.core.model import Provenance, Scene, Story, StoryMeta, TextCandidate


def story_with_candidates(text: str, *candidates: str) -> Story:
    scene = Scene(
        id="s",
        title="S",
        text=text,
        candidates=[TextCandidate(text=c, provenance=f"p{i}") for i, c in enumerate(candidates)],
        provenance=[
            Provenance(id=f"p{i}", kind="text", engine="e", model="m") for i in range(len(candidates))
        ],
    )
    return Story(StoryMeta(title="T", start="s"), {"s": scene})


def model_text(scene: Scene) -> str:
    return "".join(scene.text[a:b] for a, b in scene.model_spans)


def test_accept_continues_where_the_model_did():
    story = story_with_candidates("The lamps were lit.\n", " The machine woke.", " It slept.")
    scene = accept(story, "s", 0)
    assert scene.text == "The lamps were lit. The machine woke."
    assert model_text(scene) == " The machine woke."
    assert authorship_share(scene) == (19, 18)
    assert [c.status for c in scene.candidates] == ["accepted", "rejected"]


def test_accept_into_an_empty_scene_drops_leading_space():
    scene = accept(story_with_candidates("", " The machine woke."), "s", 0)
    assert scene.text == "The machine woke." and scene.model_spans == [(0, 17)]


def test_edited_candidate_keeps_only_the_model_words_it_kept():
    story = story_with_candidates("A.", " The machine woke.", " Two.")
    accept(story, "s", 1)
    scene = accept(story, "s", 0, text=" The old machine woke slowly.")
    assert scene.text == "A. Two. The old machine woke slowly."
    assert model_text(scene) == " Two. The machine woke."
    assert "old" not in model_text(scene) and "slowly" not in model_text(scene)


def test_spans_survive_edits_after_accepting():
    story = story_with_candidates("The lamps were lit.", " The machine woke.")
    scene = accept(story, "s", 0)
    edit_text(scene, "The lamps machine woke.")  # delete across the human/model boundary
    assert model_text(scene) == "machine woke."
    edit_text(scene, "The lamps machine woke up.")  # insert inside the model span
    assert model_text(scene) == "machine woke."
    edit_text(scene, "The lamps robot woke up.")  # replace a model word
    assert model_text(scene) == " woke."
    assert story_authorship(story) == (len(scene.text) - 6, 6)
