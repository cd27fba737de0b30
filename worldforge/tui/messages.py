"""Messages that carry model work from worker threads up to the studio screen.

Progress messages replace the previous pending one of their kind (`can_replace`), so a fast
model never floods the queue: the UI shows the latest state, not every step.
"""

from __future__ import annotations

from textual.message import Message
from textual.notifications import SeverityLevel

from worldforge.core.model import Story


class CandidateProgress(Message):
    """The text so far of every streaming candidate of a scene.

    Each message carries the whole state, so a newer one can stand in for any older one still
    waiting in the queue (Textual asks `older.can_replace(newer)`).
    """

    def __init__(self, scene_id: str, texts: dict[int, str]) -> None:
        super().__init__()
        self.scene_id = scene_id
        self.texts = texts

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, CandidateProgress) and message.scene_id == self.scene_id


class RenderProgress(Message):
    """A denoising step done; a newer one replaces an older one unless only the older has a preview."""

    def __init__(self, scene_id: str, candidate: int, step: int, total: int, preview: bytes | None) -> None:
        super().__init__()
        self.scene_id = scene_id
        self.candidate = candidate
        self.step = step
        self.total = total
        self.preview = preview

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RenderProgress) and (self.preview is None or message.preview is not None)


class EngineStatus(Message):
    """An engine started loading, finished loading, or failed."""

    def __init__(self, kind: str, text: str, ready: bool = False, failed: bool = False) -> None:
        super().__init__()
        self.kind = kind
        self.text = text
        self.ready = ready
        self.failed = failed


class DownloadWanted(Message):
    """An engine cannot load before `model` is downloaded, which the user has not allowed yet."""

    def __init__(self, kind: str, model: str) -> None:
        super().__init__()
        self.kind = kind
        self.model = model


class Generated(Message):
    """A job finished: `story` is the worker's copy, holding the new candidates or renders."""

    def __init__(self, story: Story, scene_id: str, label: str, images: list[str] | None = None) -> None:
        super().__init__()
        self.story = story
        self.scene_id = scene_id
        self.label = label
        self.images = images or []


class WorkFailed(Message):
    """A job was cancelled or failed; nothing of it is kept."""

    def __init__(self, text: str, severity: SeverityLevel) -> None:
        super().__init__()
        self.text = text
        self.severity = severity


class ProblemsCounted(Message):
    """The graph checks' summary for the story as it was at `revision` ("" when clean)."""

    def __init__(self, revision: int, summary: str) -> None:
        super().__init__()
        self.revision = revision
        self.summary = summary


class CredentialChecked(Message):
    """The content credentials of a picture were read (in a worker): the line to show."""

    def __init__(self, image: str, state: str, line: str) -> None:
        super().__init__()
        self.image = image
        self.state = state
        self.line = line
