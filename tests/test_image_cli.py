"""The picture commands through click's runner, on the tiny offline engine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.image_support import make_story_dir
from worldforge.cli import cli
from worldforge.store import StoryFolder

EXAMPLE = Path(__file__).resolve().parents[1] / "stories" / "socialist-gundam"
TINY = ["--engine", "tiny", "--size", "32x32", "--steps", "2"]


@pytest.fixture
def story_root(tmp_path, tiny_image):
    return make_story_dir(tmp_path / "lamp")


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_render_saves_renders_and_the_chosen_picture(story_root):
    result = run(
        "render", str(story_root), "storm", *TINY, "--candidates", "3", "--seed", "9", "--choose", "2"
    )
    assert result.exit_code == 0, result.output
    lines = re.findall(r"^(\d)  (images/\w+\.png)  seed (\d+)$", result.stdout, re.MULTILINE)
    assert [(n, s) for n, _, s in lines] == [("1", "9"), ("2", "10"), ("3", "11")]
    assert "grid  images/" in result.stdout and "tiny offline test model" in result.stderr
    scene = StoryFolder.open(story_root).story.scenes["storm"]
    assert [r.image for r in scene.renders] == [image for _, image, _ in lines]
    assert scene.image == lines[1][1]
    assert all((story_root / image).is_file() for _, image, _ in lines)


def test_render_from_the_parent_picture(story_root):
    assert run("render", str(story_root), "start", *TINY, "-n", "1", "--choose", "1").exit_code == 0
    result = run(
        "render", str(story_root), "storm", *TINY, "-n", "1", "--init", "parent", "--strength", "0.5"
    )
    assert result.exit_code == 0, result.output
    assert "init_sha256" in StoryFolder.open(story_root).story.scenes["storm"].provenance[0].settings


def test_render_all_is_resumable(story_root):
    result = run("render", str(story_root), "--all", *TINY, "-n", "2")
    assert result.exit_code == 0, result.output
    assert "rendered 4 scenes" in result.stdout
    story = StoryFolder.open(story_root).story
    assert all(s.image == s.renders[0].image for s in story.scenes.values())
    again = run("render", str(story_root), "--all", *TINY)
    assert "every scene already has a picture" in again.stdout


def test_prompt_prints_the_report(story_root):
    result = run("prompt", str(story_root), "storm", "--preset", "psychedelic")
    assert result.exit_code == 0, result.output
    assert "lore:lamp" in result.stdout and "esoteric" in result.stdout
    assert re.search(
        r"prompt: \d+ tokens in 1 chunk\(s\) of 75 \(exact count\); nothing is cut", result.stdout
    )
    counted = run("prompt", str(story_root), "storm", "--preset", "psychedelic", "--engine", "tiny")
    # the tiny model reads one token per byte: the same prompt takes several chunks
    assert re.search(r"in [2-9] chunk\(s\) of 75 \(exact count\)", counted.stdout)


def test_prompt_of_the_example_shows_every_style_keyword_with_exact_tokens():
    story = StoryFolder.open(EXAMPLE).story
    result = run("prompt", str(EXAMPLE), "dry-dock")
    assert result.exit_code == 0, result.output
    rows = re.findall(r"^ +(\d+)  (\S+) +(\S+) +style +(.+)$", result.stdout, re.MULTILINE)
    assert [text for *_, text in rows] == story.meta.world.style
    # CLIP's own BPE: "retro-futurist mecha" is retro - futurist me cha
    assert rows[0][0] == "5" and rows[1][0] == "8"
    assert "(exact count); nothing is cut" in result.stdout
    assert "chunk 2:" in result.stdout


def test_a_bad_weight_is_one_error_line_naming_the_lore_entry(story_root):
    folder = StoryFolder.open(story_root)
    folder.story.meta.lore[1].visual = "huge (brass:1.x) lamp"
    folder.save()
    result = CliRunner().invoke(cli, ["prompt", str(story_root), "storm"])
    assert result.exit_code != 0
    assert result.output.strip() == (
        "error: lore entry 'lamp' visual, column 13: weight '1.x' is not a number (near 'huge (brass:1.x) lamp')"
    )


def test_presets_lists_built_in_ones():
    result = run("presets")
    assert result.exit_code == 0
    assert re.search(r"^hokusai\s+", result.stdout, re.MULTILINE)
    assert "your presets:" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["start", "--all"], "give a SCENE or --all"),
        (["nowhere"], "no scene 'nowhere'"),
        (["start", "--preset", "nope"], "no style preset 'nope'"),
        (["storm", "--init", "parent"], "no parent scene with a chosen picture"),
        (["start", "--size", "30x30"], "multiples of 8"),
    ],
)
def test_user_errors_are_one_line(story_root, args, message):
    result = CliRunner().invoke(cli, ["render", str(story_root), *args, "--engine", "tiny"])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
