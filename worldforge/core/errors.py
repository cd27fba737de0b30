"""Errors a user can act on: what went wrong, in which file, at which line."""

from __future__ import annotations

from pathlib import Path


class StoryError(Exception):
    """A story folder (or a file in it) that cannot be read or written as asked."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path) + (f":{self.line}" if self.line else "") + ": "
        return where + self.message
