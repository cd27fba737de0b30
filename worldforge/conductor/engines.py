"""Which models the studio and the commands use, and why: decided here, once.

The first of these that is set wins: what the user asked for this time (a command's
`--engine`), the story's own choice (`models` in story.yaml), the default preset when its
weights are on this machine, else the tiny offline model. A text choice that is an http(s)
URL names a model server (OpenAI's completion API) instead of a model. The reason travels with the
engine, so every interface can tell the user why it runs what it runs — above all why its
output is noise, and what to do about it.

Nothing is downloaded unless the user agreed (`allow_download`): a story shared by someone
else names its models, and opening it must not make this machine fetch gigabytes from the
hub. `download_needed` names the model to ask about first.

Building an engine imports no model library (they load in `engine.load()`), so choosing
costs nothing at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from worldforge.core.model import Story
from worldforge.engines.image.presets import DEFAULT_IMAGE_PRESET
from worldforge.engines.image.protocol import ImageEngine
from worldforge.engines.image.registry import image_engine
from worldforge.engines.image.schedulers import SCHEDULER_NAMES
from worldforge.engines.text.engine import BACKENDS, Backend
from worldforge.engines.text.presets import DEFAULT_TEXT_PRESET, TEXT_PRESETS
from worldforge.engines.text.protocol import TextEngine
from worldforge.engines.text.registry import text_cached, text_engine
from worldforge.engines.text.remote.address import is_server_url
from worldforge.engines.text.remote.engine import DEFAULT_TIMEOUT, RemoteTextEngine

Engine = TypeVar("Engine", TextEngine, ImageEngine)
Origin = Literal["asked", "story", "default", "fallback"]

__all__ = [
    "BACKENDS",
    "SCHEDULER_NAMES",
    "Backend",
    "EngineChoice",
    "choose_image_engine",
    "choose_text_engine",
    "download_needed",
]

_NOISE = {"text": "its text is noise, not writing", "image": "its pictures are noise"}


@dataclass(frozen=True)
class EngineChoice(Generic[Engine]):
    """An engine (not loaded yet) and why it was chosen."""

    engine: Engine
    origin: Origin
    reason: str  # one line a user can act on, e.g. "no gpt2 weights on this machine; run …"
    kind: Literal["text", "image"]

    @property
    def fallback(self) -> bool:
        """The tiny model only because nothing else was asked for or downloaded."""
        return self.origin == "fallback"

    @property
    def warning(self) -> str | None:
        """What to tell the user before running the tiny offline model; None for a real one."""
        if not self.engine.offline_tiny:
            return None
        return f"tiny offline test model (random weights): {_NOISE[self.kind]} — {self.reason}"

    @property
    def download(self) -> str | None:
        """The hub id loading would download without the user's consent (see download_needed)."""
        return download_needed(self.engine)


def download_needed(engine: TextEngine | ImageEngine) -> str | None:
    """The hub id `engine` would have to download before it loads, when the user has not
    allowed downloads; None when the weights are here or the download is allowed."""
    return None if engine.allow_download else engine.wanted_download()


def _wanted(choice: str | None, story_choice: str | None, kind: str) -> tuple[str | None, Origin, str]:
    if choice:
        return choice, "asked", f"{choice} was asked for"
    if story_choice:
        return story_choice, "story", f"the story asks for {story_choice} (models.{kind} in story.yaml)"
    return None, "default", ""


def _by_default(default: str, tiny: bool) -> tuple[Origin, str]:
    if tiny:
        return "fallback", f"no {default} weights on this machine; run `worldforge models pull {default}`"
    return "default", f"{default} is the default and its weights are on this machine"


def choose_text_engine(
    story: Story | None,
    choice: str | None = None,
    backend: Backend = "auto",
    timeout: float | None = None,
    allow_download: bool = False,
) -> EngineChoice[TextEngine]:
    """The text engine for this run: `choice`, else the story's, else gpt2 if downloaded, else tiny.

    `timeout`: seconds a model server may stay silent (only for a server URL).
    """
    name, origin, reason = _wanted(choice, story.meta.models.text if story else None, "text")
    engine: TextEngine
    if is_server_url(name):
        assert name is not None
        # GPT-2's BPE counts tokens for a server without a tokenizer endpoint, if it is here
        gpt2 = text_cached(TEXT_PRESETS[DEFAULT_TEXT_PRESET].model_id)
        window = story.meta.models.text_window if story else None
        remote = RemoteTextEngine(
            name, timeout=timeout or DEFAULT_TIMEOUT, window=window, local_tokenizer=gpt2
        )
        reason = reason.replace(name, remote.server)
        engine = remote
    else:
        engine = text_engine(name, backend=backend, allow_download=allow_download)
    if name is None:
        origin, reason = _by_default(DEFAULT_TEXT_PRESET, engine.offline_tiny)
    return EngineChoice(engine, origin, reason, "text")


def choose_image_engine(
    story: Story | None, choice: str | None = None, allow_download: bool = False
) -> EngineChoice[ImageEngine]:
    """The image engine for this run: `choice`, else the story's, else sd-turbo if downloaded, else tiny."""
    name, origin, reason = _wanted(choice, story.meta.models.image if story else None, "image")
    engine = image_engine(name, allow_download=allow_download)
    if name is None:
        origin, reason = _by_default(DEFAULT_IMAGE_PRESET, engine.offline_tiny)
    return EngineChoice(engine, origin, reason, "image")
