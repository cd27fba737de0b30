"""Where things are in a story folder, and the one check every path from a file must pass."""

from __future__ import annotations

from pathlib import Path

STORY_FILE = "story.yaml"
SCENES_DIR = "scenes"
IMAGES_DIR = "images"
# worldforge's own bookkeeping (lock, save journal): never story content, never exported
STATE_DIR = ".worldforge"


def inside(root: Path, path: Path) -> bool:
    """Does `path`, with every symlink followed, stay within `root`?"""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True
