"""Starting a story: a folder with a start scene holding the seed."""

from __future__ import annotations

from pathlib import Path

from worldforge.core.model import Scene, Story, StoryMeta, World
from worldforge.store import StoryFolder


def new_story(directory: Path | str, title: str, seed: str, premise: str = "") -> StoryFolder:
    """Create a story folder whose start scene is the seed text. Refuses to overwrite a story."""
    start = Scene(id="start", title=title, text=seed.strip() + "\n")
    meta = StoryMeta(title=title, start=start.id, world=World(premise=premise))
    return StoryFolder.create(directory, Story(meta, {start.id: start}))
