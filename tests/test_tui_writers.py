"""Two writers on one story folder, seen from the studio: a save refused because the other
one changed the story offers a reload; a folder locked by the other is saved a little later.
Also: the offline banner says why the tiny models run."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual_image.widget import HalfcellImage

from worldforge.cli.studio import story_engines
from worldforge.conductor.session import Session
from worldforge.core.authorship import edit_text
from worldforge.store import StoryFolder, writers
from worldforge.tui.app import make_app
from worldforge.tui.screens import save_actions
from worldforge.tui.screens.dialogs import ConfirmScreen
from worldforge.tui.widgets.scene_editor import SceneEditor

from .tui_support import Notes, finish, studio


async def type_at_end(pilot, app, text: str) -> None:
    area = app.query_one(SceneEditor).text_area
    area.focus()
    area.move_cursor(area.document.end)
    await pilot.press(*text)


@pytest.mark.asyncio
async def test_a_story_changed_by_another_writer_is_offered_for_reload(story_dir: Path):
    app, notes = studio(story_dir), Notes()
    async with app.run_test(size=(100, 30), message_hook=notes) as pilot:
        await pilot.pause()
        other = Session.open(story_dir)
        with other.change("Edit scene"):
            edit_text(other.story.scene("start"), "The other writer was here.\n")
        other.save()

        await type_at_end(pilot, app, "Mine.")
        await pilot.pause(0.3)
        assert notes.any("Another program changed this story")
        assert app.studio.session.dirty
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)  # unsaved edits would go: it asks
        await pilot.click("#yes")
        await finish(pilot, app)
        assert app.query_one(SceneEditor).text_area.text == "The other writer was here.\n"
        assert notes.any("reloaded the story from disk")
        assert not app.studio.session.dirty
        await type_at_end(pilot, app, "Both.")
        await finish(pilot, app)
    assert StoryFolder.open(story_dir).story.scene("start").text == "The other writer was here.\nBoth."


@pytest.mark.asyncio
async def test_a_story_locked_by_another_writer_is_saved_when_it_is_free(story_dir: Path, monkeypatch):
    monkeypatch.setattr(writers, "LOCK_TIMEOUT", 0.05)
    monkeypatch.setattr(save_actions, "LOCKED_RETRY_SECONDS", 0.2)
    app, notes = studio(story_dir), Notes()
    async with app.run_test(size=(100, 30), message_hook=notes) as pilot:
        await pilot.pause()
        with writers.hold(story_dir):  # the other writer, in the middle of its save
            await type_at_end(pilot, app, "Later.")
            await pilot.pause(0.4)
            assert notes.any("busy, retrying")
            assert app.studio.session.dirty  # nothing written while the other holds the folder
        await pilot.pause(0.5)
        await finish(pilot, app)
        assert not app.studio.session.dirty
    assert StoryFolder.open(story_dir).story.scene("start").text.endswith("It sang.\nLater.")


@pytest.mark.asyncio
async def test_the_offline_banner_says_why_the_tiny_models_run(story_dir: Path, tiny_text_model, tiny_image):
    # text: asked for on the command line; image: nothing asked and no sd-turbo weights here
    app = make_app(
        Session.open(story_dir), engines_for=story_engines("tiny", None), image_widget=HalfcellImage
    )
    async with app.run_test(size=(200, 36)) as pilot:
        await finish(pilot, app)
        banner = app.query_one("#banner")
        assert banner.display
        text = str(banner.render())
        assert "its text is noise, not writing — tiny was asked for" in text
        assert "no sd-turbo weights on this machine; run `worldforge models pull sd-turbo`" in text
