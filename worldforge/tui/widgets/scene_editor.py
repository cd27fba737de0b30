"""The scene editor: title and text, with model-written text shown in its own colour.

Which characters the model wrote is kept by `core.authorship` through every edit; this
widget only paints it. Edits are reported upward (`Edited`); the studio decides when to commit.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widgets import Input, TextArea
from textual.widgets.text_area import TextAreaTheme

from worldforge.core.authorship import spans_after_edit
from worldforge.core.model import Scene

MODEL_STYLE = Style(color="#c792ea", italic=True)


def line_marks(text: str, spans: list[tuple[int, int]]) -> dict[int, list[tuple[int, int]]]:
    """Character spans of the whole text as (start, end) columns of each line they touch."""
    marks: dict[int, list[tuple[int, int]]] = {}
    offset = 0
    for row, line in enumerate(text.split("\n")):
        end_of_line = offset + len(line)
        for start, end in spans:
            begin, stop = max(start, offset), min(end, end_of_line)
            if stop > begin:
                marks.setdefault(row, []).append((begin - offset, stop - offset))
        offset = end_of_line + 1
    return marks


class AuthorshipTextArea(TextArea):
    """A TextArea that paints the character spans written by the model.

    Painting goes through TextArea's public `get_line` hook (its documented place to stylize
    a line). The spans follow the writer's edits: whenever they are read or painted after the
    text changed, they are moved along by `spans_after_edit`.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(soft_wrap=True, **kwargs)
        self._spans: list[tuple[int, int]] = []
        self._spans_text = ""
        self._marks: dict[int, list[tuple[int, int]]] = {}

    def on_mount(self) -> None:
        # TextArea paints the cursor line after `get_line`, text colour included: keep only its
        # background there, so the model's violet shows on the line being written too
        cursor_line = self.get_component_rich_style("text-area--cursor-line")
        self.register_theme(
            TextAreaTheme(name="authorship", cursor_line_style=Style(bgcolor=cursor_line.bgcolor))
        )
        self.theme = "authorship"

    @property
    def model_spans(self) -> list[tuple[int, int]]:
        text = self.text
        if text != self._spans_text:
            self._set_spans(text, spans_after_edit(self._spans_text, self._spans, text))
        return self._spans

    def _set_spans(self, text: str, spans: list[tuple[int, int]]) -> None:
        self._spans_text = text
        self._spans = spans
        self._marks = line_marks(text, spans)

    def load_scene_text(self, text: str, spans: list[tuple[int, int]]) -> None:
        self._set_spans(text, list(spans))
        self.load_text(text)

    def render_lines(self, crop: Region) -> list[Strip]:
        self.model_spans  # noqa: B018 - brings the spans up to date with the text before painting
        return super().render_lines(crop)

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        for start, end in self._marks.get(line_index, ()):
            line.stylize(MODEL_STYLE, start, end)
        return line


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
