"""The two narrow protocols every model backend implements, and what flows through them.

Nothing here imports torch: the TUI and the tests build fake engines against these types.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable


class Cancelled(Exception):
    """Raised by an engine when its cancel token fired; partial results are discarded."""


class CancelToken:
    """A flag the UI sets and the engine polls between tokens or denoising steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


StopRule = Literal["sentence", "paragraph", "tokens"]


@dataclass
class TextSettings:
    max_new_tokens: int = 80
    temperature: float = 0.9
    top_p: float = 0.95
    top_k: int = 50
    repetition_penalty: float = 1.1
    seed: int | None = None
    candidates: int = 4
    stop: StopRule = "sentence"
    # cut a dangling half sentence at the end (stop rules "sentence" and "paragraph")
    trim: bool = True

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TextResult:
    """One candidate continuation and the facts needed to credit and re-run it."""

    index: int
    text: str
    seed: int
    tokens: int
    record: dict[str, Any] = field(default_factory=dict)


# (candidate index, text piece just produced)
TokenCallback = Callable[[int, str], None]


@runtime_checkable
class TextEngine(Protocol):
    name: str
    model_id: str
    offline_tiny: bool

    def load(self, progress: Callable[[str], None] | None = None) -> None: ...

    @property
    def context_window(self) -> int: ...

    def count_tokens(self, text: str) -> int: ...

    def generate(
        self,
        context: str,
        settings: TextSettings,
        on_token: TokenCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> list[TextResult]: ...


@dataclass
class ImageSettings:
    width: int = 512
    height: int = 512
    steps: int = 1
    guidance: float = 0.0
    scheduler: str | None = None
    negative_prompt: str = ""
    seed: int | None = None
    candidates: int = 1
    strength: float = 0.6
    quality: Literal["draft", "final"] = "final"
    # write credit and settings into the picture, but not the prompt text
    hide_prompt: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImageResult:
    """One rendered picture (PNG bytes with metadata embedded) and its record."""

    index: int
    png: bytes
    seed: int
    record: dict[str, Any] = field(default_factory=dict)


# (candidate index, step done, total steps, optional low-cost preview as PNG bytes)
StepCallback = Callable[[int, int, int, bytes | None], None]


@runtime_checkable
class ImageEngine(Protocol):
    name: str
    model_id: str
    offline_tiny: bool

    def load(self, progress: Callable[[str], None] | None = None) -> None: ...

    def generate(
        self,
        prompt: str,
        settings: ImageSettings,
        init_image: bytes | None = None,
        on_step: StepCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> list[ImageResult]: ...
