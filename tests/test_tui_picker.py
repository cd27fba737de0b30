"""Bare `worldforge`: the story picker and the recent-stories list."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList
from textual_image.widget import HalfcellImage

from worldforge.conductor.session import Session
from worldforge.engines.errors import EngineError
from worldforge.store import StoryFolder
from worldforge.tui.app import Engines, make_app
from worldforge.tui.recent import discover, recent, remember
from worldforge.tui.screens.picker import PickerScreen
from worldforge.tui.screens.studio import StudioScreen

from .fakes import FakeTextEngine
from .tui_support import Notes

EXAMPLE = Path(__file__).resolve().parents[1] / "stories" / "socialist-gundam"


@pytest.fixture
def workspace(tmp_path: Path, story_dir: Path) -> Path:
    base = tmp_path / "ws"
    shutil.copytree(EXAMPLE, base / "stories" / "socialist-gundam")
    return base


def test_recent_stories_come_first_and_vanished_ones_drop(workspace: Path, story_dir: Path, tmp_path: Path):
    gone = tmp_path / "gone"
    shutil.copytree(story_dir, gone)
    remember(gone)
    remember(story_dir)
    shutil.rmtree(gone)
    assert recent()[0] == story_dir.resolve()
    found = discover(workspace)
    assert found[0] == story_dir.resolve()
    assert found[-1].name == "socialist-gundam"


def picker(workspace: Path):
    return make_app(None, image_widget=HalfcellImage, autosave_seconds=0.05, base=workspace)


@pytest.mark.asyncio
async def test_picker_opens_a_listed_story_in_the_studio(workspace: Path):
    app = picker(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen) and app.studio is None
        await choose_mayday(pilot, app)
        assert isinstance(app.screen, StudioScreen)
        assert app.studio.session.root.name == "socialist-gundam"
        assert recent()[0] == app.studio.session.root.resolve()


@pytest.mark.asyncio
async def test_picker_grows_a_new_story_from_a_seed(workspace: Path):
    app = picker(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.screen.query_one("#new-dir", Input).value = "stories/red-harbour"
        app.screen.query_one("#new-title", Input).value = "Red Harbour"
        app.screen.query_one("#new-seed", Input).value = "A Socialist Gundam wakes in the rain."
        app.screen.query_one("#new-seed", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        created = workspace / "stories" / "red-harbour"
        assert app.studio.session.root == created
        assert app.screen.query_one("#scene-title", Input).value == "Red Harbour"
    story = StoryFolder.open(created).story
    assert story.start.text == "A Socialist Gundam wakes in the rain.\n"


@pytest.mark.asyncio
async def test_escape_leaves_the_picker(workspace: Path):
    app = picker(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("escape")
        await pilot.pause()
        assert not app.is_running


def no_models(session):
    raise EngineError(f"the models of {session.story.title!r} cannot be had here")


async def choose_mayday(pilot, app) -> None:
    await pilot.pause()
    options = app.screen.query_one(OptionList)
    labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    options.highlighted = next(i for i, label in enumerate(labels) if "Mayday" in label)
    options.focus()
    await pilot.press("enter")
    await pilot.pause()


@pytest.mark.asyncio
async def test_a_picked_story_gets_its_own_engines(workspace: Path):
    engine = FakeTextEngine()
    app = make_app(
        None, engines_for=lambda session: Engines(engine), image_widget=HalfcellImage, base=workspace
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await choose_mayday(pilot, app)
        assert app.studio.models.text_engine is engine


@pytest.mark.asyncio
async def test_a_story_whose_models_cannot_be_had_stays_in_the_picker(workspace: Path):
    app, notes = make_app(None, engines_for=no_models, image_widget=HalfcellImage, base=workspace), Notes()
    async with app.run_test(size=(100, 30), message_hook=notes) as pilot:
        await choose_mayday(pilot, app)
        assert isinstance(app.screen, PickerScreen)
        assert notes.any("cannot be had here")


def test_the_models_of_a_story_given_up_front_are_chosen_before_the_app_runs(story_dir: Path):
    with pytest.raises(EngineError, match="cannot be had here"):
        make_app(Session.open(story_dir), engines_for=no_models)
