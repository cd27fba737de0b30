"""Bare `worldforge`: choose a story (recent ones, those under ./stories) or grow a new one from a seed.

The picker only names a folder (`Chosen`); the app opens it and shows the studio in its place.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, OptionList
from textual.widgets.option_list import Option

from worldforge.conductor.stories import new_story
from worldforge.core.errors import StoryError
from worldforge.store import StoryFolder
from worldforge.tui.recent import discover


class PickerScreen(Screen):
    SUB_TITLE = "choose a story"
    BINDINGS = [Binding("escape", "app.quit", "Quit")]

    class Chosen(Message):
        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    def __init__(self, base: Path) -> None:
        super().__init__()
        self.base = base
        self.stories = discover(base)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(classes="dialog-box"):
            yield Label("Open a story", classes="dialog-question")
            yield OptionList(*[Option(self._label(p), id=str(p)) for p in self.stories], id="stories-list")
            yield Label("…or grow a new one from a seed", classes="dialog-question")
            yield Input(placeholder="folder, e.g. stories/red-harbour", id="new-dir")
            yield Input(placeholder="title", id="new-title")
            yield Input(placeholder="seed: the first lines of the story", id="new-seed")
            yield Button("Create and open", id="create", variant="primary")
        yield Footer()

    @staticmethod
    def _label(path: Path) -> Content:
        try:
            title = StoryFolder.open(path).story.title
        except StoryError:
            title = "(cannot be loaded)"
        # a title is plain text, brackets and all, never markup
        return Content.assemble(title, "  ", (str(path), "dim"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.post_message(self.Chosen(Path(event.option.id)))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.create()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.create()

    def create(self) -> None:
        folder = self.query_one("#new-dir", Input).value.strip()
        title = self.query_one("#new-title", Input).value.strip()
        seed = self.query_one("#new-seed", Input).value.strip()
        if not (folder and title and seed):
            self.notify("a folder, a title and a seed are all needed", severity="warning")
            return
        try:
            story = new_story(self.base / folder, title, seed)
        except (StoryError, ValueError) as err:
            self.notify(str(err), severity="error", markup=False)
            return
        self.post_message(self.Chosen(story.root))
