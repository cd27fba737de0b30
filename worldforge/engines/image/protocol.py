"""The ImageEngine protocol and what flows through it. Nothing here imports torch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from worldforge.engines.cancel import CancelToken


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
