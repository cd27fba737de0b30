"""Graph edits from the command line: the same operations the studio's keys make."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from worldforge.cli.output import echo
from worldforge.conductor import Session, link_scenes
from worldforge.core.errors import StoryError
from worldforge.core.graph import GraphError, StoryGraph

T = TypeVar("T")
STORY = click.argument("directory", type=click.Path(file_okay=False, path_type=Path))


def _edit(directory: Path, label: str, fn: Callable[[StoryGraph], T]) -> T:
    session = Session.open(directory)
    try:
        with session.change(label) as graph:
            result = fn(graph)
    except (GraphError, ValueError) as err:
        raise StoryError(str(err), directory) from None
    session.save()
    return result


@click.command()
@STORY
@click.argument("parent")
@click.argument("title")
@click.option("--label", default="", help="The choice's text (default: the title).")
@click.option("--text", default="", help="The new scene's text.")
def branch(directory: Path, parent: str, title: str, label: str, text: str) -> None:
    """Add a child scene TITLE reached from PARENT."""
    child = _edit(directory, "Branch", lambda g: g.branch(parent, title, text, label))
    echo(f"added {child.id} under {parent}")


@click.command()
@STORY
@click.argument("source")
@click.argument("target")
@click.option("--label", default="", help="The choice's text (default: the target's title).")
def link(directory: Path, source: str, target: str, label: str) -> None:
    """Add a choice from SOURCE to TARGET."""
    _edit(directory, "Link", lambda g: link_scenes(g, source, target, label))
    echo(f"linked {source} -> {target}")


@click.command()
@STORY
@click.argument("source")
@click.argument("target")
def unlink(directory: Path, source: str, target: str) -> None:
    """Remove the choice from SOURCE to TARGET."""
    _edit(directory, "Unlink", lambda g: g.unlink(source, target))
    echo(f"unlinked {source} -> {target}")


@click.command()
@STORY
@click.argument("scene")
@click.option(
    "--reattach/--no-reattach",
    default=True,
    show_default=True,
    help="Link the scene's parents straight to its children.",
)
@click.confirmation_option(prompt="Delete this scene and its choices?")
def delete(directory: Path, scene: str, reattach: bool) -> None:
    """Delete SCENE; every link it had is listed."""
    removed = _edit(directory, "Delete", lambda g: g.delete(scene, reattach=reattach))
    for source, gone in removed:
        echo(f"removed link {source} -> {gone.to} [{gone.label}]")
    echo(f"deleted {scene}")


@click.command()
@STORY
@click.argument("old")
@click.argument("new")
def rename(directory: Path, old: str, new: str) -> None:
    """Give scene OLD the id NEW, rewriting every link to it."""
    _edit(directory, "Rename", lambda g: g.rename(old, new))
    echo(f"renamed {old} -> {new}")


@click.command("path")
@STORY
@click.argument("scenes", required=False)
def reading_path(directory: Path, scenes: str | None) -> None:
    """Set the book's reading path to SCENES (comma separated), or print it."""
    if scenes is None:
        graph = StoryGraph(Session.open(directory).story)
        echo(" -> ".join(s.id for s in graph.reading_order()))
        return
    path = [s.strip() for s in scenes.split(",") if s.strip()]

    def set_path(graph: StoryGraph) -> None:
        graph.reading_order(path)  # refuses a path whose steps are not choices
        graph.story.meta.reading_path = path

    _edit(directory, "Reading path", set_path)
    echo("reading path: " + " -> ".join(path))
