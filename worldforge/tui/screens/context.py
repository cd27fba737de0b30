"""F3: the context inspector: what the next expansion puts in the model's window, what was cut."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from worldforge.prompting.context import ContextPiece, ContextReport
from worldforge.tui.widgets.report_table import report_table

COLUMNS = ("kind", "name", "tokens", "status", "why")


def _tokens(piece: ContextPiece) -> str | int:
    return piece.tokens if piece.status == "included" else f"{piece.tokens}/{piece.full_tokens}"


class ContextScreen(ModalScreen):
    BINDINGS = [Binding("escape,f3,q", "dismiss", "Close")]
    DEFAULT_CLASSES = "dialog"

    def __init__(self, report: ContextReport, title: str) -> None:
        super().__init__()
        self.report = report
        self.heading = title

    def compose(self) -> ComposeResult:
        report = self.report
        rows = [(p.kind, p.name, _tokens(p), p.status, p.reason) for p in report.pieces]
        with VerticalScroll(classes="dialog-box tall wide", id="context-box"):
            yield Label(self.heading, classes="dialog-question", markup=False)
            yield Label(report.lines()[0], markup=False, id="context-summary")
            # what the table cannot say: a memory trimmed, how a model server's tokens are counted
            for note in report.notes:
                yield Label(f"note: {note}", markup=False, classes="context-note")
            yield report_table("context-table", COLUMNS, rows)
            yield Label("The text the model reads:", classes="field-label")
            yield Static(report.context, markup=False, id="context-text")
