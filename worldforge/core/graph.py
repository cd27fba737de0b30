"""The story graph: scenes as nodes, choices as edges, kept in step with the scenes.

The scenes' `links` are the source of truth (as in Twee); the networkx DiGraph is rebuilt
from them on construction and updated by every edit made through this class.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import networkx as nx

from worldforge.core.model import Link, Scene, Story


@dataclass(frozen=True)
class TreeStep:
    """One line of the story drawn as a tree (see `StoryGraph.tree`)."""

    scene_id: str
    parent: int | None  # index of the parent step; None for a root
    label: str  # the choice leading here ("" for a root)
    last: bool  # the last choice of its parent
    pointer: bool  # reached again (a merge or a loop): drawn as a pointer, not expanded
    reachable: bool  # False for the roots listed after the start's tree
    children: int  # how many steps hang below this one


class GraphError(ValueError):
    """An edit that would break the story (unknown scene, duplicate id, ...)."""


def slugify(text: str, fallback: str = "scene") -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:48].strip("-")
    return slug or fallback


class StoryGraph:
    def __init__(self, story: Story):
        self.story = story
        self.g: nx.DiGraph = nx.DiGraph()
        for scene in story.scenes.values():
            self.g.add_node(scene.id)
        for scene in story.scenes.values():
            for link in scene.links:
                if link.to in story.scenes:
                    self.g.add_edge(scene.id, link.to, label=link.label)

    def resync(self, scene_ids: Iterable[str]) -> None:
        """Bring the choices of these scenes back in step with their links (after an undo
        replaced them); the set of scenes must be unchanged, else build a new graph."""
        for sid in scene_ids:
            self.g.remove_edges_from(list(self.g.out_edges(sid)))
            for link in self._need(sid).links:
                if link.to in self.story.scenes:
                    self.g.add_edge(sid, link.to, label=link.label)

    # -- ids ---------------------------------------------------------------
    def new_id(self, title: str) -> str:
        base = slugify(title)
        candidate, n = base, 2
        while candidate in self.story.scenes:
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def _need(self, scene_id: str) -> Scene:
        if scene_id not in self.story.scenes:
            raise GraphError(f"no scene {scene_id!r}")
        return self.story.scenes[scene_id]

    def scene(self, scene_id: str) -> Scene:
        """The scene, or a GraphError naming the missing id."""
        return self._need(scene_id)

    # -- edits -------------------------------------------------------------
    def add_scene(self, title: str, text: str = "", scene_id: str | None = None) -> Scene:
        scene_id = scene_id or self.new_id(title)
        if scene_id in self.story.scenes:
            raise GraphError(f"a scene with id {scene_id!r} already exists")
        scene = Scene(id=scene_id, title=title, text=text)
        self.story.scenes[scene_id] = scene
        self.g.add_node(scene_id)
        return scene

    def branch(self, parent_id: str, title: str, text: str = "", label: str = "") -> Scene:
        """A new child scene reached from `parent_id` by a choice labelled `label`."""
        self._need(parent_id)
        child = self.add_scene(title, text)
        self.link(parent_id, child.id, label or title)
        return child

    def link(self, source: str, target: str, label: str = "") -> Link:
        scene = self._need(source)
        self._need(target)
        if scene.link_to(target):
            raise GraphError(f"{source!r} already links to {target!r}")
        link = Link(to=target, label=label)
        scene.links = [*scene.links, link]
        self.g.add_edge(source, target, label=label)
        return link

    def relabel(self, source: str, target: str, label: str) -> None:
        scene = self._need(source)
        if not scene.link_to(target):
            raise GraphError(f"{source!r} has no link to {target!r}")
        scene.links = [Link(to=x.to, label=label if x.to == target else x.label) for x in scene.links]
        if self.g.has_edge(source, target):
            self.g.edges[source, target]["label"] = label

    def unlink(self, source: str, target: str) -> Link:
        scene = self._need(source)
        link = scene.link_to(target)
        if link is None:
            raise GraphError(f"{source!r} has no link to {target!r}")
        scene.links = [x for x in scene.links if x.to != target]
        if self.g.has_edge(source, target):
            self.g.remove_edge(source, target)
        return link

    def delete(self, scene_id: str, reattach: bool = False) -> list[tuple[str, Link]]:
        """Remove a scene. Returns the links that pointed to or from it.

        With `reattach`, every parent is linked to each of the deleted scene's children
        (keeping the child link's label), so no path through the story is lost.
        """
        scene = self._need(scene_id)
        if scene_id == self.story.meta.start:
            raise GraphError(f"{scene_id!r} is the start scene; choose another start first")
        others = [p for p in self.parents(scene_id) if p != scene_id]
        incoming = [(p, self.story.scenes[p].link_to(scene_id)) for p in others]
        outgoing = [(scene_id, link) for link in scene.links]
        for parent, _ in incoming:
            self.unlink(parent, scene_id)
        del self.story.scenes[scene_id]
        self.g.remove_node(scene_id)
        path = self.story.meta.reading_path
        if scene_id in path:
            # the book's path now ends where the deleted scene stood
            self.story.meta.reading_path = path[: path.index(scene_id)]
        if reattach:
            for parent, _ in incoming:
                for _, link in outgoing:
                    target = link.to
                    fresh = not self.story.scenes[parent].link_to(target)
                    if target in self.story.scenes and target != parent and fresh:
                        self.link(parent, target, link.label)
        return [(p, link) for p, link in incoming if link] + outgoing

    def rename(self, old: str, new: str) -> Scene:
        """Give a scene a new id, rewriting every link and the reading path."""
        scene = self._need(old)
        if new in self.story.scenes:
            raise GraphError(f"a scene with id {new!r} already exists")
        renamed = scene.model_copy(update={"id": new})
        Scene.model_validate(renamed.model_dump())
        parents = self.parents(old)
        self.story.scenes = {
            (new if sid == old else sid): (renamed if sid == old else s)
            for sid, s in self.story.scenes.items()
        }
        for parent in parents:
            s = self.story.scenes[new if parent == old else parent]
            s.links = [Link(to=new if x.to == old else x.to, label=x.label) for x in s.links]
        meta = self.story.meta
        if meta.start == old:
            meta.start = new
        meta.reading_path = [new if x == old else x for x in meta.reading_path]
        nx.relabel_nodes(self.g, {old: new}, copy=False)
        return renamed

    def move(self, scene_id: str, old_parent: str, new_parent: str) -> Link:
        """Re-hang a scene under another parent, keeping the choice's label."""
        link = self.unlink(old_parent, scene_id)
        return self.link(new_parent, scene_id, link.label)

    # -- reading -----------------------------------------------------------
    def parents(self, scene_id: str) -> list[str]:
        """The scenes with a choice leading here, in story order."""
        found = list(self.g.predecessors(scene_id)) if scene_id in self.g else []
        if len(found) > 1:
            order = {sid: i for i, sid in enumerate(self.story.scenes)}
            found.sort(key=order.__getitem__)
        return found

    def children(self, scene_id: str) -> list[str]:
        return [link.to for link in self._need(scene_id).links if link.to in self.story.scenes]

    def ancestors_path(self, scene_id: str) -> list[str]:
        """One path from the start to `scene_id` (shortest), or just the scene if unreachable."""
        start = self.story.meta.start
        try:
            path: list[str] = nx.shortest_path(self.g, start, scene_id)
            return path
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            return [scene_id]

    def paths(self, limit: int = 1000) -> Iterator[list[str]]:
        """Simple paths from the start to each dead end (cycles are not followed)."""
        start = self.story.meta.start
        if start not in self.g:
            return
        count = 0
        stack: list[tuple[str, list[str]]] = [(start, [start])]
        while stack and count < limit:
            node, path = stack.pop()
            nexts = [c for c in self.children(node) if c not in path]
            if not nexts:
                count += 1
                yield path
            for child in reversed(nexts):
                stack.append((child, [*path, child]))

    def reading_order(self, path: list[str] | None = None) -> list[Scene]:
        """The scenes of one reading path: the given one, the story's chosen one, or the
        path that always takes the first choice."""
        chosen = path or self.story.meta.reading_path
        if chosen:
            for a, b in zip(chosen, chosen[1:], strict=False):
                if not self.g.has_edge(a, b):
                    raise GraphError(f"reading path breaks: {a!r} has no link to {b!r}")
            return [self._need(s) for s in chosen]
        order: list[str] = []
        node = self.story.meta.start
        while node in self.story.scenes and node not in order:
            order.append(node)
            kids = self.children(node)
            node = kids[0] if kids else ""
        return [self.story.scenes[s] for s in order]

    def tree(self) -> list[TreeStep]:
        """The story as a tree, depth first from the start, then the scenes it cannot reach.

        A scene met a second time is a pointer step with nothing below it. Walked with an
        explicit stack: a long linear story must not hit Python's recursion limit.
        """
        scenes = self.story.scenes
        steps: list[TreeStep] = []
        shown: set[str] = set()

        def walk(root: str, reachable: bool) -> None:
            stack: list[tuple[str, int | None, str, bool]] = [(root, None, "", True)]
            while stack:
                scene_id, parent, label, last = stack.pop()
                pointer = scene_id in shown
                kids = [] if pointer else [x for x in scenes[scene_id].links if x.to in scenes]
                steps.append(TreeStep(scene_id, parent, label, last, pointer, reachable, len(kids)))
                shown.add(scene_id)
                here = len(steps) - 1
                for i, link in reversed(list(enumerate(kids))):
                    stack.append((link.to, here, link.label, i == len(kids) - 1))

        if self.story.meta.start in scenes:
            walk(self.story.meta.start, True)
        for scene_id in scenes:
            if scene_id not in shown:
                walk(scene_id, False)
        return steps

    def reachable(self) -> set[str]:
        start = self.story.meta.start
        if start not in self.g:
            return set()
        below: set[str] = nx.descendants(self.g, start)
        return {start} | below
