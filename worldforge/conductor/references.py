"""Reference pictures of lore entries: set one, and find those a scene's render uses.

A lore entry's `reference` is a picture of the story's images/ (imported from a file, or a
scene's chosen picture). A scene that mentions the entry (by the same key rules as its
prompt) is rendered with an IP-Adapter conditioned on that picture, at the entry's strength.
"""

from __future__ import annotations

from pathlib import Path

from worldforge.core.errors import StoryError
from worldforge.core.model import LoreEntry, Scene
from worldforge.engines.image.protocol import Reference
from worldforge.prompting.image_prompt import triggered_lore
from worldforge.store.folder import MAX_IMAGE_BYTES, StoryFolder
from worldforge.store.guarded import read_regular
from worldforge.store.picture import check_picture

_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp"})


def lore_entry(folder: StoryFolder, entry_id: str) -> LoreEntry:
    for entry in folder.story.meta.lore:
        if entry.id == entry_id:
            return entry
    known = ", ".join(e.id for e in folder.story.meta.lore) or "none"
    raise StoryError(f"no lore entry {entry_id!r} (lore entries: {known})")


def set_reference(
    folder: StoryFolder,
    entry_id: str,
    image: str | None = None,
    from_scene: str | None = None,
    strength: float | None = None,
    clear: bool = False,
) -> LoreEntry:
    """Give a lore entry its reference picture (not saved): a picture file, which is copied
    into images/, or the chosen picture of a scene; `clear` removes it, and with none of the
    three it is kept (a new strength alone). The CLI and the studio both set it here.
    Raises StoryError, having changed nothing, for an unknown entry or a bad picture."""
    entry = lore_entry(folder, entry_id)
    if strength is not None and not 0.0 <= strength <= 1.0:
        raise StoryError(f"reference strength {strength:g} is not between 0 and 1")
    if from_scene is not None:
        if from_scene not in folder.story.scenes:
            raise StoryError(f"no scene {from_scene!r} in this story")
        chosen = folder.story.scenes[from_scene].image
        if not chosen:
            raise StoryError(f"scene {from_scene!r} has no chosen picture yet (render and choose one)")
        entry.reference = chosen
    elif image is not None:
        if image.startswith("images/") and (folder.root / image).is_file():
            folder.read_image(image)
            entry.reference = image
        else:
            path = Path(image).expanduser()
            data = read_regular(path, MAX_IMAGE_BYTES, "reference picture")
            check_picture(data, path)
            suffix = path.suffix.lower()
            entry.reference = folder.put_image(data, suffix=suffix if suffix in _SUFFIXES else ".png")
    elif clear:
        entry.reference = None
    if strength is not None:
        entry.reference_strength = strength
    return entry


def scene_references(folder: StoryFolder, scene: Scene) -> tuple[Reference, ...]:
    """The reference pictures of the lore entries the scene mentions, in lore order."""
    return tuple(
        Reference(folder.read_image(entry.reference), entry.reference_strength, entry.id)
        for entry in triggered_lore(folder.story, scene)
        if entry.reference
    )
