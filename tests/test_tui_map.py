"""The story map and the status line at scale: nodes made lazily, a title edit touching one
node, graph edits keeping what is open, and the graph checks run off the edit path."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.widgets.tree import TreeNode

from worldforge.tui import problems
from worldforge.tui.widgets.scene_editor import SceneEditor
from worldforge.tui.widgets.status_bar import StatusBar
from worldforge.tui.widgets.story_map import OPEN_AT_FIRST, StoryMap

from .tui_support import finish, studio, tree_story

SCENES = 1500


def made(node: TreeNode[str]) -> list[TreeNode[str]]:
    """Every node below `node` that exists as a widget node (opened or not)."""
    nodes = []
    for child in node.children:
        nodes.append(child)
        nodes.extend(made(child))
    return nodes


def nodes_of(tree: StoryMap, scene_id: str) -> list[TreeNode[str]]:
    return [node for node in made(tree.root) if node.data == scene_id]


@pytest.fixture
def big_story(tmp_path: Path) -> Path:
    return tree_story(tmp_path / "tree", SCENES)


@asynccontextmanager
async def opened(story: Path) -> AsyncIterator[tuple]:
    """The studio on `story`, its first frame drawn: (app, pilot, map)."""
    app = studio(story)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        yield app, pilot, app.query_one(StoryMap)


@pytest.mark.asyncio
async def test_a_large_story_makes_nodes_only_for_what_is_open(big_story: Path):
    async with opened(big_story) as (app, pilot, tree):
        assert len(made(tree.root)) <= 2 * OPEN_AT_FIRST < SCENES
        # a deep scene: the way to it opens, and the cursor stands on it
        deep = f"t{SCENES - 1}"
        app.studio.go_to(deep)
        await pilot.pause()
        assert tree.cursor_node is not None and tree.cursor_node.data == deep
        way = app.studio.session.graph.ancestors_path(deep)
        assert [n.data for n in nodes_of(tree, way[-2])][0] == way[-2]
        assert all(nodes_of(tree, sid)[0].is_expanded for sid in way[:-1])
        # a closed node the writer opens gets its children then
        closed = next(n for n in made(tree.root) if n.allow_expand and not n.is_expanded)
        assert not closed.children
        tree.move_cursor(closed)
        tree.focus()
        await pilot.press("space")
        await pilot.pause()
        assert closed.is_expanded and len(closed.children) == 2


@pytest.mark.asyncio
async def test_a_title_edit_relabels_its_node_and_rebuilds_nothing(big_story: Path):
    async with opened(big_story) as (app, pilot, tree):
        before = made(tree.root)
        editor = app.query_one(SceneEditor)
        editor.title_input.focus()
        await pilot.press("end", *" of iron")
        await pilot.pause()
        assert made(tree.root) == before  # the very same node objects: no rebuild
        assert "Scene 0 of iron" in str(nodes_of(tree, "t0")[0].label)


@pytest.mark.asyncio
async def test_a_graph_edit_keeps_open_what_the_writer_opened(big_story: Path):
    async with opened(big_story) as (app, pilot, tree):
        closed = next(n for n in made(tree.root) if n.allow_expand and not n.is_expanded)
        closed.expand()
        kept_open = closed.data
        await pilot.pause()
        app.studio.go_to("t2")
        await pilot.press("ctrl+b", *"Quarry", "enter")
        await finish(pilot, app)
        assert app.studio.current == "quarry"
        assert tree.cursor_node is not None and tree.cursor_node.data == "quarry"
        assert nodes_of(tree, kept_open)[0].is_expanded
        assert len(made(tree.root)) <= 2 * OPEN_AT_FIRST + 4


@pytest.mark.asyncio
async def test_graph_checks_run_in_a_worker_and_reach_the_status_line(story_dir: Path, monkeypatch):
    threads: list[threading.Thread] = []
    check = problems.check_story

    def watched(graph):
        threads.append(threading.current_thread())
        return check(graph)

    monkeypatch.setattr(problems, "check_story", watched)
    app = studio(story_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.7)
        await finish(pilot, app)
        await pilot.press("f8", *"Island", "enter")  # a scene the start cannot reach
        await pilot.pause(0.7)
        await finish(pilot, app)
        assert "0 errors, 1 warnings" in str(app.query_one(StatusBar).render())
    assert threads and threading.main_thread() not in threads
