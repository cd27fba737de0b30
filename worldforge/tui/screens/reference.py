"""A lore entry's reference picture, set in the studio: from a picture file or a scene's
chosen picture (from the world screen), or from the picture on show (from the picture
panel), at a strength; or cleared.

The dialog only gathers what the writer asks for. Its `apply` callback sets it through the
same use case as `worldforge lore ref` and saves; a refusal (no such file, not a picture)
is shown in the dialog, which stays open with everything typed, so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Select

from worldforge.core.errors import StoryError
from worldforge.core.model import LoreEntry, Story
from worldforge.tui.screens.dialogs import Dialog


@dataclass(frozen=True)
class ReferenceRequest:
    """What the writer asked for one entry, in `set_reference`'s terms."""

    entry: str
    image: str | None = None  # a picture file, copied into the story's images/
    from_scene: str | None = None  # that scene's chosen picture
    strength: float | None = None  # None: unchanged
    clear: bool = False


def reference_line(entry: LoreEntry) -> str:
    """The entry's reference as the world screen and the dialog show it."""
    if not entry.reference:
        return "no reference picture"
    return f"strength {entry.reference_strength:g} · {entry.reference}"


def lore_label(entry: LoreEntry) -> str:
    """An entry in the world screen's list: its id, and its reference strength if it has one."""
    return f"{entry.id}  ◆ ref {entry.reference_strength:g}" if entry.reference else entry.id


def _replaces(entry: LoreEntry) -> str:
    return (
        f"replaces its reference (strength {entry.reference_strength:g})"
        if entry.reference
        else "no reference yet"
    )


def _strength(text: str) -> float | None:
    """The typed strength (blank: unchanged); a StoryError says what is wrong with it."""
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise StoryError(f"strength {text.strip()!r} is not a number (0 to 1)") from None
    if not 0.0 <= value <= 1.0:
        raise StoryError(f"strength {value:g} is not between 0 and 1")
    return value


class ReferenceScreen(Dialog):
    """Set or clear a reference picture. With `scene` (the picture panel's case) the
    picture is that scene's chosen one and the writer picks which of `entries` gets it;
    without, `entries` holds the one entry and the writer gives a file or a scene."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("ctrl+s", "set", "Set reference", priority=True),
    ]

    def __init__(
        self,
        story: Story,
        entries: list[LoreEntry],
        apply: Callable[[ReferenceRequest], LoreEntry],
        scene: str | None = None,
    ) -> None:
        super().__init__()
        self.story = story
        self.entries = {e.id: e for e in entries}
        self.apply = apply
        self.scene = scene

    def compose(self) -> ComposeResult:
        first = next(iter(self.entries.values()))
        with VerticalScroll(classes="dialog-box"):
            if self.scene is None:
                yield Label(
                    f"Reference picture of lore entry {first.id!r}", classes="dialog-question", markup=False
                )
                yield Label(reference_line(first), id="ref-now", markup=False)
                yield Label("Picture file (PNG, JPEG or WebP; copied into the story)", classes="field-label")
                yield Input(placeholder="path to a picture", id="ref-file")
                yield Label("…or the chosen picture of a scene", classes="field-label")
                yield Select(
                    [(f"{s.title} ({s.id})", s.id) for s in self.story.scenes.values() if s.image],
                    prompt="(no scene)",
                    id="ref-scene",
                )
            else:
                title = self.story.scenes[self.scene].title
                yield Label(
                    f"Use the picture of “{title}” as the reference of",
                    classes="dialog-question",
                    markup=False,
                )
                yield Select(
                    [(f"{e.id} — {_replaces(e)}", e.id) for e in self.entries.values()],
                    value=first.id,
                    allow_blank=False,
                    id="ref-entry",
                )
            yield Label("Strength (0 to 1: how closely the pictures follow it)", classes="field-label")
            yield Input(f"{first.reference_strength:g}", id="ref-strength")
            yield Label("", id="ref-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Set (ctrl+s)", variant="primary", id="ref-set")
                if self.scene is None:
                    yield Button("Clear reference", variant="error", id="ref-clear")
                yield Button("Cancel", id="ref-cancel")

    def on_mount(self) -> None:
        self.query_one("#ref-error", Label).display = False
        self.query_one("#ref-file" if self.scene is None else "#ref-entry").focus()

    @property
    def entry(self) -> LoreEntry:
        if self.scene is None:
            return next(iter(self.entries.values()))
        return self.entries[str(self.query_one("#ref-entry", Select).value)]

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "ref-entry":
            self.query_one("#ref-strength", Input).value = f"{self.entry.reference_strength:g}"

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_set()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ref-set":
            self.action_set()
        elif event.button.id == "ref-clear":
            self._send(clear=True)
        else:
            self.dismiss(None)

    def action_set(self) -> None:
        self._send(clear=False)

    def _send(self, clear: bool) -> None:
        try:
            request = self._request(clear)
            entry = self.apply(request)
        except StoryError as err:
            self._error(err.message if err.path is None else str(err))
            return
        if entry.reference:
            self.dismiss(
                f"{entry.id}: reference picture set, strength {entry.reference_strength:g}; "
                "the scenes that mention it are drawn after it"
            )
        else:
            self.dismiss(f"{entry.id}: no reference picture")

    def _request(self, clear: bool) -> ReferenceRequest:
        strength = _strength(self.query_one("#ref-strength", Input).value)
        if self.scene is not None:
            return ReferenceRequest(self.entry.id, from_scene=self.scene, strength=strength)
        if clear:
            return ReferenceRequest(self.entry.id, strength=strength, clear=True)
        path = self.query_one("#ref-file", Input).value.strip() or None
        scene = self.query_one("#ref-scene", Select).value
        from_scene = scene if isinstance(scene, str) else None
        if path and from_scene:
            raise StoryError("give a picture file or a scene, not both")
        if not (path or from_scene or strength is not None):
            raise StoryError("give a picture file or choose a scene (or a new strength)")
        return ReferenceRequest(self.entry.id, path, from_scene, strength)

    def _error(self, text: str) -> None:
        label = self.query_one("#ref-error", Label)
        label.update(text)
        label.display = True
        label.set_classes("ref-error")
