"""Messages that carry model work from worker threads up to the app.

Progress messages replace the previous pending one of their kind (`can_replace`), so a fast
model never floods the queue: the UI shows the latest state, not every step.
"""

from __future__ import annotations

from textual.message import Message


class CandidateProgress(Message):
    """The text so far of one streaming candidate (whole text, so dropping older ones is safe)."""

    def __init__(self, index: int, text: str) -> None:
        super().__init__()
        self.index = index
        self.text = text

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, CandidateProgress) and message.index == self.index


class RenderProgress(Message):
    def __init__(self, candidate: int, step: int, total: int, preview: bytes | None) -> None:
        super().__init__()
        self.candidate = candidate
        self.step = step
        self.total = total
        self.preview = preview

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RenderProgress) and (self.preview is not None or message.preview is None)


class EngineStatus(Message):
    """An engine started loading, finished loading, or failed."""

    def __init__(self, kind: str, text: str, ready: bool = False, failed: bool = False) -> None:
        super().__init__()
        self.kind = kind
        self.text = text
        self.ready = ready
        self.failed = failed
