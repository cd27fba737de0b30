"""The story map: the graph as a tree from the start scene.

A scene reached a second time (a merge, or a loop) appears as a pointer back (↪) instead of
being drawn twice; scenes the start cannot reach are listed under their own heading.

The tree's shape (`StoryGraph.tree`) is cheap to compute even for thousands of scenes; what
costs is a widget node per line. So nodes are made lazily: a node's children when it is
opened, the way to the current scene, and at first as many whole levels as fit in a couple
of hundred lines (a small story opens fully). A title edit relabels that scene's nodes; a graph edit
rebuilds only the part that is open.
"""

from __future__ import annotations

from collections import deque

from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from worldforge.core.graph import StoryGraph, TreeStep

OPEN_AT_FIRST = 200  # lines shown open before the writer opens any: all of a small story
STRAYS = -1  # the step index standing for the "unreachable" heading


class StoryMap(Tree[str]):
    """Shows the story graph; posts `SceneChosen` when the conductor picks a scene."""

    BORDER_TITLE = "Story map"

    class SceneChosen(Message):
        def __init__(self, scene_id: str) -> None:
            super().__init__()
            self.scene_id = scene_id

    def __init__(self, **kwargs) -> None:
        super().__init__("story", **kwargs)
        self.show_root = False
        self.guide_depth = 2
        self._graph: StoryGraph | None = None
        self._current: str | None = None
        self._steps: list[TreeStep] = []
        self._below: dict[int, list[int]] = {}  # step -> the steps hanging below it
        self._first: dict[str, int] = {}  # scene id -> its one step that is not a pointer
        self._step_of: dict[int, int] = {}  # node id -> step, for the nodes made so far
        self._node_at: dict[int, TreeNode[str]] = {}  # step -> node, for the nodes made so far
        self._made: dict[str, list[int]] = {}  # scene id -> its steps that have nodes

    # -- the whole map ---------------------------------------------------------------------
    def show(self, graph: StoryGraph, current: str | None) -> None:
        """Draw `graph` afresh, keeping open what was open, with the cursor on `current`."""
        was_open = self._open_scenes() if self._graph is not None else None
        self._graph, self._current = graph, current
        self._steps = graph.tree()
        self._below = {STRAYS: []}
        self._first = {}
        for index, step in enumerate(self._steps):
            parent = STRAYS if step.parent is None and not step.reachable else step.parent
            if parent is not None:
                self._below.setdefault(parent, []).append(index)
            if not step.pointer:
                self._first[step.scene_id] = index
        self.clear()
        self._step_of, self._node_at, self._made = {}, {}, {}
        for index, step in enumerate(self._steps):
            if step.parent is None and step.reachable:
                self._add(self.root, index)
        if self._below[STRAYS]:
            heading = self.root.add(Text("⚠ unreachable", style="bold red"))
            self._step_of[heading.id] = STRAYS
            self._node_at[STRAYS] = heading
        self._reopen(self._first_view() if was_open is None else was_open)
        self.root.expand()
        self.select(current)

    def _key(self, step: int) -> str:
        """What stays open across rebuilds: a scene's one full step, by id ("" the heading)."""
        return self._steps[step].scene_id if step != STRAYS else ""

    def _open_scenes(self) -> set[str]:
        return {self._key(step) for step, node in self._node_at.items() if node.is_expanded}

    def _first_view(self) -> set[str]:
        """Open whole levels, from the top, while their lines fit in OPEN_AT_FIRST."""
        level = [self._step_of[node.id] for node in self.root.children]
        lines = len(level)
        opened: set[str] = set()
        while level:
            below = [b for step in level for b in self._below.get(step, [])]
            if not below or lines + len(below) > OPEN_AT_FIRST:
                break
            opened.update(self._key(step) for step in level if self._below.get(step))
            lines += len(below)
            level = below
        return opened

    def _reopen(self, scenes: set[str]) -> None:
        """Open the nodes of `scenes`, from the top, making the nodes that opening shows."""
        queue = deque(self.root.children)
        while queue:
            node = queue.popleft()
            step = self._step_of[node.id]
            if self._key(step) in scenes and self._below.get(step):
                self._expand(node)
                queue.extend(node.children)

    # -- nodes ---------------------------------------------------------------------------
    def _add(self, under: TreeNode[str], step: int) -> None:
        s = self._steps[step]
        node = under.add(self._label(step), data=s.scene_id, allow_expand=s.children > 0)
        self._step_of[node.id] = step
        self._node_at[step] = node
        self._made.setdefault(s.scene_id, []).append(step)

    def _expand(self, node: TreeNode[str]) -> None:
        """Open a node, making its children first if they are not made yet."""
        self._fill(node)
        if not node.is_expanded:
            node.expand()

    def _fill(self, node: TreeNode[str]) -> None:
        step = self._step_of.get(node.id)
        if step is None or node.children:
            return
        for below in self._below.get(step, []):
            self._add(node, below)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[str]) -> None:
        event.stop()
        self._fill(event.node)  # opened by the writer (a click, space): its children now

    def _label(self, step: int) -> Text:
        s = self._steps[step]
        assert self._graph is not None
        scene = self._graph.story.scenes[s.scene_id]
        text = Text()
        if s.label and s.label != scene.title:
            text.append(f"{s.label} → ", style="dim italic")
        if s.pointer:
            text.append("↪ ", style="bold magenta")
        text.append(scene.title, style="bold" if s.scene_id == self._current else "")
        if not s.pointer:
            if scene.image is None:
                text.append(" ◌", style="yellow")
            if not scene.links:
                text.append(" ■", style="cyan")
        return text

    # -- one scene -----------------------------------------------------------------------
    def relabel(self, scene_id: str) -> None:
        """Redraw the lines of one scene (its title changed): nothing else is touched."""
        for step in self._made.get(scene_id, ()):
            self._node_at[step].set_label(self._label(step))

    def select(self, current: str | None) -> None:
        """Make `current` the scene in bold under the cursor, opening the way to it (not the
        scene's own node: the writer may have closed it)."""
        previous, self._current = self._current, current
        if previous != current:
            for scene_id in (previous, current):
                if scene_id is not None:
                    self.relabel(scene_id)
        step = self._first.get(current) if current is not None else None
        if step is None:
            return
        above: list[int] = []  # the steps above this one, nearest first
        parent = self._steps[step].parent
        while parent is not None:
            above.append(parent)
            parent = self._steps[parent].parent
        if not self._steps[above[-1] if above else step].reachable:
            self._expand(self._node_at[STRAYS])
        for on_way in reversed(above):
            self._expand(self._node_at[on_way])
        self.last_line  # noqa: B018 - lays the lines out, so the node knows its line
        self.move_cursor(self._node_at[step])

    def on_tree_node_selected(self, event: Tree.NodeSelected[str]) -> None:
        event.stop()
        if event.node.data:
            self.post_message(self.SceneChosen(event.node.data))
