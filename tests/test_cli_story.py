from __future__ import annotations

import json
import shutil
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from worldforge.cli import cli
from worldforge.store import StoryFolder

EXAMPLE = Path(__file__).resolve().parents[1] / "stories" / "socialist-gundam"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_new_creates_a_loadable_story(tmp_path: Path):
    target = tmp_path / "mecha"
    result = run("new", str(target), "--title", "Red Harbour", "--seed", "A Socialist Gundam wakes.")
    assert result.exit_code == 0, result.output
    story = StoryFolder.open(target).story
    assert story.title == "Red Harbour"
    assert story.start.text == "A Socialist Gundam wakes.\n"
    again = run("new", str(target), "--title", "x", "--seed", "y")
    assert again.exit_code == 2 and "already exists" in again.output


def test_check_exit_codes(story_dir: Path):
    assert run("check", str(story_dir)).exit_code == 0
    (story_dir / "scenes" / "island.yaml").write_text("id: island\ntitle: Island\n")
    result = run("check", str(story_dir))
    assert result.exit_code == 1
    assert "'island' cannot be reached" in result.output


def test_graph_tree_shows_branches_merges_and_endings(story_dir: Path):
    result = run("graph", str(story_dir))
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "Start (start) ◌",
        "├─ [Go left] Left Hall (left-hall) ◌",
        "│  └─ [Onward] The Nave (the-nave) ◌",
        "│     └─ [Watch] Finale (finale) ◌ ■",
        "└─ [Go right] Right Hall (right-hall) ◌",
        "   └─ [Onward] ↪ The Nave (the-nave)",
    ]


@pytest.mark.parametrize("fmt", ["dot", "graphml", "json"])
def test_graph_formats_are_readable_by_other_tools(story_dir: Path, tmp_path: Path, fmt: str):
    out = tmp_path / f"g.{fmt}"
    assert run("graph", str(story_dir), "--format", fmt, "-o", str(out)).exit_code == 0
    if fmt == "json":
        g = nx.node_link_graph(json.loads(out.read_text()), edges="links")
    elif fmt == "graphml":
        g = nx.read_graphml(out)
    else:
        import pydot

        (parsed,) = pydot.graph_from_dot_file(str(out))
        g = nx.nx_pydot.from_pydot(parsed)
    assert {str(n).strip('"') for n in g.nodes} == {"start", "left-hall", "right-hall", "the-nave", "finale"}
    assert g.number_of_edges() == 5


def test_example_story_passes_check(tmp_path: Path):
    copy = tmp_path / "sg"
    shutil.copytree(EXAMPLE, copy)
    result = run("check", str(copy))
    assert result.exit_code == 0, result.output
    story = StoryFolder.open(copy).story
    assert len(story.scenes) >= 6 and len(story.meta.lore) >= 5
    folder = StoryFolder.open(copy)
    assert folder.save() == []


def test_graph_to_an_unwritable_place_is_a_clear_error(story_dir: Path, tmp_path: Path):
    result = run("graph", str(story_dir), "--format", "json", "-o", str(tmp_path / "missing" / "g.json"))
    assert result.exit_code == 2 and "cannot write the graph" in result.output


def test_export_refuses_to_write_over_the_story(story_dir: Path):
    before = (story_dir / "story.yaml").read_bytes()
    result = run("export", str(story_dir), "-o", str(story_dir / "story.yaml"))
    assert result.exit_code == 2 and "refusing" in result.output
    assert (story_dir / "story.yaml").read_bytes() == before


def test_a_long_linear_story_prints_without_recursion_limits(tmp_path: Path):
    from worldforge.cli.story import tree_lines
    from worldforge.core.graph import StoryGraph
    from worldforge.core.model import Scene, Story, StoryMeta

    story = Story(StoryMeta(title="Long", start="s0"), {"s0": Scene(id="s0", title="S0")})
    graph = StoryGraph(story)
    previous = "s0"
    for n in range(1, 3000):
        previous = graph.branch(previous, f"S{n}").id
    lines = tree_lines(graph)
    assert len(lines) == 3000 and lines[-1].endswith("(s2999) ◌ ■")


def test_graph_tree_lists_unreachable_scenes_once_under_a_heading(story_dir: Path):
    (story_dir / "scenes" / "island.yaml").write_text("id: island\ntitle: Island\nlinks:\n- to: islet\n")
    (story_dir / "scenes" / "islet.yaml").write_text("id: islet\ntitle: Islet\n")
    lines = run("graph", str(story_dir)).output.splitlines()
    assert lines[-3] == "unreachable:"
    assert lines[-2] == "  Island (island) ◌"
    assert lines[-1] == "  └─ Islet (islet) ◌ ■"
