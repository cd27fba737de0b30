"""Edit a candidate's text before accepting it into the scene."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, TextArea

from worldforge.tui.screens.dialogs import Dialog


class EditCandidateScreen(Dialog):
    BINDINGS = [
        Binding("ctrl+s", "accept", "Accept", priority=True),
        Binding("escape", "dismiss(None)", "Cancel"),
    ]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box tall"):
            yield Label("Edit, then ctrl+s to accept (Escape cancels)", classes="dialog-question")
            yield TextArea(self.text, soft_wrap=True, id="candidate-text")

    def action_accept(self) -> None:
        self.dismiss(self.query_one(TextArea).text)
