"""The world and its lore: what stays true across the story.

Edits are made on a copy and applied as one undoable change when the conductor saves
(ctrl+s); Escape leaves without changing anything.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, ListItem, ListView, TextArea

from worldforge.conductor.session import Session
from worldforge.core.graph import slugify
from worldforge.core.model import LoreEntry, World


def split_list(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


class WorldScreen(Screen[bool]):
    BINDINGS = [
        Binding("ctrl+s", "apply", "Save world", priority=True),
        Binding("escape", "dismiss(False)", "Back (discard)", priority=True),
        Binding("ctrl+n", "new_lore", "New lore entry", priority=True),
        Binding("f9", "delete_lore", "Delete lore entry", priority=True),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.world = session.story.meta.world.model_copy(deep=True)
        self.lore = [e.model_copy(deep=True) for e in session.story.meta.lore]
        self.selected: int | None = 0 if self.lore else None

    def compose(self) -> ComposeResult:
        with Horizontal(id="world-main"):
            with VerticalScroll(id="world-form"):
                yield Label("Premise", classes="field-label")
                yield TextArea(self.world.premise, soft_wrap=True, id="premise", classes="short")
                yield Label("Memory (always in the model's context)", classes="field-label")
                yield TextArea(self.world.memory, soft_wrap=True, id="memory", classes="short")
                yield Label("Author's note", classes="field-label")
                yield TextArea(self.world.authors_note, soft_wrap=True, id="authors_note", classes="short")
                yield Label("…inserted this many lines before the end", classes="field-label")
                yield Input(str(self.world.authors_note_depth), id="authors_note_depth", type="integer")
                yield Label("Style keywords for pictures (comma separated)", classes="field-label")
                yield Input(", ".join(self.world.style), id="style")
                yield Label("Negative prompt", classes="field-label")
                yield Input(self.world.negative_prompt, id="negative_prompt")
            with VerticalScroll(id="lore-side"):
                yield Label("Lore entries", classes="field-label")
                yield ListView(*[ListItem(Label(e.id, markup=False)) for e in self.lore], id="lore-list")
                yield Label("Keys (comma separated)", classes="field-label")
                yield Input(id="lore-keys")
                yield Label("Secondary keys (all must also appear)", classes="field-label")
                yield Input(id="lore-secondary")
                yield Label("Text for the language model", classes="field-label")
                yield TextArea(soft_wrap=True, id="lore-text", classes="short")
                yield Label("Visual descriptor for pictures", classes="field-label")
                yield Input(id="lore-visual")
                yield Button("Save world (ctrl+s)", id="apply", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self._load_lore()

    def _load_lore(self) -> None:
        entry = self.lore[self.selected] if self.selected is not None else None
        self.query_one("#lore-keys", Input).value = ", ".join(entry.keys) if entry else ""
        self.query_one("#lore-secondary", Input).value = ", ".join(entry.secondary_keys) if entry else ""
        self.query_one("#lore-text", TextArea).load_text(entry.text if entry else "")
        self.query_one("#lore-visual", Input).value = entry.visual if entry else ""

    def _store_lore(self) -> None:
        if self.selected is None:
            return
        entry = self.lore[self.selected]
        keys = split_list(self.query_one("#lore-keys", Input).value) or entry.keys
        self.lore[self.selected] = LoreEntry(
            id=entry.id,
            keys=keys,
            secondary_keys=split_list(self.query_one("#lore-secondary", Input).value),
            text=self.query_one("#lore-text", TextArea).text,
            visual=self.query_one("#lore-visual", Input).value,
        )

    def on_list_view_highlighted(self, event: ListView.Highlighted) -> None:
        if event.list_view.index is None or event.list_view.index == self.selected:
            return
        self._store_lore()
        self.selected = event.list_view.index
        self._load_lore()

    def action_new_lore(self) -> None:
        self._store_lore()
        taken = {e.id for e in self.lore}
        base = "entry"
        new_id, n = base, 2
        while new_id in taken:
            new_id, n = f"{base}-{n}", n + 1
        self.lore.append(LoreEntry(id=slugify(new_id), keys=[new_id]))
        self.query_one("#lore-list", ListView).append(ListItem(Label(new_id, markup=False)))
        self.selected = len(self.lore) - 1
        self.query_one("#lore-list", ListView).index = self.selected
        self._load_lore()
        self.query_one("#lore-keys", Input).focus()

    def action_delete_lore(self) -> None:
        if self.selected is None:
            return
        del self.lore[self.selected]
        self.query_one("#lore-list", ListView).children[self.selected].remove()
        self.selected = min(self.selected, len(self.lore) - 1) if self.lore else None
        self._load_lore()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "apply":
            self.action_apply()

    def action_apply(self) -> None:
        self._store_lore()
        try:
            world = World(
                premise=self.query_one("#premise", TextArea).text,
                memory=self.query_one("#memory", TextArea).text,
                authors_note=self.query_one("#authors_note", TextArea).text,
                authors_note_depth=int(self.query_one("#authors_note_depth", Input).value or 0),
                style=split_list(self.query_one("#style", Input).value),
                negative_prompt=self.query_one("#negative_prompt", Input).value,
            )
        except ValueError as err:
            self.notify(str(err), severity="error")
            return
        with self.session.change("Edit world"):
            self.session.story.meta.world = world
            self.session.story.meta.lore = list(self.lore)
        self.dismiss(True)
