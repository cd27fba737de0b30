"""Two writers on one story folder: the second is refused with a clear message, never
overwrites the first one's work, and the lock is never left behind."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from filelock import FileLock

from worldforge.cli import cli
from worldforge.conductor.session import Session
from worldforge.core.graph import StoryGraph
from worldforge.store import StoryChangedOnDisk, StoryFolder, StoryLocked, writers
from worldforge.store.paths import STATE_DIR

LOCK = f"{STATE_DIR}/{writers.LOCK_FILE}"


def lock_is_free(root: Path) -> bool:
    lock = FileLock(root / LOCK)
    try:
        lock.acquire(timeout=0)
    except TimeoutError:
        return False
    lock.release()
    return True


def test_the_second_of_two_sessions_is_refused_and_can_reload(story_dir: Path):
    studio, other = Session.open(story_dir), Session.open(story_dir)
    with studio.change("Title") as graph:
        graph.scene("start").title = "The Studio's Title"
    with other.change("Title") as graph:
        graph.scene("start").title = "The Other Title"
    studio.save()
    assert lock_is_free(story_dir)

    with pytest.raises(StoryChangedOnDisk) as err:
        other.save()
    assert err.value.path == story_dir / "scenes" / "start.yaml"
    assert "changed on disk since the story was opened" in str(err.value)
    assert "reload the story" in str(err.value)
    assert lock_is_free(story_dir)
    assert StoryFolder.open(story_dir).story.scene("start").title == "The Studio's Title"

    other.reload()
    assert other.story.scene("start").title == "The Studio's Title"
    assert not other.dirty and not other.can_undo
    with other.change("Title") as graph:
        graph.scene("start").title = "Agreed"
    other.save()
    assert StoryFolder.open(story_dir).story.scene("start").title == "Agreed"


def test_a_scene_added_by_another_writer_is_not_overwritten(story_dir: Path):
    first, second = Session.open(story_dir), Session.open(story_dir)
    for session, text in [(first, "First.\n"), (second, "Second.\n")]:
        with session.change("Branch") as graph:
            graph.branch("finale", "Epilogue", text)
    first.save()
    with pytest.raises(StoryChangedOnDisk, match="appeared on disk"):
        second.save()
    assert StoryFolder.open(story_dir).story.scene("epilogue").text == "First.\n"


def test_the_check_and_the_write_are_one_step_under_the_lock(story_dir: Path):
    """A writer that is in the middle of its save (holding the lock) when the second one
    saves: the second waits for the lock, then sees the first one's file and is refused."""
    second = Session.open(story_dir)
    with second.change("Title") as graph:
        graph.scene("start").title = "Second"
    holding, done = threading.Event(), threading.Event()
    path = story_dir / "scenes" / "start.yaml"

    def first_writer() -> None:
        with FileLock(story_dir / LOCK):
            holding.set()
            done.wait(0.3)  # the second writer has reached its save by now
            path.write_text(path.read_text().replace("title: Start", "title: First"))

    thread = threading.Thread(target=first_writer)
    thread.start()
    holding.wait()
    try:
        with pytest.raises(StoryChangedOnDisk):
            second.save()
    finally:
        done.set()
        thread.join()
    assert "title: First" in path.read_text()


HOLDER = """
import sys
from filelock import FileLock
with FileLock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.readline()
"""


@contextmanager
def lock_held_elsewhere(root: Path) -> Iterator[None]:
    """Another process holds the story's lock (a save that hangs) until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(root / LOCK)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout.readline() == b"held\n"
        yield
    finally:
        holder.communicate(b"\n", timeout=10)


def test_a_lock_held_too_long_gives_a_clear_error(story_dir: Path, monkeypatch):
    monkeypatch.setattr(writers, "LOCK_TIMEOUT", 0.2)
    session = Session.open(story_dir)
    with session.change("Title") as graph:
        graph.scene("start").title = "Mine"
    with lock_held_elsewhere(story_dir), pytest.raises(StoryLocked) as err:
        session.save()
    assert "another worldforge has held this story's lock for over 0.2 s" in str(err.value)
    assert "title: Start" in (story_dir / "scenes" / "start.yaml").read_text()
    session.save()
    assert "title: Mine" in (story_dir / "scenes" / "start.yaml").read_text()


def test_the_cli_exits_2_when_the_story_is_locked(story_dir: Path, monkeypatch):
    monkeypatch.setattr(writers, "LOCK_TIMEOUT", 0.2)
    with lock_held_elsewhere(story_dir):
        result = CliRunner().invoke(cli, ["branch", str(story_dir), "finale", "Epilogue"])
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and "lock" in result.output
    assert not (story_dir / "scenes" / "epilogue.yaml").exists()


def test_the_cli_exits_2_when_another_writer_saved_first(story_dir: Path, monkeypatch):
    """The studio autosaves the parent scene while `worldforge branch` is between its open
    and its save: the command is refused and the studio's text stays."""
    studio = Session.open(story_dir)
    real_branch = StoryGraph.branch

    def branch_while_the_studio_saves(graph, *args, **kwargs):
        with studio.change("Typing") as studio_graph:
            studio_graph.scene("finale").text = "The studio's words.\n"
        studio.save()
        return real_branch(graph, *args, **kwargs)

    monkeypatch.setattr(StoryGraph, "branch", branch_while_the_studio_saves)
    result = CliRunner().invoke(cli, ["branch", str(story_dir), "finale", "Epilogue"])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: ") and "changed on disk" in result.output
    story = StoryFolder.open(story_dir).story
    assert story.scene("finale").text == "The studio's words.\n" and "epilogue" not in story.scenes
