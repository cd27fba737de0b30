"""One candidate being generated: its tokens, the text streamed so far, and when it stops.

Both backends feed tokens in here one at a time, so streaming, stop rules and the final
text behave the same whichever backend produced the tokens.
"""

from __future__ import annotations

from collections.abc import Callable

from worldforge.engines.text.protocol import TextSettings, TokenCallback
from worldforge.engines.text.stops import finish, stop_now

REPLACEMENT = "\ufffd"


class CandidateStream:
    def __init__(
        self,
        index: int,
        decode: Callable[[list[int]], str],
        settings: TextSettings,
        eos_id: int | None,
        on_token: TokenCallback | None,
    ):
        self.index = index
        self.ids: list[int] = []
        self.emitted = ""
        self.done = False
        self.stop_reason = ""
        self._decode = decode
        self._settings = settings
        self._eos = eos_id
        self._on_token = on_token

    def push(self, token_id: int) -> bool:
        """Take the next token; stream the new text; return True once this candidate is done."""
        if self.done:
            return True
        if token_id == self._eos:
            self._stop("end of text")
            return True
        self.ids.append(token_id)
        text = self._decode(self.ids)
        # a multi-byte character split across tokens decodes as U+FFFD until it is complete
        if not text.endswith(REPLACEMENT) and len(text) > len(self.emitted):
            piece = text[len(self.emitted) :]
            self.emitted = text
            if self._on_token is not None:
                self._on_token(self.index, piece)
        if stop_now(self._settings.stop, self.emitted):
            self._stop("paragraph end")
        elif len(self.ids) >= self._settings.max_new_tokens:
            self._stop("max tokens")
        return self.done

    def _stop(self, reason: str) -> None:
        self.done, self.stop_reason = True, reason

    def final_text(self) -> str:
        # an incomplete character at the very end was never streamed: drop it here too
        raw = self._decode(self.ids).rstrip(REPLACEMENT)
        return finish(self._settings.stop, raw, self._settings.trim)
