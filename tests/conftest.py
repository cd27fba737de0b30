"""Shared fixtures: small stories built in memory and written through the real store."""

from __future__ import annotations

from pathlib import Path

import pytest

from worldforge.core.graph import StoryGraph
from worldforge.core.model import LoreEntry, Story, StoryMeta, World
from worldforge.store import StoryFolder


def build_story() -> Story:
    """start -> (left | right) -> merge -> end, plus a loop back from end to start."""
    meta = StoryMeta(
        title="The Foundry Choir",
        start="start",
        ifid="0F4C2E5A-9B1D-4C7E-8F3A-2D6B1E9C7A50",
        world=World(premise="A city of singing foundries.", memory="The choir forges machines."),
        lore=[
            LoreEntry(id="choir", keys=["choir"], text="The choir sings in shifts.", visual="robed singers")
        ],
    )
    story = Story(meta)
    graph = StoryGraph(story)
    graph.add_scene("Start", "The furnace woke.\n\nIt sang.\n", scene_id="start")
    left = graph.branch("start", "Left Hall", "Sparks everywhere.\n", label="Go left")
    right = graph.branch("start", "Right Hall", "Cold iron.\n", label="Go right")
    merge = graph.branch(left.id, "The Nave", "Both halls meet here.\n", label="Onward")
    graph.link(right.id, merge.id, "Onward")
    graph.branch(merge.id, "Finale", "The machine stood up.\n", label="Watch")
    return story


@pytest.fixture
def story() -> Story:
    return build_story()


@pytest.fixture
def story_dir(tmp_path: Path) -> Path:
    root = tmp_path / "foundry"
    StoryFolder.create(root, build_story())
    return root
