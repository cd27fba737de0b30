"""Choices between scenes, as the studio and the commands make them."""

from __future__ import annotations

from worldforge.core.graph import StoryGraph
from worldforge.core.model import Link


def link_scenes(graph: StoryGraph, source: str, target: str, label: str = "") -> Link:
    """A choice from `source` to `target`. Without a label the reader is shown the target's
    title, so a link made in a hurry still reads as a choice in the book and in Twine."""
    return graph.link(source, target, label or graph.scene(target).title)
