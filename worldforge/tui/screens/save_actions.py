"""Saving the studio's story when another program writes the same folder.

A save the store refuses because another writer changed the story on disk
(`StoryChangedOnDisk`) saves nothing: the studio says so and offers to reload (F12, or
"Reload story from disk" in the command palette). A save that finds the folder locked by
another writer (`StoryLocked`) is tried again a little later, and the writer is told so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from worldforge.core.errors import StoryError
from worldforge.store import StoryChangedOnDisk, StoryLocked
from worldforge.tui.screens.dialogs import ConfirmScreen

if TYPE_CHECKING:
    from worldforge.tui.screens.studio import StudioScreen

LOCKED_RETRY_SECONDS = 2.0
AUTOSAVE_LOCK_WAIT = 0.2  # seconds the UI thread may wait for another writer's save to finish

CHANGED_ON_DISK = (
    "Another program changed this story on disk, so your edits were not saved. "
    "Press F12 (or “Reload story from disk” in the command palette, ctrl+p) to load its version; "
    "your unsaved edits are dropped then."
)


def autosave(studio: StudioScreen) -> None:
    try:
        # the UI thread must not wait for another writer: refused at once, retried later
        written = studio.session.save(wait=AUTOSAVE_LOCK_WAIT)
    except StoryChangedOnDisk:
        studio.notify(CHANGED_ON_DISK, title="Story changed on disk", severity="error", timeout=20)
        return
    except StoryLocked:
        studio.notify(
            f"Another program is saving this story: busy, retrying in {LOCKED_RETRY_SECONDS:g} s.",
            severity="warning",
            timeout=LOCKED_RETRY_SECONDS + 1,
        )
        studio.save_soon(LOCKED_RETRY_SECONDS)
        return
    except (StoryError, OSError) as err:
        studio.notify(f"not saved: {err}", severity="error", timeout=10, markup=False)
        return
    if written:
        studio.refresh_status()


def reload(studio: StudioScreen) -> None:
    """Read the story again from disk (asking first when that drops unsaved edits)."""

    def reload_now() -> None:
        try:
            studio.session.reload()
        except StoryError as err:
            studio.notify(f"cannot reload: {err}", severity="error", timeout=10, markup=False)
            return
        studio.sub_title = studio.session.story.title
        studio.refresh_all()
        studio.schedule_checks()
        studio.notify("reloaded the story from disk")

    if not studio.session.dirty:
        reload_now()
        return

    def confirmed(yes: bool | None) -> None:
        if yes:
            reload_now()

    question = "Reload the story from disk? Your unsaved edits and the undo history are dropped."
    studio.app.push_screen(ConfirmScreen(question, "Reload"), confirmed)
