"""The scene editor paints what the model wrote in violet italics, and keeps that through edits."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.color import Color

from worldforge.store import StoryFolder
from worldforge.tui.widgets.scene_editor import MODEL_STYLE, SceneEditor

from .tui_support import studio

MODEL = Color.parse("#c792ea")


def painted(area, row: int) -> list[tuple[str, bool]]:
    """(character, painted as the model's) along one rendered row of the text area."""
    out = []
    for segment in area.render_line(row):
        style = segment.style
        is_model = bool(style and style.italic and style.color == MODEL)
        out += [(ch, is_model) for ch in segment.text]
    return out


def model_chars(area, row: int) -> str:
    return "".join(ch for ch, is_model in painted(area, row) if is_model)


@pytest.mark.asyncio
async def test_model_text_is_violet_italic_and_follows_edits(story_dir: Path):
    folder = StoryFolder.open(story_dir)
    scene = folder.story.scene("start")
    scene.text = "I wrote this. The model wrote this.\nMine again."
    scene.model_spans = [(14, 35)]
    folder.save()
    assert MODEL_STYLE.color == MODEL and MODEL_STYLE.italic

    app = studio(story_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        area = app.query_one(SceneEditor).text_area
        assert model_chars(area, 0) == "The model wrote this."
        assert model_chars(area, 1) == ""

        area.focus()
        area.move_cursor((0, 0))
        await pilot.press(*"Yes, ")
        await pilot.pause()
        assert model_chars(area, 0) == "The model wrote this."
        assert area.model_spans == [(19, 40)]

        area.move_cursor((0, 25))  # inside the model's words: "The mo|del"
        await pilot.press("X")
        area.move_cursor((1, 0))  # the cursor cell has its own style
        await pilot.pause()
        assert model_chars(area, 0) == "The model wrote this."
        assert "".join(ch for ch, _ in painted(area, 0)).startswith("Yes, I wrote this. The moXdel")
