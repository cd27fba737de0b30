"""The story map: the graph as a tree from the start scene.

A scene reached a second time (a merge, or a loop) appears as a pointer back (↪) instead of
being drawn twice; scenes the start cannot reach are listed under their own heading.
"""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from worldforge.core.graph import StoryGraph


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

    def show(self, graph: StoryGraph, current: str | None) -> None:
        story = graph.story
        self.clear()
        shown: set[str] = set()
        cursor_node: TreeNode[str] | None = None

        def label_for(scene_id: str, link_label: str, pointer: bool) -> Text:
            scene = story.scenes[scene_id]
            text = Text()
            if link_label and link_label != scene.title:
                text.append(f"{link_label} → ", style="dim italic")
            if pointer:
                text.append("↪ ", style="bold magenta")
            text.append(scene.title, style="bold" if scene_id == current else "")
            if not pointer:
                if scene.image is None:
                    text.append(" ◌", style="yellow")
                if not scene.links:
                    text.append(" ■", style="cyan")
            return text

        def add(parent: TreeNode[str], root: str, root_label: str) -> None:
            # an explicit stack: a long linear story must not hit Python's recursion limit
            nonlocal cursor_node
            stack: list[tuple[TreeNode[str], str, str]] = [(parent, root, root_label)]
            while stack:
                under, scene_id, link_label = stack.pop()
                pointer = scene_id in shown
                kids = [] if pointer else [x for x in story.scenes[scene_id].links if x.to in story.scenes]
                label = label_for(scene_id, link_label, pointer)
                node = under.add(label, data=scene_id, expand=True, allow_expand=bool(kids))
                if pointer:
                    continue
                shown.add(scene_id)
                if scene_id == current and cursor_node is None:
                    cursor_node = node
                for link in reversed(kids):
                    stack.append((node, link.to, link.label))

        if story.meta.start in story.scenes:
            add(self.root, story.meta.start, "")
        lost = [sid for sid in story.scenes if sid not in shown]
        if lost:
            heading = self.root.add(Text("⚠ unreachable", style="bold red"), expand=True)
            for sid in lost:
                if sid not in shown:
                    add(heading, sid, "")
        self.root.expand()
        if cursor_node is not None:
            self.move_cursor(cursor_node)

    def on_tree_node_selected(self, event: Tree.NodeSelected[str]) -> None:
        event.stop()
        if event.node.data:
            self.post_message(self.SceneChosen(event.node.data))
