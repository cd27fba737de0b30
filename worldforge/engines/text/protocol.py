"""The TextEngine protocol and what flows through it. Nothing here imports torch: the TUI and
the tests build fake engines against these types."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from worldforge.engines.cancel import CancelToken

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
