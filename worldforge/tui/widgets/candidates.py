"""The candidates panel: continuations streaming in, stacked, one highlighted.

The conductor moves between them (1-9, ↑/↓) and accepts, branches, rejects, edits or revives;
each of those is a message to the studio screen, which owns the story.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from worldforge.core.model import TextCandidate

STATUS_MARK = {
    "pending": "",
    "accepted": "✓ accepted",
    "rejected": "✗ rejected",
    "branched": "⑂ branched",
    # pending, but generation broke off before this candidate was finished
    "partial": "◐ partial: generation broke off",
}


class CandidateCard(Static):
    def __init__(self, index: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.index = index

    def set_content(self, text: str, status: str, streaming: bool) -> None:
        head = Text(f"{self.index + 1} ", style="bold")
        if streaming:
            head.append("… writing", style="italic")
        elif STATUS_MARK.get(status):
            head.append(STATUS_MARK[status], style="dim")
        body = Text(text.strip() or "…")
        self.update(Text.assemble(head, "\n", body))
        self.set_class(status == "rejected", "-rejected")


class CandidatesPanel(VerticalScroll, can_focus=True):
    """Shows the current scene's candidates, or the batch streaming in for it."""

    BORDER_TITLE = "Candidates"
    BINDINGS = [
        Binding("a", "act('accept')", "Accept"),
        Binding("b", "act('branch')", "Branch"),
        Binding("x", "act('reject')", "Reject"),
        Binding("e", "act('edit')", "Edit+accept"),
        Binding("v", "act('revive')", "Revive", show=False),
        Binding("up,k", "move(-1)", "Prev", show=False),
        Binding("down,j", "move(1)", "Next", show=False),
        *[Binding(str(n), f"select({n - 1})", show=False) for n in range(1, 10)],
    ]

    selected: reactive[int] = reactive(0)

    class Act(Message):
        def __init__(self, action: str, index: int) -> None:
            super().__init__()
            self.action = action
            self.index = index

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._candidates: list[TextCandidate] = []
        self._streaming: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        yield Static("No candidates yet: press ctrl+g to expand this scene.", classes="candidates-empty")

    def show(self, candidates: list[TextCandidate], streaming: dict[int, str] | None = None) -> None:
        """Show a scene's candidates (in story order), or the ones streaming in for it."""
        self._candidates = list(candidates)
        self._streaming = dict(streaming or {})
        self._rebuild()

    def stream(self, texts: dict[int, str]) -> None:
        """Update the streaming cards in place (rebuilding only when the set of cards changes)."""
        cards = list(self.query(CandidateCard))
        if sorted(texts) != sorted(self._streaming) or len(cards) != len(texts):
            self._streaming = dict(texts)
            self._rebuild()
            return
        self._streaming = dict(texts)
        for card in cards:
            card.set_content(texts[card.index], "pending", True)

    def _items(self) -> list[tuple[str, str, bool]]:
        if self._streaming:
            return [(self._streaming[i], "pending", True) for i in sorted(self._streaming)]
        return [
            (c.text, "partial" if c.partial and c.status == "pending" else c.status, False)
            for c in self._candidates
        ]

    def _rebuild(self) -> None:
        self.remove_children()
        items = self._items()
        if not items:
            self.mount(
                Static("No candidates yet: press ctrl+g to expand this scene.", classes="candidates-empty")
            )
            return
        cards = []
        for i, (text, status, streaming) in enumerate(items):
            card = CandidateCard(i, classes="candidate")
            card.set_content(text, status, streaming)
            cards.append(card)
        self.mount_all(cards)
        self.selected = min(self.selected, len(items) - 1)
        self._paint_selection()

    def _paint_selection(self) -> None:
        for card in self.query(CandidateCard):
            card.set_class(card.index == self.selected, "-selected")

    def watch_selected(self) -> None:
        self._paint_selection()
        cards = list(self.query(CandidateCard))
        if 0 <= self.selected < len(cards):
            self.scroll_to_widget(cards[self.selected], animate=False)

    def action_select(self, index: int) -> None:
        if index < len(self._items()):
            self.selected = index

    def action_move(self, delta: int) -> None:
        count = len(self._items())
        if count:
            self.selected = (self.selected + delta) % count

    def action_act(self, action: str) -> None:
        if self._streaming or not self._candidates:
            self.app.bell()
            return
        self.post_message(self.Act(action, self.selected))

    def on_click(self, event) -> None:
        widget = event.widget
        while widget is not None and not isinstance(widget, CandidateCard):
            widget = widget.parent
        if isinstance(widget, CandidateCard):
            self.selected = widget.index
