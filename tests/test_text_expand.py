"""The expand use case on the tiny model: candidates, provenance, accept, branch, revive."""

from __future__ import annotations

import pytest

from worldforge.conductor.expand import accept, branch, expand, revive
from worldforge.core.authorship import authorship_share
from worldforge.core.graph import StoryGraph
from worldforge.engines.cancel import Cancelled, CancelToken
from worldforge.engines.text.protocol import TextSettings

from .text_story import make_story

SETTINGS = TextSettings(max_new_tokens=16, candidates=3, seed=3, stop="tokens")


def test_expand_keeps_candidates_with_provenance(tiny_engine):
    story = make_story()
    streamed: dict[int, str] = {}
    expansion = expand(
        story,
        "start",
        tiny_engine,
        SETTINGS,
        on_token=lambda i, p: streamed.__setitem__(i, streamed.get(i, "") + p),
    )
    scene = story.scene("start")
    assert expansion.indices == [0, 1, 2]
    assert [c.status for c in scene.candidates] == ["pending"] * 3
    assert [c.text for c in scene.candidates] == [streamed[i] for i in range(3)]
    assert expansion.report.context.endswith("The machine hummed in its corner.")
    records = {p.id: p for p in scene.provenance}
    for candidate, result in zip(scene.candidates, expansion.results, strict=True):
        record = records[candidate.provenance]
        assert record.kind == "text" and record.engine == tiny_engine.name
        assert record.model == "worldforge/tiny-gpt2" and record.revision == tiny_engine.revision
        assert record.seed == result.seed and record.settings["seed"] == 3
        assert record.tokens == 16 and record.flops > 0 and record.energy_wh > 0
        assert record.versions["torch"] and record.device == "cpu" and record.created
        assert record.license and "random weights" in record.license


def test_accept_appends_and_rejects_the_rest(tiny_torch_engine):
    story = make_story()
    expand(story, "start", tiny_torch_engine, SETTINGS)
    scene = story.scene("start")
    before = scene.text.rstrip()
    chosen = scene.candidates[1].text
    accept(story, "start", 1)
    assert scene.text == before + chosen
    assert scene.model_spans == [(len(before), len(before) + len(chosen))]
    assert authorship_share(scene) == (len(before), len(chosen))
    assert [c.status for c in scene.candidates] == ["rejected", "accepted", "rejected"]
    revived = revive(story, "start", 2)
    assert revived.status == "pending" and revived.text == scene.candidates[2].text
    with pytest.raises(ValueError, match="accepted, not rejected"):
        revive(story, "start", 1)


def test_branch_makes_child_scenes(tiny_torch_engine):
    story = make_story()
    expand(story, "start", tiny_torch_engine, SETTINGS)
    scene = story.scene("start")
    children = branch(story, "start", [0, 2])
    graph = StoryGraph(story)
    assert [c.id for c in children] == graph.children("start")[-2:]
    for child, index in zip(children, [0, 2], strict=True):
        assert child.text == scene.candidates[index].text.strip()
        assert authorship_share(child) == (0, len(child.text))
        assert child.provenance[0].id == scene.candidates[index].provenance
        assert graph.ancestors_path(child.id) == ["start", child.id]
    assert [c.status for c in scene.candidates] == ["branched", "pending", "branched"]


def test_cancel_changes_nothing(tiny_engine):
    story = make_story()
    cancel = CancelToken()
    with pytest.raises(Cancelled):
        expand(story, "start", tiny_engine, SETTINGS, on_token=lambda i, p: cancel.cancel(), cancel=cancel)
    assert story.scene("start").candidates == [] and story.scene("start").provenance == []
