"""What the cluster tests compare: the pictures two runs put in their stories."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from worldforge.store import StoryFolder


def pictures(root: Path) -> dict[str, list[str]]:
    """Each scene's renders (named by the SHA-256 of the PNG before signing) and its choice."""
    story = StoryFolder.open(root).story
    return {sid: [r.image for r in scene.renders] + [scene.image] for sid, scene in story.scenes.items()}


def pixels(root: Path) -> dict[str, bytes]:
    story = StoryFolder.open(root).story
    return {sid: Image.open(root / scene.image).tobytes() for sid, scene in story.scenes.items()}
