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

        nodes: list[TreeNode[str]] = []
        heading: TreeNode[str] | None = None
        for step in graph.tree():
            if step.parent is not None:
                under = nodes[step.parent]
            elif step.reachable:
                under = self.root
            else:
                if heading is None:
                    heading = self.root.add(Text("⚠ unreachable", style="bold red"), expand=True)
                under = heading
            label = label_for(step.scene_id, step.label, step.pointer)
            node = under.add(label, data=step.scene_id, expand=True, allow_expand=step.children > 0)
            nodes.append(node)
            if step.scene_id == current and not step.pointer and cursor_node is None:
                cursor_node = node
        self.root.expand()
        if cursor_node is not None:
            self.move_cursor(cursor_node)

    def on_tree_node_selected(self, event: Tree.NodeSelected[str]) -> None:
        event.stop()
        if event.node.data:
            self.post_message(self.SceneChosen(event.node.data))
