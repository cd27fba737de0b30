"""`worldforge ledger DIR`: what the story's generations cost, and a bar chart of it."""

from __future__ import annotations

from pathlib import Path

import click

from worldforge.cli.output import echo
from worldforge.core.ledger import GROUPINGS, Chart, chart, ledger
from worldforge.core.ledger_report import report
from worldforge.store import StoryFolder


def bar_chart(data: Chart, width: int = 80) -> str:
    """A horizontal bar chart in plain characters (no colour: it goes through `echo`); its
    title is printed above it, whole (plotext cuts a title to the plot's width)."""
    import plotext as plt

    plt.clear_figure()
    plt.theme("clear")
    plt.bar(data.labels, data.values, orientation="horizontal", width=0.3)
    plt.xlabel(data.unit)
    plt.plotsize(width, max(8, 3 * len(data.labels) + 6))
    return str(plt.uncolorize(plt.build()))


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--by", type=click.Choice(GROUPINGS), default="scene", show_default=True, help="Bars per …")
@click.option("--chart/--no-chart", "draw", default=True, help="Draw the bar chart under the table.")
def ledger_command(directory: Path, by: str, draw: bool) -> None:
    """Print the energy ledger of the story in DIRECTORY: kWh, CO2e, FLOPs, wall time,
    generations kept vs discarded, per model, kind, scene and for the reading path."""
    story = StoryFolder.open(directory).story
    book = ledger(story)
    for line in report(book, story.meta.title):
        echo(line)
    if draw and book.total.generations:
        data = chart(book, by)
        echo()
        echo(data.title)
        echo(bar_chart(data))
