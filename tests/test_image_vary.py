"""Vary subtle / strong: new candidates from a chosen picture, recorded as its variations."""

from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner

from tests.image_support import make_story_dir, tiny_settings
from worldforge import conductor
from worldforge.cli import cli
from worldforge.core.errors import StoryError
from worldforge.store import StoryFolder


@pytest.fixture
def story_root(tmp_path, tiny_image):
    return make_story_dir(tmp_path / "lamp")


def test_vary_starts_from_the_chosen_picture_and_names_it(story_root, tiny_image):
    folder = StoryFolder.open(story_root)
    with pytest.raises(StoryError, match="no chosen picture to vary"):
        conductor.render(folder, "start", tiny_image, tiny_settings(), vary="subtle")
    first = conductor.render(folder, "start", tiny_image, tiny_settings(seed=3))
    conductor.choose(folder.story, "start", first.renders[0].image)
    chosen = folder.story.scenes["start"].image
    subtle = conductor.render(
        folder, "start", tiny_image, tiny_settings(seed=None, candidates=2), vary="subtle"
    )
    strong = conductor.render(folder, "start", tiny_image, tiny_settings(seed=None), vary="strong")
    for batch, strength in ((subtle, 0.5), (strong, 0.85)):
        recorded = batch.provenance[0].settings
        assert recorded["varied"] == chosen and recorded["strength"] == strength
        assert recorded["init_sha256"] == hashlib.sha256((story_root / chosen).read_bytes()).hexdigest()
    assert subtle.results[0].image.tobytes() != first.results[0].image.tobytes()


def test_render_vary_on_the_command_line(story_root):
    tiny = ["--engine", "tiny", "--size", "32x32", "-n", "1"]
    assert (
        CliRunner().invoke(cli, ["render", str(story_root), "start", *tiny, "--choose", "1"]).exit_code == 0
    )
    result = CliRunner().invoke(cli, ["render", str(story_root), "start", *tiny, "--vary", "strong"])
    assert result.exit_code == 0, result.output
    scene = StoryFolder.open(story_root).story.scenes["start"]
    assert scene.provenance[-1].settings["varied"] == scene.image
    both = CliRunner().invoke(
        cli, ["render", str(story_root), "start", *tiny, "--vary", "subtle", "--init", "parent"]
    )
    assert both.exit_code != 0 and "not with --init" in both.output
