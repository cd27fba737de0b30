"""`worldforge sign DIR`: sign the story's pictures made before worldforge signed them."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from worldforge.cli.output import echo


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def sign(directory: Path) -> None:
    """Sign every unsigned picture in the story in DIRECTORY with content credentials (C2PA),
    from what the story's records say: title, model and revision, the init picture of an
    image-to-image render, the candidates of a contact sheet.

    A valid picture is left byte for byte. A tampered picture (a signature that no longer
    holds, or an unsigned picture changed since its render: its name is its content's hash)
    is reported and left as it is, never re-signed: signing it would make a changed picture
    look genuine. Restore it from a copy, or render the scene again. A picture no render in
    the story made stays unsigned (no model to credit). Each file is replaced atomically.
    Exit 0 when every picture is valid afterwards, 1 otherwise.
    """
    from worldforge.conductor.signing import LEFT_VALID, SIGNED, sign_story_pictures
    from worldforge.store import StoryFolder

    results = sign_story_pictures(StoryFolder.open(directory))
    counts: dict[str, int] = {}
    for result in results:
        counts[result.outcome] = counts.get(result.outcome, 0) + 1
        if result.outcome != LEFT_VALID:
            echo(f"{result.outcome:<8}  {result.image}" + (f"  {result.note}" if result.note else ""))
    summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
    echo(f"{len(results)} picture{'s' * (len(results) != 1)}: {summary or 'none'}")
    sys.exit(0 if set(counts) <= {SIGNED, LEFT_VALID} else 1)
