"""The picture options (ctrl+o) count the prompt live as the writer edits its subject, the
world's style or the preset: the same report `worldforge prompt` prints, counted off the UI
thread, with a malformed weight shown in place."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.widgets import DataTable, Input, Select

from tests.fakes import FakeImageEngine
from worldforge.cli import cli
from worldforge.store import StoryFolder
from worldforge.tui.screens.render_options import COUNT_DELAY, RenderOptionsScreen

from .tui_support import studio


async def counted(pilot, app) -> None:
    """Past the typing pause, and the count's worker done and its answer shown."""
    await pilot.pause(COUNT_DELAY + 0.1)
    await app.workers.wait_for_complete()
    await pilot.pause()


def table_rows(app) -> list[tuple[str, ...]]:
    table = app.screen.query_one("#prompt-table", DataTable)
    return [tuple(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]


def preview(app) -> str:
    return str(app.screen.query_one("#prompt-preview").render())


async def open_options(pilot, app) -> None:
    await pilot.press("ctrl+o")
    await counted(pilot, app)
    assert isinstance(app.screen, RenderOptionsScreen)


async def type_into(pilot, app, selector: str, text: str) -> None:
    field = app.screen.query_one(selector, Input)
    field.focus()
    field.action_end()
    await pilot.press(*text)


@pytest.mark.asyncio
async def test_the_options_show_what_worldforge_prompt_prints_as_the_writer_types(story_dir: Path):
    app = studio(story_dir)
    async with app.run_test(size=(130, 50)) as pilot:
        await open_options(pilot, app)
        assert [row[3] for row in table_rows(app)] == ["summary"]
        await type_into(pilot, app, "#summary", "the choir in (brass masks:1.3)")
        await type_into(pilot, app, "#style", "neon, [fog]")
        app.screen.query_one("#preset", Select).value = "pixel-art"
        await counted(pilot, app)
        rows = table_rows(app)
        by_source = {row[3]: row for row in rows}
        assert by_source["summary"][1] == "1/1.3"  # the weight as written, counted
        assert "lore:choir" in by_source  # the subject now mentions the choir
        assert [row[4] for row in rows if row[3] == "style"] == ["neon", "[fog]"]
        assert any(row[3] == "preset:pixel-art" for row in rows)
        assert "(exact count); nothing is cut" in preview(app)
        shown = preview(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
    story = StoryFolder.open(story_dir).story
    assert story.scene("start").summary == "the choir in (brass masks:1.3)"
    assert story.meta.world.style == ["neon", "[fog]"]
    # the command prints the same pieces, tokens, weights, chunks and prompt
    printed = CliRunner().invoke(cli, ["prompt", str(story_dir), "start", "--preset", "pixel-art"]).stdout
    lines = printed.splitlines()
    table = [re.split(r"\s+", line.strip(), maxsplit=4) for line in lines[1 : 1 + len(rows)]]
    assert [tuple(row) for row in table] == [(r[0], r[1], r[2], r[3], r[4]) for r in rows]
    assert shown == "\n".join(lines[1 + len(rows) :])


@pytest.mark.asyncio
async def test_a_malformed_weight_is_shown_in_place_and_can_be_fixed(story_dir: Path):
    app = studio(story_dir)
    async with app.run_test(size=(130, 50)) as pilot:
        await open_options(pilot, app)
        await type_into(pilot, app, "#summary", "huge (brass:1.x) lamp")
        await counted(pilot, app)
        assert isinstance(app.screen, RenderOptionsScreen)
        assert preview(app) == (
            "cannot read the prompt: the scene's summary, column 13: "
            "weight '1.x' is not a number (near 'huge (brass:1.x) lamp')"
        )
        assert table_rows(app) == []
        app.screen.query_one("#summary", Input).value = "huge (brass:1.4) lamp"
        await counted(pilot, app)
        assert table_rows(app)[0][1] == "1/1.4"
        assert "cannot read" not in preview(app)


class GatedEngine(FakeImageEngine):
    """Counts only once the test opens the gate: a tokenizer slow to load."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()

    def tokens(self, text: str) -> list[str]:
        self.gate.wait(10)
        return super().tokens(text)


@pytest.mark.asyncio
async def test_a_slow_tokenizer_never_holds_the_typing(story_dir: Path):
    app, engine = studio(story_dir), GatedEngine()
    async with app.run_test(size=(130, 50)) as pilot:
        await pilot.pause()
        story = app.studio.session.story
        app.push_screen(RenderOptionsScreen(story, "start", app.studio.render_options, engine))
        await pilot.pause()
        await type_into(pilot, app, "#summary", "a lamp")
        await pilot.pause(COUNT_DELAY + 0.1)
        # the count is still waiting for the tokenizer, yet every key arrived
        assert app.screen.query_one("#summary", Input).value == "a lamp"
        assert preview(app) == "counting the prompt's tokens…"
        engine.gate.set()
        await counted(pilot, app)
        assert table_rows(app)[0][4] == "a lamp"
        assert "(exact count)" in preview(app)


@pytest.mark.asyncio
async def test_every_picture_option_takes_room_on_screen(story_dir: Path):
    app = studio(story_dir)
    async with app.run_test(size=(130, 50)) as pilot:
        await open_options(pilot, app)
        for field in ("#candidates", "#seed", "#steps", "#size", "#summary", "#style", "#strength"):
            assert app.screen.query_one(field, Input).outer_size.height == 3, field
