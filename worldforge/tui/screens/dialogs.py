"""Small modal dialogs; each returns its answer through `dismiss()` (None when cancelled).

Questions and scene titles are shown as plain text, never as markup: a title the model or
the writer chose may hold brackets."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList
from textual.widgets.option_list import Option


class Dialog(ModalScreen):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]
    DEFAULT_CLASSES = "dialog"


class ConfirmScreen(Dialog):
    def __init__(self, question: str, yes: str = "Yes") -> None:
        super().__init__()
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(self.question, classes="dialog-question", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes, variant="error", id="yes")
                yield Button("Cancel", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class AskScreen(Dialog):
    """One line of text."""

    def __init__(self, question: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(self.question, classes="dialog-question", markup=False)
            yield Input(self.value, placeholder=self.placeholder, id="answer")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)


class PickSceneScreen(Dialog):
    """Pick a scene by typing part of its title; optionally also a label for a link."""

    def __init__(self, scenes: list[tuple[str, str]], question: str, with_label: bool = False) -> None:
        super().__init__()
        self.scenes = scenes
        self.question = question
        self.with_label = with_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box tall"):
            yield Label(self.question, classes="dialog-question", markup=False)
            yield Input(placeholder="filter…", id="filter")
            yield OptionList(*self._options(""), id="scenes")
            if self.with_label:
                yield Input(placeholder="choice label (what the reader clicks)", id="label")

    def _options(self, needle: str) -> list[Option]:
        needle = needle.lower()
        return [
            Option(Content.assemble(title, "  ", (f"({sid})", "dim")), id=sid)
            for sid, title in self.scenes
            if needle in title.lower() or needle in sid
        ]

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            options = self.query_one(OptionList)
            options.clear_options()
            options.add_options(self._options(event.value))
            options.highlighted = 0 if options.option_count else None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter" and self.with_label:
            self.query_one("#label", Input).focus()
        else:
            self._finish()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if self.with_label:
            self.query_one("#label", Input).focus()
        else:
            self._finish()

    def _finish(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            self.app.bell()
            return
        scene_id = options.get_option_at_index(options.highlighted).id
        if self.with_label:
            self.dismiss((scene_id, self.query_one("#label", Input).value.strip()))
        else:
            self.dismiss(scene_id)
