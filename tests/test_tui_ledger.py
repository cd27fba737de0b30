"""F10 (or the command palette) shows the energy ledger `worldforge ledger` prints, and a chart."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Label, Log
from textual_plotext import PlotextPlot

from tests.ledger_story import story as metered_story
from worldforge.core.ledger import ledger
from worldforge.core.ledger_report import report
from worldforge.store import StoryFolder
from worldforge.tui.screens.ledger import LedgerScreen

from .tui_support import finish, run_command, studio


def shown(app, widget_id: str) -> str:
    return str(app.screen.query_one(widget_id, Label).render())


def table(app) -> str:
    return "\n".join(line.rstrip() for line in app.screen.query_one("#ledger-table", Log).lines)


@pytest.mark.asyncio
async def test_f10_shows_the_cli_table_and_a_bar_chart_per_scene_model_and_kind(tmp_path: Path):
    root = tmp_path / "metered"
    StoryFolder.create(root, metered_story())
    app = studio(root)
    async with app.run_test(size=(170, 50)) as pilot:
        await pilot.press("f10")
        await finish(pilot, app)
        assert isinstance(app.screen, LedgerScreen)
        story = StoryFolder.open(root).story
        lines = table(app)
        assert lines == "\n".join(report(ledger(story), story.title))
        assert "6 generations, 3 kept, 2 discarded, 1 pending" in lines
        assert "Measured by hardware counters: cpu, gpu. Estimated by power models: cpu, ram." in lines
        plot = app.screen.query_one("#ledger-chart", PlotextPlot)
        titles = []
        for _ in range(3):
            titles.append(shown(app, "#ledger-chart-title"))
            drawn = plot.render().plain  # type: ignore[union-attr]
            assert plot.display and "kWh" in drawn and "█" in drawn
            await pilot.press("g")
            await pilot.pause()
        what = "kWh: metered (codecarbon); 1 unmetered generation(s) not in it"
        assert titles == [f"Energy per {by}, {what}" for by in ("scene", "model", "kind")]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, LedgerScreen)


@pytest.mark.asyncio
async def test_the_command_palette_opens_the_ledger_of_an_unmetered_story(story_dir: Path):
    app = studio(story_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_command(pilot, "energy ledger")
        await finish(pilot, app)
        assert isinstance(app.screen, LedgerScreen)
        assert "Nothing was metered" in table(app)
        assert not app.screen.query_one("#ledger-chart", PlotextPlot).display
        assert "nothing to chart" in shown(app, "#ledger-chart-title")


@pytest.mark.asyncio
async def test_a_ledger_that_cannot_be_counted_says_why(story_dir: Path, monkeypatch):
    def broken(story):
        raise ValueError("energy record without a model")

    monkeypatch.setattr("worldforge.tui.screens.ledger.ledger", broken)
    app = studio(story_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f10")
        await finish(pilot, app)
        assert isinstance(app.screen, LedgerScreen)
        lines = table(app)
        assert "counting" not in lines
        assert "The ledger could not be counted: ValueError: energy record without a model" in lines
        assert shown(app, "#ledger-chart-title") == "Nothing to chart."
        await pilot.press("g")  # regrouping a ledger that was never counted changes nothing
        await pilot.pause()
        assert shown(app, "#ledger-chart-title") == "Nothing to chart."
