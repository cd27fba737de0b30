"""Every studio key reaches the studio while the writer is typing (editor or title focused)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.binding import Binding

from worldforge.tui.app import WorldforgeApp
from worldforge.tui.screens.dialogs import AskScreen, ConfirmScreen, PickSceneScreen
from worldforge.tui.screens.export import ExportScreen
from worldforge.tui.screens.help import HelpScreen
from worldforge.tui.screens.ledger import LedgerScreen
from worldforge.tui.screens.render_options import RenderOptionsScreen
from worldforge.tui.screens.studio import StudioScreen
from worldforge.tui.screens.world import WorldScreen
from worldforge.tui.widgets.scene_editor import SceneEditor

from .tui_support import Notes, studio

# what each key shows on a studio without models: a dialog, or a notification
KEYS: dict[str, type | str] = {
    "ctrl+g": "no text model configured",
    "ctrl+r": "no image model configured",
    "ctrl+o": RenderOptionsScreen,
    "ctrl+b": AskScreen,
    "ctrl+l": PickSceneScreen,
    "ctrl+t": PickSceneScreen,
    "ctrl+e": WorldScreen,
    "ctrl+s": "saved",
    "f1": HelpScreen,
    "f2": AskScreen,
    "f3": "the context is counted",
    "f4": ExportScreen,
    "f5": PickSceneScreen,
    "f6": "reading path for the book",
    "f10": LedgerScreen,
    "f12": "reloaded the story from disk",
    "f8": AskScreen,
    "f9": ConfirmScreen,
    "alt+v": "choose a picture first",
    "alt+s": "choose a picture first",
    "alt+r": "no picture to use yet",
}
# tested elsewhere: Escape cancels a running job (test_tui_expand); in the editor ctrl+z / ctrl+y
# undo typing, elsewhere story edits (test_tui_studio)
ELSEWHERE = {"escape", "ctrl+z", "ctrl+y"}


def test_every_studio_key_is_checked_here():
    keys = {b.key for b in [*StudioScreen.BINDINGS, *WorldforgeApp.BINDINGS] if isinstance(b, Binding)}
    assert keys == set(KEYS) | ELSEWHERE


@pytest.mark.asyncio
# the title field takes ctrl+e ("end") for itself too; the other keys mean nothing to it
@pytest.mark.parametrize(("key", "focus"), [*((k, "text") for k in sorted(KEYS)), ("ctrl+e", "title")])
async def test_studio_keys_work_while_typing(story_dir: Path, key: str, focus: str):
    app, notes = studio(story_dir), Notes()
    async with app.run_test(size=(100, 30), message_hook=notes) as pilot:
        editor = app.query_one(SceneEditor)
        (editor.text_area if focus == "text" else editor.title_input).focus()
        await pilot.pause()
        text, title = editor.text_area.text, editor.title_input.value
        await pilot.press(key)
        await pilot.pause()
        expected = KEYS[key]
        if isinstance(expected, str):
            assert notes.any(expected), notes.messages
        else:
            assert isinstance(app.screen, expected)
        assert (editor.text_area.text, editor.title_input.value) == (text, title)
