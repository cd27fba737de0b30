"""SVG snapshots of the studio's main screens (update with `pytest --snapshot-update`)."""

from __future__ import annotations

from pathlib import Path

from .tui_support import studio

SIZE = (110, 32)


def test_main_screen(snap_compare, story_dir: Path):
    assert snap_compare(studio(story_dir), terminal_size=SIZE)


def test_world_screen(snap_compare, story_dir: Path):
    assert snap_compare(studio(story_dir), terminal_size=SIZE, press=["ctrl+e"])


def test_help_screen(snap_compare, story_dir: Path):
    assert snap_compare(studio(story_dir), terminal_size=SIZE, press=["f1"])


def test_small_terminal(snap_compare, story_dir: Path):
    assert snap_compare(studio(story_dir), terminal_size=(80, 24))
