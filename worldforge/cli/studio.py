"""`worldforge open`: the studio (TUI) on a story folder, or a picker of stories."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from worldforge.cli.engines import allow_download_option

if TYPE_CHECKING:
    from worldforge.conductor import Session
    from worldforge.tui.app import Engines


def story_engines(
    text_choice: str | None,
    image_choice: str | None,
    allow_download: bool = False,
    timeout: float | None = None,
) -> Callable[[Session], Engines]:
    """How the studio picks each story's engines: the conductor's choice, with its reasons for
    any tiny offline model, which the studio's banner shows. A model that must be downloaded
    first is asked about in the studio unless `allow_download`."""
    from worldforge.conductor import choose_image_engine, choose_text_engine
    from worldforge.tui.app import Engines

    def engines_for(session: Session) -> Engines:
        text = choose_text_engine(session.story, text_choice, timeout=timeout, allow_download=allow_download)
        image = choose_image_engine(session.story, image_choice, allow_download)
        return Engines(text.engine, image.engine, tuple(w for w in (text.warning, image.warning) if w))

    return engines_for


@click.command("open")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--engine",
    "text_choice",
    default=None,
    help="Text model: tiny, a preset, a hub id, a folder, or a completion server's URL.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=None,
    metavar="SECONDS",
    help="How long a model server may stay silent (default 60).",
)
@click.option(
    "--image-engine", "image_choice", default=None, help="Image model: tiny, a preset, a hub id or a folder."
)
@allow_download_option
def open_story(
    directory: Path | None,
    text_choice: str | None,
    image_choice: str | None,
    allow_download: bool,
    timeout: float | None,
) -> None:
    """Open the studio on DIRECTORY (no argument: pick a story or start one from a seed)."""
    # textual-image asks the terminal about its graphics before the app takes the screen over
    import textual_image.widget  # noqa: F401

    from worldforge.conductor import Session
    from worldforge.tui.app import make_app

    engines_for = story_engines(text_choice, image_choice, allow_download, timeout)
    session = Session.open(directory) if directory else None
    # the story just loaded lives as long as the studio: keep the garbage collector's full
    # passes from walking its hundred thousand objects again and again (pauses of ~0.1 s
    # at 5,000 scenes, felt while typing)
    gc.freeze()
    make_app(session, engines_for=engines_for).run()
