"""An editing session on one story folder: every change undoable, saves on demand.

The TUI, the CLI and scripts share this: a change is made inside `with session.change(...)`.
The session notes every scene's state before it (by reference: no copy) and keeps in the
undo step only the scenes the change touched, plus the story's metadata when that changed,
so an undo step costs what the edit changed, not what the story holds. Undo and redo restore
exactly those scenes, so they can never leave the graph half-edited. Typing in one scene
coalesces into one undo step.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from worldforge.core.graph import StoryGraph
from worldforge.core.model import SceneState, Story, StoryMeta, scene_from_state, scene_state
from worldforge.store import StoryFolder

COALESCE_SECONDS = 2.0


@dataclass
class _Delta:
    """What a change replaced: the touched scenes' states (None: the scene did not exist),
    the metadata if it changed, the scene order if scenes came or went."""

    scenes: dict[str, SceneState | None]
    meta: StoryMeta | None = None
    order: tuple[str, ...] | None = None

    def absorb(self, earlier: _Delta) -> None:
        """Merge a change made before this one: the earlier states win (they are older)."""
        self.scenes.update(earlier.scenes)
        self.meta = earlier.meta or self.meta
        self.order = earlier.order or self.order


@dataclass
class _Step:
    label: str
    before: _Delta
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
        # scenes changed, undone or redone since the last save: the only ones `dirty` looks at
        self._unsaved: set[str] = set()

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
    def change(
        self, label: str, coalesce: object = None, touches: Collection[str] | None = None
    ) -> Iterator[StoryGraph]:
        """Make an undoable change. On an exception the story is restored as it was before it.

        Changes with the same non-None `coalesce` key within a couple of seconds merge
        into one undo step (typing, dragging a slider).

        With `touches`, only those scenes (and the metadata) are watched: typing in one scene of
        a story of thousands then costs nothing per keystroke. Such a change must not touch
        other scenes, add or remove any.
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
        scenes = self.story.scenes
        watched = scenes.keys() if touches is None else [sid for sid in touches if sid in scenes]
        states = {sid: scene_state(scenes[sid]) for sid in watched}
        meta = self.story.meta.model_copy(deep=True)
        order = tuple(scenes) if touches is None else None
        count = len(scenes)
        try:
            yield self.graph
        except BaseException:
            self._restore(self._delta(states, meta, order))
            raise
        if order is None and len(self.story.scenes) != count:
            raise RuntimeError(f"{label!r} was declared to touch {touches} only, but added or removed scenes")
        delta = self._delta(states, meta, order)
        self._unsaved.update(delta.scenes)
        if merge and last:
            # the merged step keeps the states from before the first keystroke of the burst
            delta.absorb(last.before)
            last.before, last.at = delta, now
        else:
            self._undo.append(_Step(label, delta, coalesce, now))
            del self._undo[: -self.history_limit]
        self._redo.clear()
        self.revision += 1

    def _delta(self, states: dict[str, SceneState], meta: StoryMeta, order: tuple[str, ...] | None) -> _Delta:
        """The delta that takes the story back to `states`, `meta` and `order` (None: the
        scenes were not all watched, and none came or went)."""
        scenes = self.story.scenes
        touched: dict[str, SceneState | None] = {
            sid: state
            for sid, state in states.items()
            if sid not in scenes or scene_state(scenes[sid]) != state
        }
        if order is not None:
            touched.update({sid: None for sid in scenes if sid not in states})
        return _Delta(
            touched,
            meta if meta != self.story.meta else None,
            order if order is not None and tuple(scenes) != order else None,
        )

    def _now(self, delta: _Delta) -> _Delta:
        """The delta that takes the story back to how it is now, from after `delta` is applied."""
        scenes = self.story.scenes
        return _Delta(
            {sid: scene_state(scenes[sid]) if sid in scenes else None for sid in delta.scenes},
            self.story.meta.model_copy(deep=True) if delta.meta is not None else None,
            tuple(scenes) if delta.order is not None else None,
        )

    def _restore(self, delta: _Delta) -> None:
        story = self.story
        for sid, state in delta.scenes.items():
            if state is None:
                story.scenes.pop(sid, None)
            else:
                story.scenes[sid] = scene_from_state(state)
        if delta.meta is not None:
            story.meta = delta.meta.model_copy(deep=True)
        if delta.order is not None:
            story.scenes = {sid: story.scenes[sid] for sid in delta.order}
        # the graph depends on the scenes only: a new one when scenes came or went, else the
        # touched scenes' choices are brought back in step
        if delta.order is not None:
            self.graph = StoryGraph(story)
        else:
            self.graph.resync(list(delta.scenes))

    def _swap(self, source: list[_Step], target: list[_Step]) -> str | None:
        if not source:
            return None
        step = source.pop()
        target.append(_Step(step.label, self._now(step.before), None, 0.0))
        self._restore(step.before)
        self._unsaved.update(step.before.scenes)
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
        """Unsaved changes? Only the scenes changed since the last save are compared."""
        return self.folder.changed(self._unsaved)

    def reload(self) -> None:
        """Read the story again from disk, dropping unsaved changes and the undo history.

        The answer to StoryChangedOnDisk: another writer saved first, and its story is now
        the one to edit. History goes too: undoing to a story from before the reload and
        saving it would quietly overwrite the other writer's work."""
        self.folder = StoryFolder.open(self.root)
        self.graph = StoryGraph(self.folder.story)
        self._undo.clear()
        self._redo.clear()
        self._unsaved.clear()
        self.revision += 1

    def snapshot(self) -> StoryFolder:
        """The story as it is now, for a worker thread (export) that must not see later edits."""
        return self.folder.snapshot()

    def save(self, wait: float | None = None) -> list[str]:
        """Write every change (the whole story is compared: edits made around the session count
        too). `wait`: how long another writer's lock may delay the save (then StoryLocked)."""
        written = self.folder.save(wait)
        self._unsaved.clear()
        return written
