"""The world and its lore: what stays true across the story.

Edits are made on a copy and applied as one undoable change when the conductor saves
(ctrl+s); Escape leaves without changing anything. A lore entry's reference picture
(ctrl+r) is the exception: it is set at once, undoable and saved, like `worldforge lore ref`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, ListItem, ListView, TextArea

from worldforge.conductor.session import Session
from worldforge.core.graph import slugify
from worldforge.core.model import LoreEntry, World
from worldforge.tui.screens.palette import binding_commands
from worldforge.tui.screens.reference import ReferenceRequest, ReferenceScreen, lore_label, reference_line


def split_list(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


class WorldScreen(Screen[bool]):
    BINDINGS = [
        Binding("ctrl+s", "apply", "Save world", priority=True),
        Binding("escape", "dismiss(False)", "Back (discard)", priority=True),
        Binding("ctrl+n", "new_lore", "New lore entry", priority=True),
        Binding("f9", "delete_lore", "Delete lore entry", priority=True),
        Binding("ctrl+r", "reference", "Reference picture", priority=True),
    ]

    def __init__(
        self, session: Session, set_reference: Callable[[ReferenceRequest], LoreEntry] | None = None
    ) -> None:
        super().__init__()
        self.session = session
        self.set_reference = set_reference
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
                yield ListView(
                    *[ListItem(Label(lore_label(e), markup=False)) for e in self.lore], id="lore-list"
                )
                yield Label("Keys (comma separated)", classes="field-label")
                yield Input(id="lore-keys")
                yield Label("Secondary keys (all must also appear)", classes="field-label")
                yield Input(id="lore-secondary")
                yield Label("Text for the language model", classes="field-label")
                yield TextArea(soft_wrap=True, id="lore-text", classes="short")
                yield Label("Visual descriptor for pictures", classes="field-label")
                yield Input(id="lore-visual")
                yield Label(
                    "Reference picture (ctrl+r: set, re-weigh or clear)",
                    classes="field-label",
                )
                yield Label("", id="lore-reference", markup=False)
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
        self.query_one("#lore-reference", Label).update(reference_line(entry) if entry else "")

    def _store_lore(self) -> None:
        if self.selected is None:
            return
        entry = self.lore[self.selected]
        keys = split_list(self.query_one("#lore-keys", Input).value) or entry.keys
        # a copy with the fields edited here: the reference picture and its strength stay
        self.lore[self.selected] = LoreEntry(
            **{
                **entry.model_dump(),
                "keys": keys,
                "secondary_keys": split_list(self.query_one("#lore-secondary", Input).value),
                "text": self.query_one("#lore-text", TextArea).text,
                "visual": self.query_one("#lore-visual", Input).value,
            }
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
        self.query_one("#lore-list", ListView).append(
            ListItem(Label(lore_label(self.lore[-1]), markup=False))
        )
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

    def system_commands(self) -> Iterator[SystemCommand]:
        """The world screen's keys, by name, for the command palette."""
        yield from binding_commands(self)

    def action_reference(self) -> None:
        """Set or clear the chosen entry's reference picture, at once (see the module)."""
        if self.selected is None or self.set_reference is None:
            self.notify("no lore entry chosen: ctrl+n makes one", severity="warning")
            return
        entry_id = self.lore[self.selected].id
        live = next((e for e in self.session.story.meta.lore if e.id == entry_id), None)
        if live is None:
            self.notify(
                f"lore entry {entry_id!r} is new: save the world first (ctrl+s), then give it a reference",
                severity="warning",
                markup=False,
            )
            return
        apply = self.set_reference
        index = self.selected

        def applied(request: ReferenceRequest) -> LoreEntry:
            entry = apply(request)
            self._reference_set(index, entry)
            return entry

        def done(line: str | None) -> None:
            if line:
                self.notify(line, markup=False)

        self.app.push_screen(ReferenceScreen(self.session.story, [live], applied), done)

    def _reference_set(self, index: int, entry: LoreEntry) -> None:
        """Show the new reference in this screen's copy, so a later ctrl+s keeps it."""
        if index >= len(self.lore) or self.lore[index].id != entry.id:
            return
        self.lore[index] = self.lore[index].model_copy(
            update={"reference": entry.reference, "reference_strength": entry.reference_strength}
        )
        item = self.query_one("#lore-list", ListView).children[index]
        item.query_one(Label).update(lore_label(self.lore[index]))
        if index == self.selected:
            self.query_one("#lore-reference", Label).update(reference_line(self.lore[index]))

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
