"""F3: the context inspector: what the next expansion puts in the model's window, what was cut."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from worldforge.prompting.context import ContextReport


class ContextScreen(ModalScreen):
    BINDINGS = [Binding("escape,f3,q", "dismiss", "Close")]

    def __init__(self, report: ContextReport, title: str) -> None:
        super().__init__()
        self.report = report
        self.heading = title

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box tall", id="context-box"):
            yield Label(self.heading, classes="dialog-question")
            yield Static("\n".join(self.report.lines()), markup=False, id="context-table")
            yield Label("The text the model reads:", classes="field-label")
            yield Static(self.report.context, markup=False, id="context-text")
