"""`worldforge export` and `worldforge import`: storybooks out, Twee back in."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from worldforge.cli.output import echo
from worldforge.core.errors import StoryError


def _warn(lines: list[str], limit: int = 20) -> None:
    for line in lines[:limit]:
        echo(f"warning: {line}", err=True)
    if len(lines) > limit:
        echo(f"warning: ... and {len(lines) - limit} more", err=True)


@click.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "epub", "pdf", "twee", "md"]),
    default="html",
    show_default=True,
    help="What to write.",
)
@click.option("--gamebook", is_flag=True, help="Every reachable scene as a numbered section: 'turn to 17'.")
@click.option("--path", "path_ids", metavar="S1,S2,...", help="Scene ids of the reading path to print.")
@click.option(
    "--show-prompts", is_flag=True, help="Print each picture's prompt under it (secret ones stay secret)."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: <story folder name>[-gamebook].<format> here).",
)
def export(
    directory: Path, fmt: str, gamebook: bool, path_ids: str | None, show_prompts: bool, output: Path | None
) -> None:
    """Write the story in DIRECTORY as a book (html, epub, pdf, md) or as Twee 3 for Twine.

    A book follows one reading path (the story's chosen one, --path, or the first choices),
    or with --gamebook holds every reachable scene. Missing pictures get a placeholder and
    a warning. Twee always holds the whole story, with its pictures copied next to it.
    """
    from worldforge.export import default_output, export_story
    from worldforge.store import StoryFolder

    folder = StoryFolder.open(directory)
    path = [part.strip() for part in path_ids.split(",") if part.strip()] if path_ids else None
    if fmt == "twee" and (gamebook or path or show_prompts):
        _warn(["--gamebook, --path and --show-prompts shape books; Twee holds the whole story"])
    out = output or default_output(folder, fmt, gamebook)
    root = folder.root.resolve()
    target = out.resolve()
    if target == root / "story.yaml" or root / "scenes" in target.parents or target.parent == root / "images":
        raise StoryError("refusing to write the book into the story's own files; choose another -o", out)
    bar_holder: dict[str, object] = {}

    def start_bar(book) -> None:
        _warn(book.warnings)
        bar = click.progressbar(length=len(book.chapters), label=f"writing {fmt}", file=sys.stderr)
        bar_holder["bar"] = bar.__enter__()

    try:
        result = export_story(
            folder,
            fmt,
            out,
            gamebook=gamebook,
            path=path,
            show_prompts=show_prompts,
            progress=lambda n: bar_holder["bar"].update(n),  # type: ignore[attr-defined]
            on_book=start_bar,
        )
    finally:
        if "bar" in bar_holder:
            bar_holder["bar"].__exit__(None, None, None)  # type: ignore[attr-defined]
    if fmt == "twee":
        _warn(result.warnings)
    noun = "passages" if fmt == "twee" else ("sections" if gamebook else "chapters")
    echo(f"wrote {result.path} ({result.chapters} {noun}, {len(result.warnings)} warnings)")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--images",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder holding images/<file> for the story's pictures (default: the Twee file's folder).",
)
def import_twee_command(file: Path, directory: Path, images: Path | None) -> None:
    """Read the Twee 3 FILE (from worldforge or Twine) into a new story folder DIRECTORY."""
    from worldforge.export import import_twee

    folder, warnings = import_twee(file, directory, images)
    _warn(warnings)
    story = folder.story
    echo(f"created {directory}/ with {len(story.scenes)} scenes (start: {story.meta.start!r})")
