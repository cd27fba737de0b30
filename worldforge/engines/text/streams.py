"""One candidate being generated: its tokens, the text streamed so far, and when it stops.

Every backend feeds tokens in here one at a time, so streaming, stop rules and the final
text behave the same whichever backend produced the tokens.

Byte-level BPE splits a multi-byte UTF-8 character (an accented letter, an emoji) across
tokens, and decoding the ids so far then ends in U+FFFD until the character's last byte
arrives. So what streams is the decoded text up to that incomplete tail: the letters before
it at once, the character itself once it is whole, never a replacement character for it.
What streamed is always exactly the start of the final text.
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
    ) -> None:
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
        text = self._complete_text()
        if len(text) > len(self.emitted):
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

    def _complete_text(self) -> str:
        """The text of the tokens so far without an incomplete character at its end."""
        return self._decode(self.ids).rstrip(REPLACEMENT)

    def final_text(self) -> str:
        # a character still incomplete when generation stopped was never streamed: drop it
        return finish(self._settings.stop, self._complete_text(), self._settings.trim)
