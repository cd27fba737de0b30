"""Undoable editing sessions: whole-story snapshots, coalesced typing, rollback on errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from worldforge.conductor import session as session_module
from worldforge.conductor.session import Session
from worldforge.core.graph import GraphError
from worldforge.store import StoryFolder


def test_undo_and_redo_restore_whole_stories(story_dir: Path):
    session = Session.open(story_dir)
    with session.change("Branch") as graph:
        graph.branch("finale", "Epilogue")
    with session.change("Rename") as graph:
        graph.rename("epilogue", "coda")
    assert session.undo() == "Rename"
    assert "epilogue" in session.story.scenes and "coda" not in session.story.scenes
    assert session.graph.g.has_edge("finale", "epilogue")
    assert session.undo() == "Branch"
    assert session.undo() is None
    assert session.redo() == "Branch"
    assert session.redo() == "Rename"
    assert session.redo() is None
    session.save()
    assert "coda" in StoryFolder.open(story_dir).story.scenes


def test_typing_coalesces_into_one_step(story_dir: Path, monkeypatch):
    session = Session.open(story_dir)
    for word in ("a", "ab", "abc"):
        with session.change("Edit", coalesce=("edit", "start")):
            session.story.scene("start").text = word
    assert session.undo() == "Edit"
    assert session.story.scene("start").text.startswith("The furnace woke.")
    assert not session.can_undo


def test_a_failed_change_is_rolled_back_even_when_coalesced(story_dir: Path):
    session = Session.open(story_dir)
    with session.change("Edit", coalesce=("edit", "start")):
        session.story.scene("start").title = "A"
    with pytest.raises(GraphError), session.change("Edit", coalesce=("edit", "start")) as graph:
        session.story.scene("start").title = "B"
        graph.link("start", "nowhere")
    assert session.story.scene("start").title == "A"
    assert session.undo() == "Edit"
    assert session.story.scene("start").title == "Start"


def test_history_is_bounded(story_dir: Path, monkeypatch):
    monkeypatch.setattr(session_module, "COALESCE_SECONDS", 0.0)
    session = Session(StoryFolder.open(story_dir), history_limit=3)
    for n in range(5):
        with session.change(f"step {n}"):
            session.story.scene("start").title = f"T{n}"
    labels = [session.undo() for _ in range(4)]
    assert labels == ["step 4", "step 3", "step 2", None]
