"""The ImageEngine protocol and what flows through it. Nothing here imports torch: the TUI
and the tests build fake engines against these types.

The protocol names everything a caller may use, so a fake that satisfies it exercises the
same conductor and studio code as the real engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from worldforge.engines.cancel import CancelToken
from worldforge.engines.record import GenerationRecord

if TYPE_CHECKING:
    from PIL.Image import Image


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


@dataclass(frozen=True)
class Reference:
    """A picture the render is conditioned on (IP-Adapter), e.g. a lore entry's reference."""

    image: bytes
    strength: float
    # what it stands for, recorded in the provenance (a lore entry's id)
    label: str


@dataclass(frozen=True)
class ImageResult:
    """One rendered picture (pixels; the conductor writes the file) and how it was made.

    `record.settings` holds the prompt unless it was hidden, the sampler's diffusers class
    name and the size: all the picture file's metadata is built from the record.
    """

    index: int
    image: Image
    seed: int
    record: GenerationRecord


# (candidate index, step done, total steps, optional low-cost preview as PNG bytes)
StepCallback = Callable[[int, int, int, bytes | None], None]


@runtime_checkable
class ImageEngine(Protocol):
    """A picture model: loads on demand, counts prompt tokens, renders seeded candidates."""

    # the backend ("diffusers"), the model as given, and the name to show and credit
    name: str
    model_id: str
    label: str
    # a random-weight offline test model: its pictures are noise, and are labelled so
    offline_tiny: bool
    # may load() fetch weights from the model hub? Off unless the user agreed (a shared
    # story must not make a machine download a model it names)
    allow_download: bool
    # the settings the model was made for, and its step count for image-to-image
    defaults: ImageSettings
    init_steps: int | None
    # the IP-Adapter reference pictures go through, None where the model has none
    ip_adapter: str | None

    @property
    def loaded(self) -> bool: ...

    def load(self, progress: Callable[[str], None] | None = None) -> None: ...

    def wanted_download(self) -> str | None:
        """The hub id load() would have to download first, or None when the weights are
        here (cached, a local folder, or the tiny model built on this machine). Asks no network."""
        ...

    def count_tokens(self, text: str) -> int:
        """Prompt tokens of `text` for the model's text encoder, without start/end markers."""
        ...

    def tokens(self, text: str) -> list[str]:
        """The tokens of `text` as the model's tokenizer writes them, without start/end markers."""
        ...

    @property
    def token_limit(self) -> int:
        """Prompt tokens in one chunk the text encoder reads; longer prompts take several."""
        ...

    def generate(
        self,
        # as written, with A1111 or compel weights; recorded as given
        prompt: str,
        settings: ImageSettings,
        init_image: bytes | None = None,
        on_step: StepCallback | None = None,
        cancel: CancelToken | None = None,
        references: tuple[Reference, ...] = (),
    ) -> list[ImageResult]: ...
