"""What the studio tests share: building the app the one way it is built, and reading its notifications."""

from __future__ import annotations

from pathlib import Path

from textual.message import Message
from textual.notifications import Notify
from textual_image.widget import HalfcellImage

from worldforge.conductor.session import Session
from worldforge.core.model import Link, Scene, Story, StoryMeta
from worldforge.store import StoryFolder
from worldforge.tui.app import WorldforgeApp, make_app


def studio(story_dir: Path, text=None, image=None) -> WorldforgeApp:
    """The studio on `story_dir` with a fixed picture renderer and a quick autosave."""
    return make_app(Session.open(story_dir), text, image, image_widget=HalfcellImage, autosave_seconds=0.05)


class Notes:
    """A `message_hook` for `run_test` that keeps every notification the app shows."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def __call__(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.messages.append(message.notification.message)

    def any(self, text: str) -> bool:
        return any(text in m for m in self.messages)


async def run_command(pilot, words: str) -> None:
    """Find a command by typing `words` in the command palette (ctrl+p) and run it."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*words)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await pilot.pause(0.3)


async def finish(pilot, app) -> None:
    """Let workers and the messages they post run out."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause(0.15)


def tree_story(root: Path, scenes: int) -> Path:
    """A story of `scenes` scenes t0…: scene i chooses 2i+1 or 2i+2 (a binary tree), written
    through the store; big enough to show what the studio does with thousands of scenes."""
    story = Story(StoryMeta(title="Tree", start="t0"), {})
    for i in range(scenes):
        links = [Link(to=f"t{k}", label=f"to {k}") for k in (2 * i + 1, 2 * i + 2) if k < scenes]
        story.scenes[f"t{i}"] = Scene(id=f"t{i}", title=f"Scene {i}", text=f"Text {i}.", links=links)
    StoryFolder.create(root, story)
    return root
