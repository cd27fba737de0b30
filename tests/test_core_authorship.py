from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from worldforge.core.authorship import (
    append_model_text,
    authorship_share,
    edit_text,
    normalize,
    spans_after_edit,
)
from worldforge.core.model import Scene


def model_chars(text: str, spans) -> str:
    return "".join(text[s:e] for s, e in spans)


def scene_with(human: str, model: str) -> Scene:
    scene = Scene(id="s", title="S", text=human)
    append_model_text(scene, model)
    return scene


def test_appended_candidate_is_model_text():
    scene = scene_with("The crane woke. ", "It sang of iron.")
    assert scene.model_spans == [(16, 32)]
    assert authorship_share(scene) == (16, 16)


def test_typing_inside_a_model_span_splits_it():
    scene = scene_with("", "It sang of iron.")
    edit_text(scene, "It sang loudly of iron.")
    assert model_chars(scene.text, scene.model_spans) == "It sang of iron."
    assert scene.model_spans == [(0, 8), (15, 23)]


def test_deleting_across_the_boundary_keeps_the_rest():
    scene = scene_with("Human words. ", "Model words.")
    edit_text(scene, "Human wds.")
    assert scene.model_spans == [(7, 10)]
    assert model_chars(scene.text, scene.model_spans) == "ds."


def test_replacing_a_word_makes_it_human():
    scene = scene_with("", "The red giant walked.")
    edit_text(scene, "The blue giant walked.")
    assert model_chars(scene.text, scene.model_spans) == "The e giant walked."
    human, model = authorship_share(scene)
    assert (human, model) == (3, 19)


def test_edits_before_a_span_shift_it():
    scene = scene_with("Intro. ", "Model.")
    edit_text(scene, "A longer intro. Model.")
    assert model_chars(scene.text, scene.model_spans) == "Model."


def test_normalize_merges_and_drops_empty():
    assert normalize([(5, 8), (0, 2), (2, 3), (7, 9), (4, 4)]) == [(0, 3), (5, 9)]


@given(st.text(min_size=1, max_size=60), st.text(max_size=60), st.integers(0, 1000))
def test_model_text_never_grows_and_is_a_subsequence(model: str, typed: str, seed: int):
    rng = random.Random(seed)
    cut = rng.randint(0, len(model))
    new = model[:cut] + typed + model[cut + rng.randint(0, 3) :]
    spans = spans_after_edit(model, [(0, len(model))], new)
    kept = model_chars(new, spans)
    assert len(kept) <= len(model)
    it = iter(model)
    assert all(ch in it for ch in kept)
    assert all(0 <= s < e <= len(new) for s, e in spans)
