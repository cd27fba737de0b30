"""An editing session on one story folder: every change undoable, saves on demand.

The TUI, the CLI and scripts share this: a change is made inside `with session.change(...)`,
which snapshots the story first, so undo and redo restore whole stories and can never leave
the graph half-edited. Typing in one scene coalesces into one undo step.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from worldforge.core.graph import StoryGraph
from worldforge.core.model import Story
from worldforge.store import StoryFolder

COALESCE_SECONDS = 2.0


@dataclass
class _Step:
    label: str
    before: Story
    key: object
    at: float


class Session:
    def __init__(self, folder: StoryFolder, history_limit: int = 200):
        self.folder = folder
        self.graph = StoryGraph(folder.story)
        self.history_limit = history_limit
        self._undo: list[_Step] = []
        self._redo: list[_Step] = []
        self.revision = 0
        self._saves = 0
        self._dirty: tuple[tuple[int, int], bool] | None = None

    @classmethod
    def open(cls, root: Path | str) -> Session:
        return cls(StoryFolder.open(root))

    @property
    def story(self) -> Story:
        return self.folder.story

    @property
    def root(self) -> Path:
        return self.folder.root

    @contextmanager
    def change(self, label: str, coalesce: object = None) -> Iterator[StoryGraph]:
        """Make an undoable change. On an exception the story is restored as it was before it.

        Changes with the same non-None `coalesce` key within a couple of seconds merge
        into one undo step (typing, dragging a slider).
        """
        now = time.monotonic()
        last = self._undo[-1] if self._undo else None
        merge = (
            coalesce is not None
            and last is not None
            and last.key == coalesce
            and now - last.at < COALESCE_SECONDS
            and not self._redo
        )
        rollback = self.story.copy()
        try:
            yield self.graph
        except BaseException:
            self._restore(rollback)
            raise
        if merge and last:
            # the merged step keeps the snapshot taken before the first keystroke of the burst
            last.at = now
        else:
            self._undo.append(_Step(label, rollback, coalesce, now))
            del self._undo[: -self.history_limit]
        self._redo.clear()
        self.revision += 1

    def _restore(self, story: Story) -> None:
        self.folder.story = story
        self.graph = StoryGraph(story)

    def _swap(self, source: list[_Step], target: list[_Step]) -> str | None:
        if not source:
            return None
        step = source.pop()
        target.append(_Step(step.label, self.story.copy(), None, 0.0))
        self._restore(step.before)
        self.revision += 1
        return step.label

    def undo(self) -> str | None:
        """Undo the last change; returns its label, or None when there is nothing to undo."""
        return self._swap(self._undo, self._redo)

    def redo(self) -> str | None:
        return self._swap(self._redo, self._undo)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def dirty(self) -> bool:
        """Unsaved changes? (Serialising the story to compare is costly: asked once per revision.)"""
        key = (self.revision, self._saves)
        if self._dirty is None or self._dirty[0] != key:
            self._dirty = (key, self.folder.dirty)
        return self._dirty[1]

    def reload(self) -> None:
        """Read the story again from disk, dropping unsaved changes and the undo history.

        The answer to StoryChangedOnDisk: another writer saved first, and its story is now
        the one to edit. History goes too: undoing to a story from before the reload and
        saving it would quietly overwrite the other writer's work."""
        self.folder = StoryFolder.open(self.root)
        self.graph = StoryGraph(self.folder.story)
        self._undo.clear()
        self._redo.clear()
        self.revision += 1

    def snapshot(self) -> StoryFolder:
        """The story as it is now, for a worker thread (export) that must not see later edits."""
        return self.folder.snapshot()

    def save(self) -> list[str]:
        try:
            return self.folder.save()
        finally:
            self._saves += 1
