"""A save that spans files reaches the disk all or nothing: a write-ahead journal.

Every new file of the save goes into `.worldforge/journal.new/` with a manifest (which file
goes where, which files are deleted); all of it is fsynced and the folder is renamed to
`.worldforge/journal`. That rename is the commit. Then each file is renamed into place and
the deletions are made, the story's folders are fsynced and the journal is removed.

Whoever next opens or saves the story, holding the folder's lock, finishes a committed
journal (a file still in the journal is moved into place, one already moved is skipped, so
finishing twice is harmless) and throws away an uncommitted one. After a crash at any moment
the story is the state before the save or the state after it, never a mix.

A save of a single file needs no journal: one atomic rename is already all or nothing.
Pictures are not journalled: they are content-addressed and written (and fsynced) before any
scene refers to them, so a crash can leave an unused picture but never a missing one.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from typing import Any

from worldforge.core.errors import StoryError
from worldforge.store.atomic import fsync_dir, mode_of, write_atomic, write_synced
from worldforge.store.paths import SCENES_DIR, STATE_DIR, STORY_FILE, inside

JOURNAL = "journal"
UNCOMMITTED = "journal.new"
MANIFEST = "manifest.json"
FORMAT = 1

# story-relative path -> new content, or None to delete the file
Changes = Mapping[str, bytes | None]


def commit(root: Path, changes: Changes) -> None:
    """Write `changes` to the story at `root` as one transaction. The caller holds the lock
    and has run `recover`, so no other journal is there."""
    if len(changes) == 1:
        ((rel, data),) = changes.items()
        _apply_alone(root / rel, data)
        return
    state = root / STATE_DIR
    building = state / UNCOMMITTED
    building.mkdir()
    ops: list[dict[str, str]] = []
    for number, (rel, data) in enumerate(changes.items()):
        if data is None:
            ops.append({"path": rel})
        else:
            name = str(number)
            _create_synced(building / name, data, mode_of(root / rel))
            ops.append({"path": rel, "file": name})
    _create_synced(building / MANIFEST, json.dumps({"format": FORMAT, "ops": ops}).encode(), 0o644)
    fsync_dir(building)
    journal = state / JOURNAL
    os.replace(building, journal)
    fsync_dir(state)
    _roll_forward(root, journal, ops)


def recover(root: Path) -> None:
    """Finish a committed save that was interrupted and discard an uncommitted one. The
    caller holds the lock."""
    state = root / STATE_DIR
    journal = state / JOURNAL
    if committed(root):
        _roll_forward(root, journal, _read_manifest(root, journal))
    for leftover in (state / UNCOMMITTED, journal):
        if leftover.is_dir():
            shutil.rmtree(leftover)


def committed(root: Path) -> bool:
    """Is a committed save waiting to be finished?"""
    return (root / STATE_DIR / JOURNAL / MANIFEST).is_file()


def _apply_alone(target: Path, data: bytes | None) -> None:
    if data is None:
        target.unlink(missing_ok=True)
        fsync_dir(target.parent)
    else:
        write_atomic(target, data)


def _create_synced(path: Path, data: bytes, mode: int) -> None:
    write_synced(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), data, mode)


def _roll_forward(root: Path, journal: Path, ops: list[dict[str, str]]) -> None:
    touched = {root}
    for op in ops:
        target = root / op["path"]
        if "file" in op:
            target.parent.mkdir(exist_ok=True)
            # a file missing from the journal was moved into place before the interruption
            with suppress(FileNotFoundError):
                os.replace(journal / op["file"], target)
        else:
            target.unlink(missing_ok=True)
        touched.add(target.parent)
    for folder in touched:
        fsync_dir(folder)
    # without its manifest the journal is no longer committed: what is left is litter
    (journal / MANIFEST).unlink()
    shutil.rmtree(journal)
    fsync_dir(journal.parent)


def _allowed(root: Path, rel: Any) -> bool:
    """Only story files, and only inside the folder: a journal that came with a downloaded
    story must not write anywhere else."""
    if not isinstance(rel, str):
        return False
    folder, _, name = rel.rpartition("/")
    if rel != STORY_FILE and not (
        folder == SCENES_DIR and name.endswith(".yaml") and not name.startswith(".") and "\\" not in name
    ):
        return False
    return inside(root, root / rel)


def _valid_op(root: Path, op: dict[str, Any]) -> bool:
    name = op.get("file", "0")
    return _allowed(root, op["path"]) and isinstance(name, str) and name.isdigit()


def _read_manifest(root: Path, journal: Path) -> list[dict[str, str]]:
    path = journal / MANIFEST
    try:
        manifest = json.loads(path.read_bytes())
        ops: list[dict[str, str]] = manifest["ops"]
        valid = manifest["format"] == FORMAT and all(_valid_op(root, op) for op in ops)
    except (OSError, ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        raise StoryError(
            "the journal of an interrupted save is damaged; move the .worldforge folder away "
            "to open the story as it is on disk",
            path,
        )
    return ops
