"""F10: the energy ledger: the table `worldforge ledger` prints, and a bar chart of it.

The sums run in a thread on a copy of the story (a story of thousands of scenes keeps the
studio answering, and later edits never reach a half-counted ledger). The table comes
from `ledger_report.report` and the bars from `ledger.chart`, as in the terminal, so the
studio and the CLI say the same figures and the same measured/estimated wording.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Log
from textual_plotext import PlotextPlot

from worldforge.core.ledger import GROUPINGS, Ledger, chart, ledger
from worldforge.core.ledger_report import report
from worldforge.core.model import Story

# plotext draws 5,000 bars in 5 s, on the UI thread and again at each resize: the largest only
MAX_BARS = 30


class LedgerScreen(ModalScreen):
    BINDINGS = [
        Binding("escape,f10,q", "dismiss", "Close"),
        Binding("g", "regroup", "Bars per scene / model / kind"),
    ]
    DEFAULT_CLASSES = "dialog"
    DEFAULT_CSS = """
    #ledger-table { height: 20; }
    #ledger-chart { height: 12; }
    """

    def __init__(self, story: Story) -> None:
        """`story`: a copy the studio will not edit (`Story.copy`), counted in a thread."""
        super().__init__()
        self.story = story
        self.book: Ledger | None = None
        self.by = GROUPINGS[0]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box tall wide", id="ledger-box"):
            yield Label(f"Energy ledger of “{self.story.title}”", classes="dialog-question", markup=False)
            yield Log(id="ledger-table", auto_scroll=False)
            yield Label("", markup=False, id="ledger-chart-title")
            yield PlotextPlot(id="ledger-chart")
            yield Label("g: bars per scene / model / kind · Escape: close", classes="field-label")

    def on_mount(self) -> None:
        self.query_one("#ledger-table", Log).write_line("counting the generations…")
        self.run_worker(self._count, thread=True, group="ledger", exit_on_error=False)

    def _count(self) -> None:
        try:
            book = ledger(self.story)
            lines = report(book, self.story.title)
        except Exception as err:  # a record the sums choke on: say so, never "counting…" forever
            self.app.call_from_thread(self._failed, f"{type(err).__name__}: {err}")
            return
        self.app.call_from_thread(self._show, book, lines)

    def _failed(self, why: str) -> None:
        table = self.query_one("#ledger-table", Log)
        table.clear()
        table.write_line(f"The ledger could not be counted: {why}")
        table.write_line("`worldforge ledger` on this story prints the same error with its cause.")
        self.query_one("#ledger-chart", PlotextPlot).display = False
        self.query_one("#ledger-chart-title", Label).update("Nothing to chart.")

    def _show(self, book: Ledger, lines: list[str]) -> None:
        self.book = book
        table = self.query_one("#ledger-table", Log)
        table.clear()
        table.write_lines(line or " " for line in lines)  # Log drops an empty line
        self._draw()

    def _draw(self) -> None:
        plot = self.query_one("#ledger-chart", PlotextPlot)
        title = self.query_one("#ledger-chart-title", Label)
        plot.display = bool(self.book and self.book.total.generations)
        if self.book is None or not plot.display:
            title.update("No generations recorded yet: nothing to chart.")
            return
        data = chart(self.book, self.by, MAX_BARS)
        title.update(data.title)
        plt = plot.plt
        plt.clear_figure()
        plt.bar(data.labels, data.values, orientation="horizontal", width=0.3)
        plt.xlabel(data.unit)
        plot.styles.height = max(8, 2 * len(data.labels) + 6)
        plot.refresh()

    def action_regroup(self) -> None:
        self.by = GROUPINGS[(GROUPINGS.index(self.by) + 1) % len(GROUPINGS)]
        if self.book is not None:  # not counted yet, or never: nothing drawn to change
            self._draw()
