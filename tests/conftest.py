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


# -- image engine: one tiny offline pipeline for the whole session ------------------------
@pytest.fixture(scope="session", autouse=True)
def worldforge_home(tmp_path_factory: pytest.TempPathFactory):
    """Models and user presets go to temporary folders, never to the user's own."""
    import os

    home = tmp_path_factory.mktemp("worldforge-home")
    saved = {key: os.environ.get(key) for key in ("WORLDFORGE_HOME", "WORLDFORGE_CONFIG")}
    os.environ["WORLDFORGE_HOME"] = str(home / "cache")
    os.environ["WORLDFORGE_CONFIG"] = str(home / "config")
    yield home
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def tiny_image(worldforge_home):
    """The tiny random-weight SD pipeline, built once, loaded through from_pretrained."""
    import torch

    from worldforge.engines.image_registry import tiny_image_engine

    # tiny layers gain nothing from threads, and on a busy 2-core machine OpenMP's spinning
    # makes a 0.1 s render take 6 s
    torch.set_num_threads(1)
    engine = tiny_image_engine()
    engine.load()
    return engine
