"""Engine problems a user can act on. They derive from StoryError so every interface reports
them the same way: one message, no traceback."""

from __future__ import annotations

from worldforge.core.errors import StoryError


class EngineError(StoryError):
    """A model that cannot be found, loaded or run as asked; the message says what to do."""


class ModelUnavailable(EngineError):
    """The weights are not on this machine and cannot be downloaded now."""
