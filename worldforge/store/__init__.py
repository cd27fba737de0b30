"""The story folder on disk."""

from worldforge.store.folder import StoryFolder
from worldforge.store.writers import StoryChangedOnDisk, StoryLocked

__all__ = ["StoryChangedOnDisk", "StoryFolder", "StoryLocked"]
