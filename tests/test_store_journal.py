"""The save journal, moment by moment: a save cut short before its commit leaves the story as
it was, one cut short after it is finished by whoever opens the story next."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from filelock import FileLock

from worldforge.cli import cli
from worldforge.core.errors import StoryError
from worldforge.core.graph import StoryGraph
from worldforge.core.model import Story
from worldforge.store import StoryFolder, journal, writers
from worldforge.store.paths import STATE_DIR

from .support import story_files


class Crash(BaseException):
    """The process dies here (nothing after this line runs)."""


def crash_at_replace(monkeypatch: pytest.MonkeyPatch, number: int) -> None:
    """Let the first `number - 1` renames out of the journal happen (the commit, then the
    files moved into place), then die."""
    calls = []
    real = os.replace

    def replace(src, dst):
        if STATE_DIR in Path(src).parts:
            calls.append(dst)
            if len(calls) == number:
                raise Crash
        real(src, dst)

    monkeypatch.setattr(journal.os, "replace", replace)


def renamed(story_dir: Path) -> StoryFolder:
    """the-nave -> nave: writes left-hall, right-hall and nave.yaml, deletes the-nave.yaml."""
    folder = StoryFolder.open(story_dir)
    StoryGraph(folder.story).rename("the-nave", "nave")
    return folder


def test_a_save_cut_short_before_its_commit_leaves_the_story_as_it_was(story_dir, monkeypatch):
    before = story_files(story_dir)
    folder = renamed(story_dir)
    crash_at_replace(monkeypatch, 1)  # the commit itself
    with pytest.raises(Crash):
        folder.save()
    monkeypatch.undo()
    assert (story_dir / STATE_DIR / journal.UNCOMMITTED).is_dir()
    assert StoryFolder.open(story_dir).story.scene("the-nave")
    assert story_files(story_dir) == before
    assert not (story_dir / STATE_DIR / journal.UNCOMMITTED).exists()


@pytest.mark.parametrize("moved", [0, 1, 2])
def test_a_save_cut_short_after_its_commit_is_finished_by_the_next_open(
    story_dir, tmp_path, monkeypatch, moved
):
    expected = tmp_path / "expected"
    StoryFolder.create(expected, StoryFolder.open(story_dir).story)
    renamed(expected).save()

    folder = renamed(story_dir)
    crash_at_replace(monkeypatch, 2 + moved)  # the commit, then `moved` files into place
    with pytest.raises(Crash):
        folder.save()
    monkeypatch.undo()
    assert journal.committed(story_dir)
    # `worldforge check` only reads, yet it finishes the save: the story it reports is whole
    result = CliRunner().invoke(cli, ["check", str(story_dir)])
    assert result.exit_code == 0, result.output
    assert not (story_dir / STATE_DIR / journal.JOURNAL).exists()
    assert story_files(story_dir) == story_files(expected)


def test_a_save_cut_short_while_clearing_its_journal_is_complete(story_dir, monkeypatch):
    folder = renamed(story_dir)

    def crash(path):
        raise Crash

    monkeypatch.setattr(journal.shutil, "rmtree", crash)
    with pytest.raises(Crash):
        folder.save()
    monkeypatch.undo()
    leftover = story_dir / STATE_DIR / journal.JOURNAL
    assert leftover.is_dir() and not journal.committed(story_dir)
    assert sorted(StoryFolder.open(story_dir).story.scenes) == [
        "finale",
        "left-hall",
        "nave",
        "right-hall",
        "start",
    ]
    assert not leftover.exists()


def test_a_save_of_one_file_needs_no_journal(story_dir, monkeypatch):
    folder = StoryFolder.open(story_dir)
    folder.story.scene("start").title = "Beginning"

    def no_journal(*args):
        raise AssertionError("a one-file save went through the journal")

    monkeypatch.setattr(journal, "_roll_forward", no_journal)
    assert folder.save() == ["scenes/start.yaml"]
    assert StoryFolder.open(story_dir).story.scene("start").title == "Beginning"


def _plant_journal(story_dir: Path, ops: list[dict], files: dict[str, bytes]) -> None:
    planted = story_dir / STATE_DIR / journal.JOURNAL
    planted.mkdir()
    for name, data in files.items():
        (planted / name).write_bytes(data)
    (planted / journal.MANIFEST).write_text(json.dumps({"format": journal.FORMAT, "ops": ops}))


@pytest.mark.parametrize(
    "path", ["../outside.yaml", "scenes/../../outside.yaml", "images/x.png", "/tmp/x.yaml"]
)
def test_a_journal_may_only_write_story_files_inside_the_folder(story_dir, path):
    _plant_journal(story_dir, [{"path": path, "file": "0"}], {"0": b"id: x\ntitle: X\n"})
    with pytest.raises(StoryError, match="journal of an interrupted save is damaged"):
        StoryFolder.open(story_dir)
    assert not (story_dir.parent / "outside.yaml").exists()


def test_a_damaged_journal_is_reported_not_guessed_at(story_dir):
    planted = story_dir / STATE_DIR / journal.JOURNAL
    planted.mkdir()
    (planted / journal.MANIFEST).write_text('{"format": 1, "ops": [{"path"')
    with pytest.raises(StoryError, match="move the .worldforge folder away") as err:
        StoryFolder.open(story_dir)
    assert err.value.path == planted / journal.MANIFEST


def _no_state_folder(root: Path) -> Path:
    raise OSError(errno.EROFS, "Read-only file system")


def _no_lock_file(self, timeout: float) -> None:
    raise PermissionError(errno.EACCES, "Permission denied")


@pytest.mark.parametrize(
    "refusal", [(writers, "_state_folder", _no_state_folder), (FileLock, "acquire", _no_lock_file)]
)
def test_a_folder_that_cannot_be_written_is_read_unless_a_save_waits_in_it(story_dir, monkeypatch, refusal):
    folder = StoryFolder.open(story_dir)
    folder.story.scene("start").title = "Beginning"
    monkeypatch.setattr(*refusal)
    assert StoryFolder.open(story_dir).story.scene("start").title == "Start"
    with pytest.raises(StoryError, match="cannot write in the story folder"):
        folder.save()
    _plant_journal(story_dir, [{"path": "scenes/start.yaml", "file": "0"}], {"0": b"id: start\ntitle: S\n"})
    with pytest.raises(StoryError, match="a save was interrupted here and must be finished"):
        StoryFolder.open(story_dir)


def test_worldforge_bookkeeping_is_ignored_by_git_and_by_the_loader(story_dir):
    assert (story_dir / ".gitignore").read_text() == ".worldforge/\n"
    assert (story_dir / STATE_DIR / ".gitignore").read_text() == "*\n"
    (story_dir / STATE_DIR / "notes.txt").write_text("not a scene")
    (story_dir / STATE_DIR / journal.UNCOMMITTED).mkdir()
    (story_dir / STATE_DIR / journal.UNCOMMITTED / "0").write_bytes(b"half a sce")
    result = CliRunner().invoke(cli, ["check", str(story_dir)])
    assert result.exit_code == 0, result.output
    assert not (story_dir / STATE_DIR / journal.UNCOMMITTED).exists()


def test_an_import_cut_short_leaves_no_story_and_can_run_again(story_dir, tmp_path, monkeypatch):
    picture = tmp_path / "pictures" / "images" / "a.png"
    picture.parent.mkdir(parents=True)
    picture.write_bytes(b"\x89PNG not really")
    story: Story = StoryFolder.open(story_dir).story
    story.scene("start").image = "images/a.png"
    dest = tmp_path / "imported"
    crash_at_replace(monkeypatch, 1)
    with pytest.raises(Crash):
        StoryFolder.create(dest, story, images={"images/a.png": picture.read_bytes()})
    monkeypatch.undo()
    # the picture went first; no story.yaml, so nothing refers to anything yet
    assert (dest / "images" / "a.png").read_bytes() == picture.read_bytes()
    with pytest.raises(StoryError, match="no story.yaml"):
        StoryFolder.open(dest)
    StoryFolder.create(dest, story, images={"images/a.png": picture.read_bytes()})
    assert StoryFolder.open(dest).story == story
