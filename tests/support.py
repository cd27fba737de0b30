"""Helpers shared by tests."""

from __future__ import annotations

from pathlib import Path


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def story_files(root: Path) -> dict[str, bytes]:
    """What the story is on disk: story.yaml and the scene files (temp litter aside)."""
    files = {"story.yaml": (root / "story.yaml").read_bytes()}
    for path in sorted((root / "scenes").iterdir()):
        if not path.name.startswith("."):
            files[f"scenes/{path.name}"] = path.read_bytes()
    return files
