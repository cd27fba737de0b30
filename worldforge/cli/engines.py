"""The engine a command runs, as the conductor chose it: the user told when it is noise, and
asked (by a flag) before it downloads anything."""

from __future__ import annotations

import click

from worldforge.cli import UserError
from worldforge.cli.output import echo
from worldforge.conductor.engines import Engine, EngineChoice

allow_download_option = click.option(
    "--allow-download",
    is_flag=True,
    help="Fetch the model's weights from the Hugging Face hub if they are not here "
    "(off by default: a story names its models, and opening one must not start a download).",
)


def announced(chosen: EngineChoice[Engine]) -> Engine:
    """The chosen engine; first, on stderr, why it is the tiny offline one if it is.

    A model that would have to be downloaded without --allow-download stops the command
    here, naming the model and who asked for it (the story, or the command line)."""
    wanted = chosen.download
    if wanted is not None:
        raise UserError(
            f"the {chosen.kind} model {wanted} is not on this machine ({chosen.reason}); worldforge "
            f"downloads a model only when asked: run `worldforge models pull {wanted}`, or pass "
            "--allow-download"
        )
    if chosen.warning:
        echo(f"note: {chosen.warning}", err=True)
    return chosen.engine
