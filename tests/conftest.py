"""Shared fixtures: small stories built in memory and written through the real store; tiny models.

Nothing here touches the user's real caches: WORLDFORGE_HOME points at a temporary folder
for the whole session, and tiny models are built there once."""

from __future__ import annotations

import os
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


@pytest.fixture(scope="session", autouse=True)
def worldforge_home(tmp_path_factory):
    """Models (WORLDFORGE_HOME) and user presets (WORLDFORGE_CONFIG) go to temporary folders."""
    home = tmp_path_factory.mktemp("worldforge-home")
    saved = {
        key: os.environ.get(key) for key in ("WORLDFORGE_HOME", "WORLDFORGE_CONFIG", "WORLDFORGE_ENERGY")
    }
    os.environ["WORLDFORGE_HOME"] = str(home)
    os.environ["WORLDFORGE_CONFIG"] = str(home / "config")
    # the energy tests meter generations themselves; elsewhere the meter's hardware probe
    # (1.5 s) would be paid again by every command run in a subprocess
    os.environ["WORLDFORGE_ENERGY"] = "off"
    yield home
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def tiny_text_model(worldforge_home):
    """The tiny random-weight GPT-2, built once per session into the test home."""
    from worldforge.engines.text.tiny import ensure_tiny_text_model

    return ensure_tiny_text_model()


@pytest.fixture(scope="session")
def tiny_torch_engine(tiny_text_model):
    from worldforge.engines.text.registry import text_engine

    engine = text_engine("tiny", backend="transformers")
    engine.load()
    return engine


@pytest.fixture(scope="session")
def tiny_ct2_engine(tiny_text_model):
    from worldforge.engines.text.registry import text_engine

    engine = text_engine("tiny", backend="ctranslate2")
    engine.load()
    return engine


@pytest.fixture(params=["transformers", "ctranslate2"])
def tiny_engine(request):
    """The tiny model on each backend, so every engine test runs on both code paths."""
    fixture = "tiny_torch_engine" if request.param == "transformers" else "tiny_ct2_engine"
    return request.getfixturevalue(fixture)


# -- image engine: one tiny offline pipeline for the whole session ------------------------
@pytest.fixture(scope="session")
def tiny_image(worldforge_home):
    """The tiny random-weight SD pipeline, built once, loaded through from_pretrained."""
    import torch

    from worldforge.engines.image.registry import tiny_image_engine

    # tiny layers gain nothing from threads, and on a busy 2-core machine OpenMP's spinning
    # makes a 0.1 s render take 6 s
    torch.set_num_threads(1)
    engine = tiny_image_engine()
    engine.load()
    return engine
