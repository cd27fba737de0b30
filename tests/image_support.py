"""Small illustrated stories for the image tests."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from worldforge.core.graph import StoryGraph
from worldforge.core.model import LoreEntry, Story, StoryMeta, World
from worldforge.engines.image.protocol import ImageSettings
from worldforge.store import StoryFolder


def png_bytes(colour: tuple[int, int, int], size: int = 48) -> bytes:
    """A plain picture, as a writer's reference file would be."""
    out = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(out, "PNG")
    return out.getvalue()


def tiny_settings(**changes) -> ImageSettings:
    values = {"width": 64, "height": 64, "steps": 4, "guidance": 0.0, "candidates": 1, "seed": 11}
    return ImageSettings(**{**values, **changes})


def lighthouse_story() -> Story:
    """start -> storm -> (shore | wreck); lore on the keeper and the lamp."""
    meta = StoryMeta(
        title="The Last Lamp",
        start="start",
        world=World(style=["muted palette", "oil on canvas"], negative_prompt="text, watermark"),
        lore=[
            LoreEntry(
                id="keeper",
                keys=["Ines"],
                text="Ines keeps the lamp.",
                visual="old woman in a yellow raincoat",
            ),
            LoreEntry(
                id="lamp", keys=["lamp"], text="The lamp is Fresnel glass.", visual="huge brass Fresnel lamp"
            ),
            LoreEntry(
                id="ghost",
                keys=["ship"],
                secondary_keys=["ghost"],
                text="A ghost ship.",
                visual="translucent galleon",
            ),
        ],
    )
    story = Story(meta)
    graph = StoryGraph(story)
    graph.add_scene("The Lighthouse", "INES climbed the stairs. The wind hit the glass.\n", scene_id="start")
    graph.branch("start", "Storm", "A ship fought the waves below the lamp.\n", label="Look out")
    graph.branch("storm", "Shore", "Ines ran to the shore.\n", label="Run")
    graph.branch("storm", "Wreck", "The ghost ship broke on the rocks.\n", label="Watch")
    return story


def make_story_dir(root: Path) -> Path:
    StoryFolder.create(root, lighthouse_story())
    return root
