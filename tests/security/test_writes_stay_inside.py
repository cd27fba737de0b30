"""Pictures are written only inside the story or the export folder, never through a link."""

from __future__ import annotations

import re

import pytest

from tests.export_story import build, png
from worldforge.core.errors import StoryError
from worldforge.export import export_story
from worldforge.store import StoryFolder

REFUSED = re.compile("symlink|points outside")


def _link_images(root, target) -> None:
    target.mkdir(exist_ok=True)
    images = root / "images"
    if images.exists():
        for path in images.iterdir():
            path.rename(target / path.name)
        images.rmdir()
    images.symlink_to(target, target_is_directory=True)


@pytest.mark.parametrize("where", ["outside", "scenes"])
def test_put_image_refuses_a_symlinked_images_folder(story_dir, tmp_path, where):
    folder = StoryFolder.open(story_dir)
    target = tmp_path / "elsewhere" if where == "outside" else story_dir / "scenes"
    before = sorted(target.iterdir()) if target.exists() else []
    _link_images(story_dir, target)
    with pytest.raises(StoryError, match=REFUSED):
        folder.put_image(png((4, 5, 6)))
    assert sorted(target.iterdir()) == before


@pytest.mark.parametrize("fmt", ["md", "twee"])
def test_an_export_never_writes_pictures_through_a_symlinked_images_folder(tmp_path, fmt):
    folder = build(tmp_path / "story")
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    _link_images(out, elsewhere)
    try:
        done = export_story(folder, fmt, out / f"book.{fmt}")
    except StoryError as exc:
        assert REFUSED.search(exc.message)
    else:
        assert any(REFUSED.search(w) for w in done.warnings)
    assert list(elsewhere.iterdir()) == []
