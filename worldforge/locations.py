"""Every folder worldforge keeps outside a story folder, in one place.

Two roots, each overridable so tests and CI never touch a user's real folders:

- config (`WORLDFORGE_CONFIG`, else the platform's user config folder): what the user
  writes or would back up — their style presets, the list of recently opened stories,
  the identity that signs their pictures;
- home (`WORLDFORGE_HOME`, else the platform's user cache folder): what worldforge can
  build again — the tiny offline models, weights converted for faster backends.

Hub downloads stay in the Hugging Face cache, shared with other tools, and are not here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import platformdirs


def _root(variable: str, platform_dir: Callable[..., str]) -> Path:
    override = os.environ.get(variable)
    if override:
        return Path(override).expanduser()
    return Path(platform_dir("worldforge", appauthor=False))


def config_dir() -> Path:
    return _root("WORLDFORGE_CONFIG", platformdirs.user_config_dir)


def user_presets_dir() -> Path:
    """The user's own style presets (YAML files), beside and over the built-in ones."""
    return config_dir() / "presets"


def recent_stories_file() -> Path:
    return config_dir() / "recent.json"


def signing_dir() -> Path:
    """The identity that signs pictures (certificate chain + private key, the key 0600).

    In the config folder because it is the user's, not the story's: a story folder is
    shared and copied, a private key must never travel with it.
    """
    return config_dir() / "signing"


def worldforge_home() -> Path:
    return _root("WORLDFORGE_HOME", platformdirs.user_cache_dir)


def models_dir() -> Path:
    """Locally built models (the tiny random-weight ones)."""
    return worldforge_home() / "models"


def converted_dir() -> Path:
    """Models converted for faster backends (CTranslate2), keyed by model id + revision."""
    return worldforge_home() / "converted"
