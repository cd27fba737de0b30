"""Schema migrations: each step takes story.yaml data from version N to N+1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from worldforge.core.errors import StoryError
from worldforge.core.model import SCHEMA_VERSION

Migration = Callable[[dict[str, Any]], dict[str, Any]]

# version N -> function producing version N+1 data. Version 1 is the first public format.
MIGRATIONS: dict[int, Migration] = {}


def migrate(data: dict[str, Any], path: Path, current: int = SCHEMA_VERSION) -> dict[str, Any]:
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise StoryError(f"schema_version must be a positive whole number, found {version!r}", path)
    if version > current:
        raise StoryError(
            f"this story uses schema_version {version}, written by a newer worldforge; "
            f"this one reads up to {current}. Upgrade worldforge to open it.",
            path,
        )
    while version < current:
        step = MIGRATIONS.get(version)
        if step is None:
            raise StoryError(f"no migration from schema_version {version}", path)
        data = step(dict(data))
        version += 1
        data["schema_version"] = version
    return data
