"""Titles are the writer's or the model's words: brackets in them show as they are, never as markup."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from textual.widgets import Input, OptionList
from textual_image.widget import HalfcellImage

from worldforge.store import StoryFolder
from worldforge.tui.app import make_app
from worldforge.tui.widgets.status_bar import StatusBar
from worldforge.tui.widgets.story_map import StoryMap

from .fakes import FakeTextEngine
from .tui_support import finish, studio

STORY_TITLE = "[bold]x[/"
SCENE_TITLE = "[red]Left[/"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def bracketed(story_dir: Path) -> Path:
    folder = StoryFolder.open(story_dir)
    folder.story.meta.title = STORY_TITLE
    scene = folder.story.scene("left-hall")
    scene.title = SCENE_TITLE
    scene.image = folder.put_image(png())
    folder.save()
    return story_dir


def labels(node) -> list[str]:
    return [str(node.label), *(label for child in node.children for label in labels(child))]


def shown(widget) -> str:
    return str(widget.render())


@pytest.mark.asyncio
async def test_bracketed_titles_show_literally_in_the_studio(bracketed: Path):
    app = studio(bracketed, FakeTextEngine())
    async with app.run_test(size=(110, 36)) as pilot:
        await finish(pilot, app)
        app.studio.go_to("left-hall")
        await pilot.pause()
        assert STORY_TITLE in shown(app.query_one(StatusBar))
        assert f"“{SCENE_TITLE}”" in shown(app.query_one("#image-caption"))
        assert any(SCENE_TITLE in label for label in labels(app.query_one(StoryMap).root))

        await pilot.press("f9")
        await pilot.pause()
        assert f"Delete “{SCENE_TITLE}”?" in shown(app.screen.query_one(".dialog-question"))
        await pilot.press("escape", "ctrl+t")
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert f"{SCENE_TITLE}  (left-hall)" in prompts
        await pilot.press("escape", "f3")
        await pilot.pause()
        assert f"“{SCENE_TITLE}”" in shown(app.screen.query_one(".dialog-question"))
        await pilot.press("escape")
        assert app.is_running


@pytest.mark.asyncio
async def test_bracketed_story_title_shows_literally_in_the_picker(bracketed: Path):
    app = make_app(None, image_widget=HalfcellImage, base=bracketed.parent)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.pause()
        app.screen.query_one("#new-dir", Input).value = "stories/next"
        app.screen.query_one("#new-title", Input).value = STORY_TITLE
        app.screen.query_one("#new-seed", Input).value = "Rain on the dock."
        app.screen.query_one("#new-seed", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.studio.session.story.title == STORY_TITLE
    app = make_app(None, image_widget=HalfcellImage, base=bracketed.parent)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any(p.startswith(f"{STORY_TITLE}  ") for p in prompts), prompts
