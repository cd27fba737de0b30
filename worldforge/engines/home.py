"""Where worldforge keeps what it builds or converts: tiny models, converted weights.

`WORLDFORGE_HOME` overrides the platform's user cache folder, so tests and CI never touch
a real cache. Hub downloads stay in the Hugging Face cache, shared with other tools.
"""

from __future__ import annotations

import os
from pathlib import Path


def worldforge_home() -> Path:
    override = os.environ.get("WORLDFORGE_HOME")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("worldforge", appauthor=False))


def models_dir() -> Path:
    """Locally built models (tiny random-weight ones)."""
    return worldforge_home() / "models"


def converted_dir() -> Path:
    """Models converted for faster backends (CTranslate2), keyed by model id + revision."""
    return worldforge_home() / "converted"
