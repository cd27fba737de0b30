"""Lore commands: a lore entry's reference picture, so a character looks the same in every scene."""

from __future__ import annotations

from pathlib import Path

import click

from worldforge import conductor as use_case
from worldforge.cli.output import echo
from worldforge.store import StoryFolder


@click.group()
def lore() -> None:
    """Lore entries of a story."""


@lore.command("ref")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.argument("entry")
@click.argument("image", required=False)
@click.option("--from-scene", help="Use this scene's chosen picture.")
@click.option("--clear", is_flag=True, help="Remove the entry's reference picture.")
@click.option("--strength", type=click.FloatRange(0, 1), help="How strongly it conditions (default 0.5).")
def ref(
    directory: Path,
    entry: str,
    image: str | None,
    from_scene: str | None,
    clear: bool,
    strength: float | None,
) -> None:
    """Give lore ENTRY a reference picture: IMAGE (a file, copied into the story) or
    --from-scene SCENE. Scenes that mention the entry are rendered conditioned on it."""
    if sum((image is not None, from_scene is not None, clear)) != 1 and strength is None:
        raise click.UsageError("give an IMAGE, --from-scene SCENE or --clear")
    folder = StoryFolder.open(directory)
    updated = use_case.set_reference(folder, entry, image, from_scene, strength, clear)
    folder.save()
    if updated.reference:
        echo(f"{updated.id}: reference {updated.reference} at strength {updated.reference_strength:g}")
    else:
        echo(f"{updated.id}: no reference picture")
