"""Recently opened stories, kept in the user's config folder (see `worldforge.locations`)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from worldforge.locations import recent_stories_file
from worldforge.store.atomic import write_atomic

LIMIT = 12


def recent() -> list[Path]:
    try:
        items = json.loads((recent_stories_file()).read_text())
    except (OSError, ValueError):
        return []
    paths = [Path(p) for p in items if isinstance(p, str)]
    return [p for p in paths if (p / "story.yaml").is_file()]


def remember(story_dir: Path) -> None:
    path = str(Path(story_dir).resolve())
    items = [path] + [str(p) for p in recent() if str(p) != path]
    # remembering is a convenience; never fail opening a story over it
    with contextlib.suppress(OSError):
        write_atomic(recent_stories_file(), json.dumps(items[:LIMIT], indent=1).encode())


def discover(base: Path) -> list[Path]:
    """Recent stories first, then story folders under ./stories."""
    found = recent()
    stories = base / "stories"
    if stories.is_dir():
        for child in sorted(stories.iterdir()):
            if (child / "story.yaml").is_file() and child.resolve() not in [p.resolve() for p in found]:
                found.append(child)
    return found
