"""The story folder on disk."""

from worldforge.store.folder import StoryFolder

__all__ = ["StoryFolder"]
