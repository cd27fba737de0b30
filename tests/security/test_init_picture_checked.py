"""The picture an image-to-image render starts from is opened through the one check."""

from __future__ import annotations

import pytest

from tests.export_story import png
from tests.security.hostile import png_claiming, svg_fetching
from worldforge.conductor.render import PARENT, resolve_init
from worldforge.core.errors import StoryError
from worldforge.store import StoryFolder

BOMB = png_claiming(50_000, 50_000)


@pytest.mark.parametrize(
    "content, problem",
    [
        (BOMB, "more pixels than the limit"),
        (png_claiming(12_000, 12_000), "12000 x 12000"),
        (svg_fetching("x"), "SVG"),
    ],
    ids=["bomb", "huge", "svg"],
)
def test_an_init_file_that_is_no_sane_picture_is_refused(story_dir, tmp_path, content, problem):
    path = tmp_path / "init.png"
    path.write_bytes(content)
    with pytest.raises(StoryError, match=problem):
        resolve_init(StoryFolder.open(story_dir), "start", str(path))


def test_the_parent_scene_picture_is_checked_too(story_dir):
    folder = StoryFolder.open(story_dir)
    rel = folder.put_image(png((1, 2, 3)))
    (folder.root / rel).write_bytes(BOMB)
    folder.story.scene("start").image = rel
    child = next(link.to for link in folder.story.scene("start").links)
    with pytest.raises(StoryError, match="more pixels than the limit"):
        resolve_init(folder, child, PARENT)
    with pytest.raises(StoryError, match="more pixels than the limit"):
        resolve_init(folder, child, rel)


def test_an_init_device_is_refused_without_reading_it(story_dir):
    with pytest.raises(StoryError, match="not a regular file|not found"):
        resolve_init(StoryFolder.open(story_dir), "start", "/dev/zero")
