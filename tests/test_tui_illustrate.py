"""Illustrating in the studio, and the whole loop on the tiny real engines."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, OptionList, Select

from worldforge.store import StoryFolder
from worldforge.store.png import read_png_metadata
from worldforge.tui.messages import RenderProgress
from worldforge.tui.screens.pick_render import PickRenderScreen
from worldforge.tui.screens.render_options import COUNT_DELAY
from worldforge.tui.widgets.candidates import CandidatesPanel

from .fakes import FakeImageEngine
from .tui_support import Notes, finish, studio


@pytest.mark.asyncio
async def test_illustrate_shows_progress_and_keeps_the_picture(story_dir: Path):
    progress: list[RenderProgress] = []
    app = studio(story_dir, image=FakeImageEngine(delay=0.01))
    hook = lambda m: progress.append(m) if isinstance(m, RenderProgress) else None  # noqa: E731
    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await finish(pilot, app)
        await pilot.press("ctrl+r")
        await finish(pilot, app)
    scene = StoryFolder.open(story_dir).story.scene("start")
    assert scene.image and scene.image.startswith("images/")
    assert scene.image_title == "Start"
    assert (story_dir / scene.image).is_file()
    assert progress and progress[-1].step == progress[-1].total


@pytest.mark.asyncio
async def test_options_then_pick_one_of_several(story_dir: Path):
    app = studio(story_dir, image=FakeImageEngine())
    async with app.run_test(size=(110, 40)) as pilot:
        await finish(pilot, app)
        await pilot.press("ctrl+o")
        await pilot.pause()
        app.screen.query_one("#candidates", Input).value = "3"
        app.screen.query_one("#seed", Input).value = "40"
        app.screen.query_one("#preset", Select).value = "pixel-art"
        await pilot.pause(COUNT_DELAY + 0.1)  # the prompt is counted once the editing pauses
        await finish(pilot, app)
        assert "pixel" in str(app.screen.query_one("#prompt-preview").render()).lower()
        table = app.screen.query_one("#prompt-table", DataTable)
        sources = [str(table.get_row_at(i)[3]) for i in range(table.row_count)]
        assert "preset:pixel-art" in sources and "summary" in sources
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.studio.render_options["candidates"] == 3 and app.studio.render_options["seed"] == 40
        await pilot.press("ctrl+r")
        await finish(pilot, app)
        assert isinstance(app.screen, PickRenderScreen)
        app.screen.query_one(OptionList).highlighted = 2
        await pilot.press("enter")
        await finish(pilot, app)
    scene = StoryFolder.open(story_dir).story.scene("start")
    assert [r.seed for r in scene.renders] == [40, 41, 42]
    assert scene.image == scene.renders[2].image


@pytest.mark.asyncio
async def test_tiny_engines_expand_accept_branch_render_pick_save(
    story_dir: Path, tiny_torch_engine, tiny_image
):
    """The same transformers and diffusers code users run, through the studio's keys."""
    app, notes = studio(story_dir, text=tiny_torch_engine, image=tiny_image), Notes()
    async with app.run_test(size=(110, 36), message_hook=notes) as pilot:
        await finish(pilot, app)
        assert app.query_one("#banner").display
        await pilot.press("ctrl+g")
        await finish(pilot, app)
        app.query_one(CandidatesPanel).focus()
        await pilot.press("1", "a")
        await finish(pilot, app)
        await pilot.press("2", "v", "b")
        await finish(pilot, app)
        child = app.studio.session.story.scene("start").links[-1].to
        await pilot.press("ctrl+o")
        await pilot.pause()
        app.screen.query_one("#candidates", Input).value = "2"
        await pilot.press("ctrl+s")
        await pilot.press("ctrl+r")
        await finish(pilot, app)
        assert isinstance(app.screen, PickRenderScreen)
        await pilot.press("enter")
        await finish(pilot, app)

        app.studio.go_to(child)
        await pilot.press("ctrl+o")
        await pilot.pause()
        app.screen.query_one("#candidates", Input).value = "1"
        app.screen.query_one("#steps", Input).value = "4"
        app.screen.query_one("#init", Select).value = "parent"
        await pilot.press("ctrl+s")
        await pilot.press("ctrl+r")
        await finish(pilot, app)
        assert not notes.any("failed")
        assert "test noise" in str(app.query_one("#image-caption").render())
    story = StoryFolder.open(story_dir).story
    start, branch = story.scene("start"), story.scene(child)
    assert start.model_spans and [c.status for c in start.candidates].count("accepted") == 1
    assert branch.text and branch.model_spans == [(0, len(branch.text))]
    assert start.image and branch.image
    record = next(p for p in branch.provenance if p.kind == "image")
    assert len(record.settings["init_sha256"]) == 64  # the parent's picture, by its hash
    meta = read_png_metadata((story_dir / branch.image).read_bytes())
    assert "parameters" in meta


@pytest.mark.asyncio
async def test_vary_keys_render_from_the_chosen_picture(story_dir: Path):
    app = studio(story_dir, image=FakeImageEngine())
    async with app.run_test(size=(110, 40)) as pilot:
        await finish(pilot, app)
        await pilot.press("ctrl+r")
        await finish(pilot, app)
        chosen = app.studio.session.story.scene("start").image
        assert chosen
        await pilot.press("alt+s")
        await finish(pilot, app)
        records = app.studio.session.story.scene("start").provenance
        assert records[-1].settings["varied"] == chosen
