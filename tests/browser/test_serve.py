"""The studio in a browser tab: `worldforge serve` on a free loopback port, driven in
headless Chromium as a writer would: see the story, expand, watch candidates arrive, quit."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.browser.terminal import TabScreen
from worldforge.store import StoryFolder

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "stories" / "socialist-gundam"


WRITING = "… writing"  # a candidate card while its text streams in


def candidate_cards(screen: str) -> list[str]:
    """The numbers heading the cards in the Candidates panel (a line with just the number)."""
    start = screen.find("─ Candidates ─")
    return [] if start < 0 else re.findall(r"│[^│\w]*(\d) +│", screen[start:])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_listening(port: int, server: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"worldforge serve exited: {server.stdout.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listened on port {port}")


@pytest.fixture
def served(tmp_path: Path, worldforge_home: Path, tiny_text_model):
    story = tmp_path / "sg"
    shutil.copytree(EXAMPLE, story)
    port = free_port()
    env = {**os.environ, "WORLDFORGE_HOME": str(worldforge_home), "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "worldforge",
            "serve",
            str(story),
            "--port",
            str(port),
            "--engine",
            "tiny",
            "--image-engine",
            "tiny",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        wait_listening(port, server)
        yield story, f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server and any studio it still runs
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_the_studio_in_a_browser_tab_expands_and_quits(browser, served):
    story, url = served
    before = StoryFolder.open(story).story
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        tab = TabScreen(page)
        page.goto(url)
        tab.wait_for(lambda s: before.meta.title in s, "the story's title")
        tab.wait_for(lambda s: "tiny-gpt2 ready" in s, "the text model")
        page.locator("#terminal").click()
        page.keyboard.press("Control+g")
        tab.wait_for(lambda s: WRITING in s, "candidates streaming in")
        # the last card's text and the cards' final layout can reach the tab in separate frames
        screen = tab.wait_for(
            lambda s: WRITING not in s and len(candidate_cards(s)) == 4, "the finished candidates", timeout=120
        )
        assert candidate_cards(screen) == ["1", "2", "3", "4"]
        page.keyboard.press("Control+q")
        page.locator("body.-closed").wait_for(timeout=30_000)
        assert page.get_by_text("Session ended.").is_visible()
    finally:
        page.close()
    after = StoryFolder.open(story).story
    assert set(after.scenes) == set(before.scenes)
    for scene_id, scene in before.scenes.items():
        kept = after.scenes[scene_id]
        assert (kept.title, kept.text, kept.links, kept.image) == (
            scene.title,
            scene.text,
            scene.links,
            scene.image,
        )
    pending = [c for s in after.scenes.values() for c in s.candidates if c.status == "pending"]
    was_pending = [c for s in before.scenes.values() for c in s.candidates if c.status == "pending"]
    assert len(pending) == len(was_pending) + 4  # the four candidates the tab showed, saved
