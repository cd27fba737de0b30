"""Checks of a story's shape: what a conductor should know before sharing a book."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import networkx as nx

from worldforge.core.graph import StoryGraph

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Problem:
    severity: Severity
    code: str
    message: str
    scene: str | None = None


def check_story(graph: StoryGraph) -> list[Problem]:
    story = graph.story
    problems: list[Problem] = []
    if story.meta.start not in story.scenes:
        problems.append(Problem("error", "missing-start", f"start scene {story.meta.start!r} does not exist"))
    for scene in story.scenes.values():
        for link in scene.links:
            if link.to not in story.scenes:
                problems.append(
                    Problem(
                        "error",
                        "missing-target",
                        f"scene {scene.id!r} links to missing scene {link.to!r}",
                        scene.id,
                    )
                )
    for sid in story.meta.reading_path:
        if sid not in story.scenes:
            problems.append(
                Problem("error", "missing-path-scene", f"reading path names missing scene {sid!r}")
            )
    lore_ids = [entry.id for entry in story.meta.lore]
    for dup in sorted({i for i in lore_ids if lore_ids.count(i) > 1}):
        problems.append(Problem("error", "duplicate-lore", f"lore id {dup!r} is used twice"))

    reachable = graph.reachable()
    for sid in story.scenes:
        if story.meta.start in story.scenes and sid not in reachable:
            problems.append(
                Problem("warning", "unreachable", f"scene {sid!r} cannot be reached from the start", sid)
            )
    for sid in story.scenes:
        if graph.g.out_degree(sid) == 0:
            problems.append(Problem("info", "dead-end", f"scene {sid!r} is an ending (no choices)", sid))
        if story.scenes[sid].image is None:
            problems.append(Problem("info", "no-image", f"scene {sid!r} has no chosen image", sid))
    for cycle in nx.simple_cycles(graph.g, length_bound=50):
        loop = " -> ".join([*cycle, cycle[0]])
        problems.append(Problem("info", "cycle", f"loop: {loop}", cycle[0]))
    return problems


def exit_code(problems: list[Problem]) -> int:
    """0 when clean, 1 with warnings, 2 when the story is invalid."""
    severities = {p.severity for p in problems}
    if "error" in severities:
        return 2
    if "warning" in severities:
        return 1
    return 0
