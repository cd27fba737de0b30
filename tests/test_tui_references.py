"""Reference pictures in the studio: set, re-weigh and clear a lore entry's reference from
the world screen (ctrl+e, ctrl+r) and from the picture on show (alt+r), whose caption then
says so; saved at once, undoable, and a bad file is refused in the dialog without losing
anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Label, ListView, Select

from tests.image_support import png_bytes
from worldforge import conductor
from worldforge.store import StoryFolder
from worldforge.tui.screens.reference import ReferenceScreen
from worldforge.tui.screens.world import WorldScreen

from .tui_support import Notes, finish, run_command, studio


def on_disk(story_dir: Path):
    return StoryFolder.open(story_dir).story


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Label).render())


def list_labels(app) -> list[str]:
    return [
        str(item.query_one(Label).render()) for item in app.screen.query_one("#lore-list", ListView).children
    ]


async def open_world(pilot, app) -> None:
    await pilot.press("ctrl+e")
    await pilot.pause()
    assert isinstance(app.screen, WorldScreen)


async def open_reference(pilot, app) -> None:
    await open_world(pilot, app)
    await pilot.press("ctrl+r")
    await pilot.pause()
    assert isinstance(app.screen, ReferenceScreen)


async def set_fields(pilot, app, path: str, strength: str) -> None:
    app.screen.query_one("#ref-file", Input).value = path
    app.screen.query_one("#ref-strength", Input).value = strength
    await pilot.press("ctrl+s")
    await finish(pilot, app)


@pytest.mark.asyncio
async def test_world_screen_sets_a_reference_from_a_file_refuses_bad_ones_and_clears(
    story_dir: Path, tmp_path: Path
):
    picture = tmp_path / "ines.png"
    picture.write_bytes(png_bytes((220, 200, 20)))
    (tmp_path / "notes.png").write_text("not a picture")
    app, notes = studio(story_dir), Notes()
    async with app.run_test(size=(120, 40), message_hook=notes) as pilot:
        await open_reference(pilot, app)
        for bad, why in (
            (str(tmp_path / "missing.png"), "cannot read reference picture"),
            (str(tmp_path / "notes.png"), "not a PNG, JPEG or WebP picture"),
        ):
            await set_fields(pilot, app, bad, "0.7")
            assert isinstance(app.screen, ReferenceScreen), "a refused picture keeps the dialog open"
            assert why in text_of(app, "#ref-error")
            assert app.screen.query_one("#ref-file", Input).value == bad
            assert on_disk(story_dir).meta.lore[0].reference is None
        await set_fields(pilot, app, str(picture), "1.5")
        assert "not between 0 and 1" in text_of(app, "#ref-error")

        await set_fields(pilot, app, str(picture), "0.7")
        assert isinstance(app.screen, WorldScreen)
        saved = on_disk(story_dir).meta.lore[0]  # saved at once, as `worldforge lore ref` does
        assert saved.reference and saved.reference.startswith("images/") and saved.reference_strength == 0.7
        assert (story_dir / saved.reference).read_bytes() == picture.read_bytes()
        assert list_labels(app) == ["choir  ◆ ref 0.7"]
        assert text_of(app, "#lore-reference") == f"strength 0.7 · {saved.reference}"
        assert notes.any("choir: reference picture set, strength 0.7")

        # a new strength alone keeps the picture
        await pilot.press("ctrl+r")
        await pilot.pause()
        await set_fields(pilot, app, "", "0.3")
        kept = on_disk(story_dir).meta.lore[0]
        assert (kept.reference, kept.reference_strength) == (saved.reference, 0.3)

        # saving the world's other edits keeps the reference
        app.screen.query_one("#lore-visual", Input).value = "robed singers, brass masks"
        await pilot.press("ctrl+s")
        await finish(pilot, app)
        entry = on_disk(story_dir).meta.lore[0]
        assert entry.visual == "robed singers, brass masks" and entry.reference == saved.reference

        await open_reference(pilot, app)
        await pilot.click("#ref-clear")
        await finish(pilot, app)
        assert on_disk(story_dir).meta.lore[0].reference is None
        assert list_labels(app) == ["choir"]
        assert notes.any("choir: no reference picture")
        await pilot.press("escape")
        await pilot.press("ctrl+z")  # the clearing is one undoable change
        await finish(pilot, app)
    assert on_disk(story_dir).meta.lore[0].reference == saved.reference


@pytest.mark.asyncio
async def test_editing_the_world_keeps_a_reference_set_before(story_dir: Path, tmp_path: Path):
    (tmp_path / "ines.png").write_bytes(png_bytes((20, 90, 200)))
    folder = StoryFolder.open(story_dir)
    conductor.set_reference(folder, "choir", str(tmp_path / "ines.png"), strength=0.8)
    folder.save()
    app = studio(story_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_world(pilot, app)
        assert list_labels(app) == ["choir  ◆ ref 0.8"]
        app.screen.query_one("#lore-visual", Input).value = "robed singers in red"
        await pilot.press("ctrl+s")
        await finish(pilot, app)
    entry = on_disk(story_dir).meta.lore[0]
    assert entry.visual == "robed singers in red"
    assert entry.reference and entry.reference_strength == 0.8


@pytest.mark.asyncio
async def test_a_new_entry_needs_saving_before_it_gets_a_reference(story_dir: Path):
    app, notes = studio(story_dir), Notes()
    async with app.run_test(size=(120, 40), message_hook=notes) as pilot:
        await open_world(pilot, app)
        await pilot.press("ctrl+n")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, WorldScreen)
        assert notes.any("is new: save the world first")


@pytest.mark.asyncio
async def test_the_picture_on_show_becomes_the_reference_of_an_entry_the_scene_mentions(story_dir: Path):
    folder = StoryFolder.open(story_dir)
    start = folder.story.scene("start")
    start.text = "The furnace woke and the choir sang.\n"
    start.image = folder.put_image(png_bytes((200, 30, 160)))
    folder.story.scene("left-hall").image = folder.put_image(png_bytes((10, 10, 10)))
    folder.save()
    app, notes = studio(story_dir), Notes()
    async with app.run_test(size=(120, 40), message_hook=notes) as pilot:
        await finish(pilot, app)
        await pilot.press("alt+r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReferenceScreen)
        assert screen.query_one("#ref-entry", Select).value == "choir"
        screen.query_one("#ref-strength", Input).value = "0.35"
        await pilot.press("ctrl+s")
        await finish(pilot, app)
        assert notes.any("choir: reference picture set, strength 0.35")
        caption = str(app.query_one("#image-caption").render())
        assert caption.endswith(" · reference of choir")  # the picture on show says what it anchors

        app.studio.go_to("left-hall")  # a picture, but no lore entry in its text
        await pilot.press("alt+r")
        await pilot.pause()
        assert "reference of" not in str(app.query_one("#image-caption").render())
        assert not isinstance(app.screen, ReferenceScreen)
        assert notes.any("this scene mentions no lore entry")
        app.studio.go_to("right-hall")  # no picture at all
        await pilot.press("alt+r")
        await pilot.pause()
        assert notes.any("no picture to use yet")
    entry = on_disk(story_dir).meta.lore[0]
    assert (entry.reference, entry.reference_strength) == (start.image, 0.35)


@pytest.mark.asyncio
async def test_the_reference_actions_are_in_the_command_palette(story_dir: Path):
    app = studio(story_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "Use picture as a lore reference" in {c.title for c in app.get_system_commands(app.screen)}
        await open_world(pilot, app)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Reference picture", "New lore entry", "Delete lore entry", "Save world"} <= titles
        await run_command(pilot, "reference picture")
        assert isinstance(app.screen, ReferenceScreen)
