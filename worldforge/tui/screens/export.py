"""F4: choose a storybook format; the export itself runs in a worker."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Checkbox, Label, Select

from worldforge.tui.screens.dialogs import Dialog

FORMATS = [
    ("HTML (one file)", "html"),
    ("EPUB 3", "epub"),
    ("PDF", "pdf"),
    ("Twee 3 (Twine)", "twee"),
    ("Markdown", "md"),
]


class ExportScreen(Dialog):
    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label("Export the storybook", classes="dialog-question")
            yield Select(FORMATS, value="html", allow_blank=False, id="format")
            yield Checkbox("Gamebook: every scene numbered, choices as 'turn to N'", id="gamebook")
            yield Checkbox("Show prompts under pictures (hidden by default)", id="show-prompts")
            yield Button("Export", variant="primary", id="export")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(
            {
                "fmt": self.query_one("#format", Select).value,
                "gamebook": self.query_one("#gamebook", Checkbox).value,
                "show_prompts": self.query_one("#show-prompts", Checkbox).value,
            }
        )
