"""Two writers on one story folder (the studio and a CLI command, or two studios).

A save holds the folder's lock (`.worldforge/lock`) while it checks that the files it will
replace are still the ones it read and while it writes them, so check and write are one
step: the second of two writers finds the first one's files and is refused with
`StoryChangedOnDisk` instead of overwriting them. Opening holds the lock too, so a story is
never read half-way through someone else's save, and an interrupted save is finished first.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from worldforge.core.errors import StoryError
from worldforge.store.paths import STATE_DIR

LOCK_FILE = "lock"
# a save takes milliseconds and opening a big story a few seconds: a lock held longer than
# this belongs to a process that is stuck
LOCK_TIMEOUT = 10.0


class StoryChangedOnDisk(StoryError):
    """A file this save would replace was written by someone else since the story was read.
    Nothing was saved; reopening the story (`Session.reload`) shows the other writer's work."""


class StoryLocked(StoryError):
    """Another process held the story folder's lock for longer than LOCK_TIMEOUT."""


def _state_folder(root: Path) -> Path:
    """`.worldforge/`, with a .gitignore of its own so that git never sees it, even in story
    folders made before it existed."""
    state = root / STATE_DIR
    state.mkdir(exist_ok=True)
    ignore = state / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")
    return state


@contextmanager
def hold(root: Path, *, reading: bool = False, wait: float | None = None) -> Iterator[bool]:
    """Hold the story folder's lock, waiting at most `wait` seconds (default LOCK_TIMEOUT);
    yields True. A reader (`reading`) of a folder it may not write reads without the lock, and
    is told so by a False."""
    wait = LOCK_TIMEOUT if wait is None else wait
    try:
        lock = FileLock(_state_folder(root) / LOCK_FILE)
        lock.acquire(timeout=wait)
    except Timeout:
        raise StoryLocked(
            f"another worldforge has held this story's lock for over {wait:g} s; "
            "nothing was written: try again when it is done",
            root / STATE_DIR / LOCK_FILE,
        ) from None
    except OSError as exc:
        if not reading:
            raise StoryError(f"cannot write in the story folder: {exc.strerror}", root) from None
        yield False
        return
    try:
        yield True
    finally:
        lock.release()
