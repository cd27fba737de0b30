"""The studio without models: navigation, editing, graph work, undo, autosave, world editing."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from worldforge.store import StoryFolder
from worldforge.tui.widgets.scene_editor import SceneEditor
from worldforge.tui.widgets.story_map import StoryMap

from .tui_support import Notes, run_command, studio


def on_disk(story_dir: Path):
    return StoryFolder.open(story_dir).story


async def settle(pilot, app) -> None:
    await pilot.pause(0.15)
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.asyncio
async def test_opens_on_the_start_scene_with_the_map(story_dir: Path):
    app = studio(story_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        editor = app.query_one(SceneEditor)
        assert editor.title_input.value == "Start"
        assert editor.text_area.text.startswith("The furnace woke.")
        tree = app.query_one(StoryMap)
        labels = [str(node.label) for node in tree.root.children[0].children]
        assert labels[0].startswith("Go left → Left Hall")


@pytest.mark.asyncio
async def test_typing_is_autosaved_as_human_text(story_dir: Path):
    app = studio(story_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        area = app.query_one(SceneEditor).text_area
        area.focus()
        area.move_cursor(area.document.end)
        await pilot.press(*"Bells.")
        await settle(pilot, app)
    scene = on_disk(story_dir).scene("start")
    assert scene.text.endswith("It sang.\nBells.")
    assert scene.model_spans == []


@pytest.mark.asyncio
async def test_branch_link_unlink_and_undo(story_dir: Path):
    app = studio(story_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+b")
        await pilot.press(*"The Quarry", "enter")
        await settle(pilot, app)
        assert app.studio.current == "the-quarry"
        assert on_disk(story_dir).scene("start").link_to("the-quarry")

        await pilot.press("ctrl+l")
        await pilot.press(*"finale")
        await pilot.press("enter")
        await pilot.press(*"Climb out", "enter")
        await settle(pilot, app)
        assert on_disk(story_dir).scene("the-quarry").link_to("finale").label == "Climb out"

        await pilot.press("f5", "enter")
        await settle(pilot, app)
        assert on_disk(story_dir).scene("the-quarry").links == []

        app.query_one(StoryMap).focus()
        await pilot.press("ctrl+z")
        await settle(pilot, app)
        assert on_disk(story_dir).scene("the-quarry").link_to("finale")
        await pilot.press("ctrl+z", "ctrl+z")
        await settle(pilot, app)
        assert "the-quarry" not in on_disk(story_dir).scenes
        assert not (story_dir / "scenes" / "the-quarry.yaml").exists()
        await pilot.press("ctrl+y")
        await settle(pilot, app)
        assert "the-quarry" in on_disk(story_dir).scenes


@pytest.mark.asyncio
async def test_delete_asks_first_and_reattaches(story_dir: Path):
    app = studio(story_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        app.studio.go_to("the-nave")
        await pilot.press("f9")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot, app)
        assert "the-nave" in on_disk(story_dir).scenes
        await pilot.press("f9")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot, app)
        story = on_disk(story_dir)
        assert "the-nave" not in story.scenes
        assert story.scene("left-hall").link_to("finale")
        assert story.scene("right-hall").link_to("finale")


@pytest.mark.asyncio
async def test_jump_and_rename(story_dir: Path):
    app = studio(story_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+t", *"finale", "enter")
        await pilot.pause()
        assert app.studio.current == "finale"
        await pilot.press("f2")
        await pilot.pause()
        app.screen.query_one(Input).value = "coda"
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.studio.current == "coda"
        assert on_disk(story_dir).scene("the-nave").link_to("coda")


@pytest.mark.asyncio
async def test_world_screen_edits_lore_and_style(story_dir: Path):
    app = studio(story_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+e")
        await pilot.pause()
        app.screen.query_one("#style", Input).value = "neon, fluorescent, pixel art"
        app.screen.query_one("#lore-visual", Input).value = "robed singers in magenta light"
        await pilot.press("ctrl+n")
        app.screen.query_one("#lore-keys", Input).value = "furnace, forge"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
    meta = on_disk(story_dir).meta
    assert meta.world.style == ["neon", "fluorescent", "pixel art"]
    assert meta.lore[0].visual == "robed singers in magenta light"
    assert meta.lore[1].keys == ["furnace", "forge"]


@pytest.mark.asyncio
async def test_expand_without_a_model_says_so(story_dir: Path):
    app, notes = studio(story_dir), Notes()
    async with app.run_test(size=(100, 30), message_hook=notes) as pilot:
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert notes.any("no text model")


@pytest.mark.asyncio
async def test_small_terminal_layout_fits(story_dir: Path):
    app = studio(story_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for widget_id in ("#map", "#editor", "#candidates", "#image", "#status"):
            region = app.query_one(widget_id).region
            assert region.width > 0 and region.height > 0, widget_id
            assert region.right <= 80 and region.bottom <= 24


@pytest.mark.asyncio
async def test_export_from_the_studio_writes_a_book(story_dir: Path):
    app = studio(story_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        await pilot.click("#export")
        await settle(pilot, app)
    book = story_dir.parent / "foundry.html"
    assert book.is_file()
    assert "The Foundry Choir" in book.read_text()


@pytest.mark.asyncio
async def test_quit_with_unsaveable_changes_asks_first(story_dir: Path):
    app = studio(story_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        area = app.query_one(SceneEditor).text_area
        area.focus()
        # someone else edits the same scene file meanwhile: saving over it is refused
        (story_dir / "scenes" / "start.yaml").write_text("id: start\ntitle: Theirs\n")
        await pilot.press(*"Mine.")
        await settle(pilot, app)
        assert app.studio.session.dirty
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running and "Quit without saving" in str(app.screen.query_one("#yes").label)
        await pilot.click("#no")
        await pilot.pause()
        assert app.is_running
    assert on_disk(story_dir).scene("start").title == "Theirs"


@pytest.mark.asyncio
async def test_an_unreadable_picture_is_reported_not_fatal(story_dir: Path):
    folder = StoryFolder.open(story_dir)
    folder.story.scene("start").image = folder.put_image(b"not a png at all")
    folder.save()
    app = studio(story_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "unreadable picture" in str(app.query_one("#image-caption").render())


@pytest.mark.asyncio
async def test_every_studio_action_is_in_the_command_palette(story_dir: Path):
    app = studio(story_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        titles = {command.title for command in app.get_system_commands(app.screen)}
        wanted = {
            "Expand",
            "Illustrate",
            "Picture options",
            "Branch",
            "Link",
            "Unlink",
            "Jump",
            "World",
            "Context",
            "Export",
            "Reading path",
            "New scene",
            "Delete scene",
            "Rename id",
            "Undo",
            "Redo",
            "Reload story from disk",
        }
        assert wanted <= titles
        await run_command(pilot, "world")
        assert type(app.screen).__name__ == "WorldScreen"
