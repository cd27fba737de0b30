"""The scene editor: title and text, with model-written text shown in its own colour.

Which characters the model wrote is kept by `core.authorship` through every edit; this
widget only paints it. Edits are reported upward (`Edited`); the app decides when to commit.
"""

from __future__ import annotations

from rich.style import Style
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, TextArea
from textual.widgets.text_area import TextAreaTheme

from worldforge.core.authorship import spans_after_edit
from worldforge.core.model import Scene

MODEL_STYLE = "model-text"


def _row_col(text: str, offset: int) -> tuple[int, int]:
    row = text.count("\n", 0, offset)
    col = offset - (text.rfind("\n", 0, offset) + 1)
    return row, col


class AuthorshipTextArea(TextArea):
    """A TextArea that highlights character spans written by the model."""

    def __init__(self, **kwargs) -> None:
        # set before TextArea's own __init__, which already builds the highlight map
        self.model_spans: list[tuple[int, int]] = []
        self._spans_text = ""
        super().__init__(soft_wrap=True, **kwargs)
        self.register_theme(
            TextAreaTheme(
                name="worldforge",
                syntax_styles={MODEL_STYLE: Style(color="#c792ea", italic=True)},
            )
        )
        self.theme = "worldforge"

    def load_scene_text(self, text: str, spans: list[tuple[int, int]]) -> None:
        self.model_spans = list(spans)
        self._spans_text = text
        self.load_text(text)

    def _build_highlight_map(self) -> None:
        # TextArea calls this after every edit: move the spans along with the text first.
        text = self.document.text
        if text != self._spans_text:
            self.model_spans = spans_after_edit(self._spans_text, self.model_spans, text)
            self._spans_text = text
        self._line_cache.clear()
        highlights = self._highlights
        highlights.clear()
        lines = text.split("\n")
        for start, end in self.model_spans:
            row, col = _row_col(text, start)
            end_row, end_col = _row_col(text, end)
            while row <= end_row and row < len(lines):
                line = lines[row]
                stop = end_col if row == end_row else len(line)
                begin = len(line[:col].encode())
                finish = len(line[:stop].encode())
                if finish > begin:
                    highlights[row].append((begin, finish, MODEL_STYLE))
                row, col = row + 1, 0


class SceneEditor(Vertical):
    """Title and text of the current scene."""

    BORDER_TITLE = "Scene"

    class Edited(Message):
        def __init__(self, scene_id: str, title: str, text: str, spans: list[tuple[int, int]]) -> None:
            super().__init__()
            self.scene_id = scene_id
            self.title = title
            self.text = text
            self.spans = spans

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.scene_id: str | None = None
        self._loading = False

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Scene title", id="scene-title")
        yield AuthorshipTextArea(id="scene-text")

    @property
    def text_area(self) -> AuthorshipTextArea:
        return self.query_one(AuthorshipTextArea)

    @property
    def title_input(self) -> Input:
        return self.query_one("#scene-title", Input)

    def show(self, scene: Scene) -> None:
        """Load a scene, unless it is the one on screen with the same content (keeps the cursor)."""
        area = self.text_area
        same = (
            scene.id == self.scene_id
            and area.text == scene.text
            and self.title_input.value == scene.title
            and area.model_spans == list(scene.model_spans)
        )
        if same:
            return
        self._loading = True
        try:
            same_scene = scene.id == self.scene_id
            self.scene_id = scene.id
            self.title_input.value = scene.title
            if area.text != scene.text or area.model_spans != list(scene.model_spans):
                cursor = area.cursor_location
                area.load_scene_text(scene.text, list(scene.model_spans))
                if same_scene:  # an undo or an accepted candidate: keep the writer's place
                    area.cursor_location = cursor
        finally:
            self.call_after_refresh(self._done_loading)

    def _done_loading(self) -> None:
        self._loading = False

    def _report(self) -> None:
        if self._loading or self.scene_id is None:
            return
        area = self.text_area
        self.post_message(
            self.Edited(self.scene_id, self.title_input.value, area.text, list(area.model_spans))
        )

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._report()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._report()
