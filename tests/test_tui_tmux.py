"""Smoke test of the real `worldforge open` command in a terminal, driven as a person would."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from worldforge.store import StoryFolder

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "stories" / "socialist-gundam"

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None and not os.environ.get("CI"), reason="tmux not installed (CI installs it)"
)


class Terminal:
    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.name = f"wf-{uuid.uuid4().hex[:8]}"
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", self.name, "-x", "120", "-y", "36", *command],
            check=True,
            env=env,
        )

    def screen(self) -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
        ).stdout

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def type(self, text: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", text], check=True)

    def pid(self) -> int:
        out = subprocess.run(
            ["tmux", "display", "-p", "-t", self.name, "#{pane_pid}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return int(out.strip())

    def alive(self) -> bool:
        return subprocess.run(["tmux", "has-session", "-t", self.name], capture_output=True).returncode == 0

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


@pytest.fixture
def story_copy(tmp_path: Path) -> Path:
    target = tmp_path / "sg"
    shutil.copytree(EXAMPLE, target)
    return target


def open_studio(story: Path, home: Path) -> Terminal:
    env = {
        **os.environ,
        "WORLDFORGE_HOME": str(home),
        "WORLDFORGE_CONFIG": str(home / "config"),
        "TERM": "xterm-256color",
        "PYTHONPATH": str(ROOT),
    }
    return Terminal(
        [
            sys.executable,
            "-m",
            "worldforge",
            "open",
            str(story),
            "--engine",
            "tiny",
            "--image-engine",
            "tiny",
        ],
        env,
    )


def test_grow_and_illustrate_the_example_story(story_copy: Path, worldforge_home: Path, tiny_text_model):
    term = open_studio(story_copy, worldforge_home)
    try:
        term.wait_for("Story map")
        term.wait_for("OFFLINE")
        term.wait_for("tiny-gpt2 ready")
        term.wait_for("tiny-sd ready")
        term.keys("C-b")
        term.wait_for("Title of the new branch scene")
        term.type("The Tenth Gate")
        term.keys("Enter")
        term.wait_for("The Tenth Gate")
        term.keys("C-g")
        term.wait_for("writing")
        deadline = time.monotonic() + 60
        while "writing" in term.screen() and time.monotonic() < deadline:
            time.sleep(0.2)
        term.keys("C-r")
        term.wait_for("(test noise)")
        term.keys("C-q")
        deadline = time.monotonic() + 20
        while term.alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not term.alive(), "ctrl+q did not quit"
    finally:
        term.close()
    story = StoryFolder.open(story_copy).story
    scene = story.scene("the-tenth-gate")
    assert story.scene("dry-dock").link_to("the-tenth-gate")
    assert len(scene.candidates) == 4 and all(c.status == "pending" for c in scene.candidates)
    assert scene.image and (story_copy / scene.image).is_file()
    assert {p.kind for p in scene.provenance} == {"text", "image"}


def test_a_killed_studio_keeps_what_was_autosaved(story_copy: Path, worldforge_home: Path, tiny_text_model):
    term = open_studio(story_copy, worldforge_home)
    try:
        term.wait_for("Story map")
        term.keys("C-b")
        term.wait_for("Title of the new branch scene")
        term.type("Before The Crash")
        term.keys("Enter")
        term.wait_for("Before The Crash")
        time.sleep(2.5)  # the studio autosaves a second after each change
        os.kill(term.pid(), signal.SIGKILL)
    finally:
        term.close()
    story = StoryFolder.open(story_copy).story
    assert story.scene("dry-dock").link_to("before-the-crash")
    assert story.scene("before-the-crash").title == "Before The Crash"
