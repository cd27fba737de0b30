"""The engine a command runs, as the conductor chose it, with the user told when it is noise."""

from __future__ import annotations

from worldforge.cli.output import echo
from worldforge.conductor.engines import Engine, EngineChoice


def announced(chosen: EngineChoice[Engine]) -> Engine:
    """The chosen engine; first, on stderr, why it is the tiny offline one if it is."""
    if chosen.warning:
        echo(f"note: {chosen.warning}", err=True)
    return chosen.engine
