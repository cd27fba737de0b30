"""Pure story domain: no I/O, no models, no UI."""

from worldforge.core.errors import StoryError
from worldforge.core.graph import GraphError, StoryGraph
from worldforge.core.model import (
    SCHEMA_VERSION,
    Link,
    LoreEntry,
    Provenance,
    Render,
    Scene,
    Story,
    StoryMeta,
    TextCandidate,
    World,
)

__all__ = [
    "SCHEMA_VERSION",
    "GraphError",
    "Link",
    "LoreEntry",
    "Provenance",
    "Render",
    "Scene",
    "Story",
    "StoryError",
    "StoryGraph",
    "StoryMeta",
    "TextCandidate",
    "World",
]
