"""Text from a shared story or preset never reaches the terminal as control sequences, and
never writes DOT of its own."""

from __future__ import annotations

import re

import pydot
import pytest
from click.testing import CliRunner

from worldforge.cli import cli
from worldforge.locations import user_presets_dir
from worldforge.store import StoryFolder

ESC = "\x1b]0;owned\x07\x1b[2J\x9b31m"


def _relabel(folder: StoryFolder, label: str) -> None:
    scene = folder.story.scene("start")
    scene.links = [scene.links[0].model_copy(update={"label": label}), *scene.links[1:]]


@pytest.fixture
def hostile_dir(story_dir):
    folder = StoryFolder.open(story_dir)
    folder.story.meta.title = f"Title {ESC}"
    folder.story.scene("start").title = f"Start {ESC}"
    _relabel(folder, f"Go {ESC}")
    folder.story.meta.start = "nowhere"  # so that `check` quotes the story back
    folder.save()
    return story_dir


@pytest.mark.parametrize("args", [["check"], ["graph"], ["graph", "--format", "dot"]])
def test_story_text_is_printed_without_control_characters(hostile_dir, args):
    result = CliRunner().invoke(cli, [*args, str(hostile_dir)])
    assert "Start" in result.output or "nowhere" in result.output, result.output
    assert not any(c in result.output for c in "\x1b\x07\x9b")


def test_preset_descriptions_are_printed_without_control_characters():
    folder = user_presets_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "evil.yaml").write_text(f'description: "Nice {ESC.encode("unicode_escape").decode()}"\n')
    try:
        result = CliRunner().invoke(cli, ["presets"])
    finally:
        (folder / "evil.yaml").unlink()
    assert "evil" in result.output and "Nice" in result.output
    assert not any(c in result.output for c in "\x1b\x07\x9b")


def _dot_text(quoted: str) -> str:
    """The text of a quoted DOT string: a backslash makes the next character literal."""
    return re.sub(r"\\(.)", r"\1", quoted[1:-1])


def test_a_title_with_backslash_quote_stays_one_dot_label(story_dir):
    folder = StoryFolder.open(story_dir)
    title, label = 'x\\" ]; evil [label="pwn', 'a\\" ]; b -> c [x="y'
    folder.story.scene("start").title = title
    _relabel(folder, label)
    folder.save()
    story = folder.story
    result = CliRunner().invoke(cli, ["graph", "--format", "dot", str(story_dir)])
    (graph,) = pydot.graph_from_dot_data(result.output)
    nodes = {node.get_name().strip('"'): node for node in graph.get_nodes()}
    assert set(nodes) == set(story.scenes)
    assert len(graph.get_edges()) == sum(len(scene.links) for scene in story.scenes.values())
    assert _dot_text(nodes["start"].get("label")) == title
    first = story.scene("start").links[0].to
    (edge,) = [
        e for e in graph.get_edges() if (e.get_source(), e.get_destination().strip('"')) == ("start", first)
    ]
    assert _dot_text(edge.get("label")) == label
