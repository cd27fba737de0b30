"""Where worldforge keeps downloaded and locally built models.

One folder for the whole app: the platform's user cache dir, or $WORLDFORGE_HOME when set
(tests and CI point it at a temporary folder so they never touch the user's cache).
"""

from __future__ import annotations

import os
from pathlib import Path


def home_dir() -> Path:
    """The worldforge cache root ($WORLDFORGE_HOME, else the platform user cache dir)."""
    override = os.environ.get("WORLDFORGE_HOME")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("worldforge", appauthor=False))


def models_dir() -> Path:
    """Locally built models (the tiny offline ones) live here, one folder each."""
    return home_dir() / "models"


class ModelUnavailable(RuntimeError):
    """The weights asked for are not on this machine (and may not be fetched now)."""
