"""Candidate bookkeeping without a model: each candidate enters the story at most once."""

from __future__ import annotations

import pytest

from worldforge.conductor.expand import accept, branch, reject, revive
from worldforge.core.model import Provenance, TextCandidate


def with_candidates(story):
    scene = story.scene("finale")
    scene.provenance = [Provenance(id=f"p{i}", kind="text", engine="test", model="m") for i in range(3)]
    scene.candidates = [TextCandidate(text=f" Line {i}.", provenance=f"p{i}") for i in range(3)]
    return scene


def test_accepted_or_branched_candidates_cannot_enter_again(story):
    scene = with_candidates(story)
    accept(story, "finale", 0)
    with pytest.raises(ValueError, match="already in the story"):
        branch(story, "finale", [0])
    (child,) = branch(story, "finale", [1])
    assert child.text == "Line 1."
    with pytest.raises(ValueError, match="accepted"):
        accept(story, "finale", 0)
    with pytest.raises(ValueError, match="branched"):
        accept(story, "finale", 1)
    with pytest.raises(ValueError, match="already in the story"):
        branch(story, "finale", [1])
    assert scene.text.count("Line 0.") == 1


def test_rejected_candidates_can_be_revived_or_branched(story):
    with_candidates(story)
    reject(story, "finale", 2)
    revive(story, "finale", 2)
    reject(story, "finale", 2)
    (child,) = branch(story, "finale", [2])
    assert child.text == "Line 2." and story.scene("finale").candidates[2].status == "branched"
