"""One line at the bottom: story, models and device, saved or not, compute spent this session."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from worldforge.conductor.session import Session
from worldforge.core.compute import format_flops


class StatusBar(Static):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._engines: dict[str, str] = {"text": "no text model", "image": "no image model"}

    def engine_note(self, kind: str, text: str) -> None:
        """Remember what an engine last said; shown from the next `show()` on."""
        # "openai-community/gpt2 ready" -> "gpt2 ready": the full id is in every record
        self._engines[kind] = text.rsplit("/", 1)[-1] if "/" in text.split(" ", 1)[0] else text

    def show(
        self, session: Session, current: str, busy: str | None, flops: float, wh: float, problems: str
    ) -> None:
        # a Text, never markup: titles are the model's or the writer's words, brackets and all
        text = Text()
        text.append(f" {session.story.title} ", style="bold reverse")
        text.append(f" {current} ", style="bold")
        dirty = session.dirty  # asked once: it may compare the story with the files
        text.append("● unsaved" if dirty else "✓ saved", style="yellow" if dirty else "green")
        if busy:
            text.append(f"  ⟳ {busy} (Esc cancels)", style="bold magenta")
        text.append(f" Σ {format_flops(flops)} ≈{wh:.3f} Wh est.", style="cyan")
        text.append(f"  ✎ {self._engines['text']}  ◧ {self._engines['image']}", style="dim")
        if problems:
            text.append(f"  ⚠ {problems}", style="red")
        self.update(text)
