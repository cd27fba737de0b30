"""A hostile story exported in every format, and its Twee imported again: nothing outside
the story folder and the output folder changes, and no socket is opened."""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path

import pytest

from tests.export_story import build
from tests.security.hostile import SECRET, png_claiming, svg_fetching
from worldforge.export import export_story
from worldforge.export.twee import import_twee


def snapshot(root: Path, skip: tuple[Path, ...]) -> dict[str, str]:
    return {
        str(path): hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder"
        for path in sorted(root.rglob("*"))
        if not path.is_symlink() and not any(path.is_relative_to(s) for s in skip)
    }


@pytest.fixture
def no_sockets(monkeypatch):
    opened: list[object] = []

    def refuse(self, address):
        opened.append(address)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return opened


def test_export_and_import_touch_nothing_outside_and_open_no_socket(tmp_path, no_sockets):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET)
    story = tmp_path / "story"
    folder = build(story)
    pictures = sorted({s.image for s in folder.story.scenes.values() if s.image})
    (story / pictures[0]).unlink()
    (story / pictures[0]).symlink_to(outside / "secret.txt")
    (story / pictures[1]).write_bytes(
        svg_fetching("http://127.0.0.1:9/x") + svg_fetching((outside / "x").as_uri())
    )
    (story / pictures[2]).write_bytes(png_claiming(50_000, 50_000))
    out = tmp_path / "out"
    before = snapshot(tmp_path, (story, out))
    for fmt in ("html", "epub", "pdf", "md", "twee"):
        done = export_story(folder, fmt, out / f"book.{fmt}", gamebook=fmt != "twee")
        warned = {p for p in pictures for w in done.warnings if p in w}
        # the Twee export copies every picture; a gamebook shows those of reachable scenes
        assert (warned == set(pictures[:3])) if fmt == "twee" else (len(warned) >= 2), (fmt, done.warnings)
        assert SECRET.encode() not in done.path.read_bytes()
    imported, _ = import_twee(out / "book.twee", out / "again")
    assert not any(SECRET.encode() in p.read_bytes() for p in out.rglob("*") if p.is_file())
    assert snapshot(tmp_path, (story, out)) == before
    assert no_sockets == []
