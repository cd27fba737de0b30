"""Twee import reads only the Twee file and the pictures inside its images/ folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.export_story import build, png
from tests.security.hostile import SECRET, png_claiming
from worldforge.core.errors import StoryError
from worldforge.export import export_story
from worldforge.export.twee import export_twee, import_twee
from worldforge.store import StoryFolder


@pytest.fixture
def exported(tmp_path) -> tuple[Path, str]:
    """A Twee export with its images/ folder emptied: (the Twee file, one picture it names)."""
    folder = build(tmp_path / "story")
    out = tmp_path / "shared" / "story.twee"
    out.parent.mkdir()
    out.write_text(export_twee(folder.story))
    picture = next(s.image for s in folder.story.scenes.values() if s.image)
    (out.parent / "images").mkdir()
    return out, picture


def _import(twee: Path, dest: Path) -> tuple[StoryFolder, list[str]]:
    folder, warnings = import_twee(twee, dest)
    return StoryFolder.open(folder.root), warnings


def _not_copied(twee: Path, rel: str, dest: Path, warning: str) -> None:
    folder, warnings = _import(twee, dest)
    assert any(warning in w for w in warnings), warnings
    assert not (folder.root / rel).exists()


def test_a_symlink_to_an_outside_file_is_not_copied_nor_exported(exported, tmp_path):
    twee, rel = exported
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    (twee.parent / rel).symlink_to(secret)
    folder, warnings = _import(twee, tmp_path / "imported")
    assert any("points outside" in w for w in warnings)
    assert not (folder.root / rel).exists()
    html = export_story(folder, "html", tmp_path / "book.html")
    assert SECRET not in html.path.read_text()
    assert not any(SECRET.encode() in p.read_bytes() for p in folder.root.rglob("*") if p.is_file())


def test_a_symlink_to_an_outside_picture_is_refused_too(exported, tmp_path):
    twee, rel = exported
    outside = tmp_path / "elsewhere.png"
    outside.write_bytes(png((9, 9, 9)))
    (twee.parent / rel).symlink_to(outside)
    _not_copied(twee, rel, tmp_path / "imported", "points outside")


def test_a_symlinked_images_folder_is_refused(exported, tmp_path):
    twee, rel = exported
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / Path(rel).name).write_bytes(png((9, 9, 9)))
    (twee.parent / "images").rmdir()
    (twee.parent / "images").symlink_to(elsewhere, target_is_directory=True)
    _not_copied(twee, rel, tmp_path / "imported", "points outside")


@pytest.mark.parametrize(
    "content",
    [SECRET.encode(), b"<svg xmlns='http://www.w3.org/2000/svg'/>", png_claiming(50_000, 50_000)],
    ids=["text", "svg", "decompression-bomb"],
)
def test_what_is_not_a_sane_picture_is_not_copied(exported, tmp_path, content):
    twee, rel = exported
    (twee.parent / rel).write_bytes(content)
    _not_copied(twee, rel, tmp_path / "imported", "not copied")


def test_a_real_picture_beside_the_twee_file_is_copied(exported, tmp_path):
    twee, rel = exported
    (twee.parent / rel).write_bytes(png((1, 200, 3)))
    folder, _ = _import(twee, tmp_path / "imported")
    assert (folder.root / rel).read_bytes() == png((1, 200, 3))


def test_an_oversized_picture_is_refused_by_its_size_before_it_is_read(exported, tmp_path):
    twee, rel = exported
    with (twee.parent / rel).open("wb") as handle:  # sparse: 65 MiB that take no disk
        handle.truncate(65 * 1024 * 1024)
    _not_copied(twee, rel, tmp_path / "imported", "the limit is 64 MiB")


@pytest.mark.parametrize("device", ["/dev/zero", "fifo"])
def test_import_of_a_device_or_fifo_is_refused_without_reading_it(tmp_path, device):
    source = Path(device)
    if device == "fifo":
        source = tmp_path / "story.twee"
        os.mkfifo(source)
    with pytest.raises(StoryError, match="not a regular file"):
        import_twee(source, tmp_path / "imported")


def test_a_story_file_linked_outside_the_story_is_refused(story_dir, tmp_path):
    outside = tmp_path / "other.yaml"
    outside.write_bytes((story_dir / "story.yaml").read_bytes())
    (story_dir / "story.yaml").unlink()
    (story_dir / "story.yaml").symlink_to(outside)
    with pytest.raises(StoryError, match="points outside"):
        StoryFolder.open(story_dir)
