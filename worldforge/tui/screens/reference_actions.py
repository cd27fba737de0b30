"""What the studio's reference keys do: set a lore entry's reference picture as one undoable
change, saved at once (as `worldforge lore ref` saves), from the world screen or from the
picture on show (alt+r)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from worldforge import conductor as use
from worldforge.core.model import LoreEntry
from worldforge.prompting.image_prompt import triggered_lore
from worldforge.tui.screens import save_actions
from worldforge.tui.screens.reference import ReferenceRequest, ReferenceScreen

if TYPE_CHECKING:
    from worldforge.tui.screens.studio import StudioScreen


def apply(studio: StudioScreen, request: ReferenceRequest) -> LoreEntry:
    """Set it through the use case the CLI uses, then save. A StoryError (no such entry or
    file, not a picture) leaves the story as it was: the change is rolled back."""
    label = "Clear reference" if request.clear else "Set reference"
    with studio.session.change(f"{label} of {request.entry}"):
        entry = use.set_reference(
            studio.session.folder,
            request.entry,
            request.image,
            request.from_scene,
            request.strength,
            request.clear,
        )
    studio.changed()
    save_actions.autosave(studio)
    return entry.model_copy()


def from_picture(studio: StudioScreen) -> None:
    """alt+r: the scene's chosen picture becomes the reference of a lore entry it mentions."""
    scene = studio.scene
    if not scene.image:
        studio.notify(
            "no picture to use yet: illustrate the scene (ctrl+r) and choose one", severity="warning"
        )
        return
    entries = triggered_lore(studio.session.story, scene)
    if not entries:
        studio.notify(
            "this scene mentions no lore entry: a reference belongs to an entry whose keys appear "
            "in the scene (ctrl+e: world and lore)",
            severity="warning",
            markup=False,
        )
        return

    def done(line: str | None) -> None:
        if line:
            studio.notify(line, markup=False)

    screen = ReferenceScreen(studio.session.story, entries, lambda r: apply(studio, r), scene=scene.id)
    studio.app.push_screen(screen, done)
