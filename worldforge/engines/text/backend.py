"""The TextBackend protocol: what the engine needs from a way of running a causal LM.

The engine tokenizes, seeds, streams and records; a backend only turns prompt ids into
tokens pushed into one CandidateStream per candidate. Adding a backend (a remote server,
say) is one class that satisfies this, and no change to the engine's generate.
"""

from __future__ import annotations

from typing import Protocol

from worldforge.engines.cancel import CancelToken
from worldforge.engines.text.protocol import TextSettings
from worldforge.engines.text.streams import CandidateStream


class TextBackend(Protocol):
    # recorded as the engine in provenance ("transformers", "ctranslate2-int8")
    name: str
    # where and in which number format the weights run ("cpu", "cuda"; "float32", "int8")
    device: str
    dtype: str
    # True: candidate i samples from its own seed; False: all candidates share the call's seed
    per_candidate_seeds: bool
    # the libraries whose versions a record credits, besides torch/transformers/tokenizers
    libraries: tuple[str, ...]

    def run(
        self,
        prompt_ids: list[int],
        streams: list[CandidateStream],
        settings: TextSettings,
        seeds: list[int],
        cancel: CancelToken | None,
    ) -> None:
        """Push tokens into `streams` until each is done; raise Cancelled when `cancel` fires.

        `seeds` has one seed per stream (all equal when `per_candidate_seeds` is False).
        """
        ...

    def warm_up(self, prompt_ids: list[int], rows: int, keep: bool) -> None:
        """Get ready for calls of this size (a prompt this long, `rows` candidates) before the
        first one comes: map the memory they need, capture what they replay. With `keep`,
        remember the prompt's state too, so a call with this very prompt starts at once.
        May return before it is done; changes nothing any later call samples."""
        ...
