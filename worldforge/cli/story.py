"""Story-folder commands: new, check, graph."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from worldforge.cli.output import clean, echo
from worldforge.conductor.stories import new_story
from worldforge.core.checks import check_story, exit_code
from worldforge.core.errors import StoryError
from worldforge.core.graph import StoryGraph, slugify
from worldforge.store import StoryFolder


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", required=True, help="Title of the story.")
@click.option("--seed", "seed_text", required=True, help="The seed: first lines of the story.")
@click.option("--premise", default="", help="One paragraph on what the world is.")
def new(directory: Path, title: str, seed_text: str, premise: str) -> None:
    """Create a story in DIRECTORY with a start scene holding the seed text."""
    new_story(directory, title, seed_text, premise)
    echo(f"created {directory}/ with start scene 'start'")


@click.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--quiet", "-q", is_flag=True, help="Only the exit code and errors.")
def check(directory: Path, quiet: bool) -> None:
    """Load a story and list problems. Exit 0 ok, 1 warnings, 2 invalid."""
    story = StoryFolder.open(directory).story
    problems = check_story(StoryGraph(story))
    marks = {"error": "✗", "warning": "!", "info": "·"}
    for problem in problems:
        if quiet and problem.severity != "error":
            continue
        echo(f"{marks[problem.severity]} {problem.severity}: {problem.message}")
    code = exit_code(problems)
    if not quiet:
        counts = {s: sum(p.severity == s for p in problems) for s in ("error", "warning")}
        verdict = ["ok", "ok with warnings", "invalid"][code]
        echo(
            f"{story.title}: {len(story.scenes)} scenes, {counts['error']} errors, "
            f"{counts['warning']} warnings: {verdict}"
        )
    sys.exit(code)


def tree_lines(graph: StoryGraph) -> list[str]:
    """The branching story as an indented tree; merges and loops point back up."""
    story = graph.story
    lines: list[str] = []
    prefixes: list[str] = []  # what each step's children are indented by
    heading = False
    for step in graph.tree():
        scene = story.scenes[step.scene_id]
        if step.parent is None:
            if not step.reachable and not heading:
                lines.append("unreachable:")
                heading = True
            indent, branch = ("" if step.reachable else "  "), ""
            prefixes.append(indent)
        else:
            indent, branch = prefixes[step.parent], "└─ " if step.last else "├─ "
            prefixes.append(indent + ("   " if step.last else "│  "))
        choice = f"[{step.label}] " if step.label and step.label != scene.title else ""
        if step.pointer:
            lines.append(f"{indent}{branch}{choice}↪ {scene.title} ({step.scene_id})")
            continue
        mark = "" if scene.image else " ◌"
        ending = " ■" if not scene.links else ""
        lines.append(f"{indent}{branch}{choice}{scene.title} ({step.scene_id}){mark}{ending}")
    return lines


@click.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["tree", "dot", "graphml", "json"]),
    default="tree",
    show_default=True,
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
def graph(directory: Path, fmt: str, output: Path | None) -> None:
    """Print the branching tree (◌ no picture, ■ ending), or write dot/graphml/json."""
    story_graph = StoryGraph(StoryFolder.open(directory).story)
    text = render_graph(story_graph, fmt)
    if output:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise StoryError(f"cannot write the graph: {exc.strerror}", output) from None
        echo(f"wrote {output}")
    else:
        echo(text, nl=not text.endswith("\n"))


def render_graph(story_graph: StoryGraph, fmt: str) -> str:
    import networkx as nx

    if fmt == "tree":
        return "\n".join(tree_lines(story_graph)) + "\n"
    g = story_graph.g.copy()
    for sid in g.nodes:
        scene = story_graph.story.scenes[sid]
        g.nodes[sid]["title"] = clean(scene.title)
        g.nodes[sid]["image"] = scene.image or ""
    for _, _, data in g.edges(data=True):
        data["label"] = clean(data.get("label") or "")
    if fmt == "json":
        return json.dumps(nx.node_link_data(g, edges="links"), indent=2, ensure_ascii=False) + "\n"
    if fmt == "graphml":
        return "\n".join(nx.generate_graphml(g)) + "\n"
    # pydot quotes `"` but leaves backslashes: `\"` in a title would end the quoted label
    # early and start DOT of its own (another node, an attribute); a doubled backslash is
    # a literal one to Graphviz
    for sid in g.nodes:
        g.nodes[sid]["label"] = g.nodes[sid].pop("title").replace("\\", "\\\\")
        g.nodes[sid].pop("image")
    for _, _, data in g.edges(data=True):
        data["label"] = data["label"].replace("\\", "\\\\")
    pydot_graph = nx.nx_pydot.to_pydot(nx.relabel_nodes(g, {n: slugify(n, n) for n in g.nodes}))
    return pydot_graph.to_string()
