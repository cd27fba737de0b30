"""The TextEngine protocol and what flows through it. Nothing here imports torch: the TUI and
the tests build fake engines against these types.

The protocol names everything a caller may use, so a fake that satisfies it exercises the
same conductor and studio code as the real engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from worldforge.engines.cancel import CancelToken
from worldforge.engines.errors import EngineError
from worldforge.engines.record import GenerationRecord

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


@dataclass(frozen=True)
class TextResult:
    """One candidate continuation and the facts needed to credit and re-run it."""

    index: int
    text: str
    seed: int
    tokens: int
    record: GenerationRecord
    # the stream broke off before this candidate was finished: its text is what arrived
    partial: bool = False


class PartialGeneration(EngineError):
    """Generation broke off (a model server stopped answering); `results` holds what arrived,
    finished candidates and partial ones, so the caller can keep them."""

    def __init__(self, message: str, results: list[TextResult]) -> None:
        super().__init__(message)
        self.results = results


# (candidate index, text piece just produced)
TokenCallback = Callable[[int, str], None]


@runtime_checkable
class TextEngine(Protocol):
    """A language model: loads on demand, counts tokens, streams seeded candidates."""

    # the backend in use ("transformers", "ctranslate2-int8"; the requested one before
    # loading), the model as given, and the name to show
    name: str
    model_id: str
    # a random-weight offline test model: its text is noise, and is labelled so
    offline_tiny: bool
    # may load() fetch weights from the model hub? Off unless the user agreed (a shared
    # story must not make a machine download a model it names)
    allow_download: bool

    @property
    def label(self) -> str: ...

    @property
    def loaded(self) -> bool: ...

    def load(self, progress: Callable[[str], None] | None = None) -> None: ...

    def wanted_download(self) -> str | None:
        """The hub id load() would have to download first, or None when the weights are
        here (cached, a local folder, or the tiny model built on this machine). Asks no network."""
        ...

    @property
    def context_window(self) -> int:
        """Tokens the model reads at once: the context plus the new tokens."""
        ...

    def count_tokens(self, text: str) -> int: ...

    def warm_up(self, settings: TextSettings, context: str | None = None) -> None:
        """After load(): get ready for calls with these settings, so the first one starts as
        fast as the next (maps memory, captures GPU graphs; may finish in the background).
        With `context`, read that context ahead too: a call sending it starts at once.
        Worth it in a long-lived process (the studio), not before a one-shot command's call."""
        ...

    def generate(
        self,
        context: str,
        settings: TextSettings,
        on_token: TokenCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> list[TextResult]: ...

    def describe(self) -> str:
        """One line for people: model, revision, backend, device, and a test-model warning."""
        ...
