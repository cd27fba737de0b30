"""The `worldforge` group itself: bare, it opens the studio."""

from __future__ import annotations

import click
from click.testing import CliRunner

from worldforge.cli import cli


def test_bare_worldforge_opens_the_studio(monkeypatch):
    import worldforge.cli.studio as studio

    opened = []
    monkeypatch.setattr(studio, "open_story", click.command("open")(lambda: opened.append(True)))
    result = CliRunner().invoke(cli, [])
    assert result.exit_code == 0, result.output
    assert opened == [True]
