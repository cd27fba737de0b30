"""The `worldforge` command. Bare `worldforge` opens the studio (the TUI).

Subcommands live in their own modules and are imported only when run, so `--help`
stays fast and never pulls in torch, transformers, diffusers or textual.
"""

from __future__ import annotations

import importlib

import click

from worldforge import __version__
from worldforge.cli.output import echo
from worldforge.core.errors import StoryError

# command name -> "module:attribute", imported on first use
COMMANDS: dict[str, str] = {
    "new": "worldforge.cli.story:new",
    "check": "worldforge.cli.story:check",
    "graph": "worldforge.cli.story:graph",
    "expand": "worldforge.cli.text:expand",
    "context": "worldforge.cli.text:context",
    "accept": "worldforge.cli.text:accept",
    "models": "worldforge.cli.models:models",
    "export": "worldforge.cli.export:export",
    "import": "worldforge.cli.export:import_twee_command",
    "open": "worldforge.cli.studio:open_story",
    "serve": "worldforge.cli.serve:serve",
    "render": "worldforge.cli.image:render",
    "prompt": "worldforge.cli.image:prompt",
    "presets": "worldforge.cli.image:presets",
    "lore": "worldforge.cli.lore:lore",
    "branch": "worldforge.cli.scenes:branch",
    "link": "worldforge.cli.scenes:link",
    "unlink": "worldforge.cli.scenes:unlink",
    "delete": "worldforge.cli.scenes:delete",
    "rename": "worldforge.cli.scenes:rename",
    "path": "worldforge.cli.scenes:reading_path",
    "verify": "worldforge.cli.verify:verify",
    "sign": "worldforge.cli.sign:sign",
    "ledger": "worldforge.cli.ledger:ledger_command",
}
HELP: dict[str, str] = {
    "new": "Create a story folder from a seed.",
    "check": "Load a story and report problems of its graph.",
    "graph": "Print the branching tree, or write it for other tools.",
    "expand": "Stream model candidates continuing a scene; keep them in the story.",
    "context": "Show what the language model reads for a scene, and what was cut.",
    "accept": "Append a pending candidate to its scene.",
    "models": "List, download (pull) and build (tiny) models.",
    "export": "Write the story as a book (HTML, EPUB, PDF, Markdown) or Twee 3.",
    "import": "Read a Twee 3 file (worldforge or Twine) into a new story folder.",
    "open": "Open the studio (TUI) on a story; bare `worldforge` does too.",
    "serve": "Serve the studio to a web browser (textual-serve).",
    "render": "Illustrate a scene (or --all): candidates, grid, provenance in every PNG.",
    "prompt": "Show a scene's picture prompt and what the token limit cut.",
    "presets": "List the style presets, built-in and your own.",
    "lore": "Lore entries: give one a reference picture (the same face in every scene).",
    "branch": "Add a child scene under a scene.",
    "link": "Add a choice from one scene to another.",
    "unlink": "Remove a choice.",
    "delete": "Delete a scene (its links are listed; children re-attached).",
    "rename": "Change a scene's id everywhere.",
    "path": "Set or print the reading path used by the book.",
    "verify": "Check the signed content credentials (C2PA) of pictures, a story or a book.",
    "sign": "Sign a story's older, unsigned pictures from its records (never a tampered one).",
    "ledger": "What the story's generations cost: kWh, CO2e, FLOPs, kept vs discarded; a chart.",
}


class UserError(click.ClickException):
    """A problem the user can fix; exit code 2, no traceback."""

    exit_code = 2

    def show(self, file=None) -> None:
        echo(f"error: {self.format_message()}", err=True)


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name].split(":")
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, HELP.get(name, "")) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except StoryError as exc:
            raise UserError(str(exc)) from None


@click.group(cls=LazyGroup, invoke_without_command=True)
@click.version_option(__version__, prog_name="worldforge")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """worldforge: draft illustrated, branching stories with generative models."""
    if ctx.invoked_subcommand is None:
        studio = LazyGroup.get_command(cli, ctx, "open")
        if studio is not None:
            ctx.invoke(studio)


def main() -> None:
    cli(prog_name="worldforge")
