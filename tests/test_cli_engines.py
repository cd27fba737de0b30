"""Commands run the engine the conductor chooses, and say why when it is the tiny one."""

from __future__ import annotations

import re

from click.testing import CliRunner

import worldforge.engines.image.registry as image_registry
import worldforge.engines.text.registry as text_registry
from tests.image_support import make_story_dir
from worldforge.cli import cli
from worldforge.store import StoryFolder

from .text_story import make_story


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_prompt_counts_with_the_story_s_image_model(tmp_path, tiny_image):
    root = make_story_dir(tmp_path / "lamp")
    folder = StoryFolder.open(root)
    folder.story.meta.models.image = "tiny"
    folder.save()
    result = run("prompt", str(root), "storm", "--preset", "psychedelic")
    assert result.exit_code == 0, result.output
    # the tiny pipeline's tokenizer, as `render` would use it: one token per byte, so the
    # prompt takes several chunks (CLIP's own tokenizer puts it in one)
    assert re.search(r"prompt: \d+ tokens in [2-9] chunk\(s\) of 75 \(exact count\)", result.stdout)


def test_prompt_counts_with_clip_s_tokenizer_rather_than_the_tiny_fallback_s(tmp_path, monkeypatch):
    monkeypatch.setattr(image_registry, "is_cached", lambda model: False)
    result = run("prompt", str(make_story_dir(tmp_path / "lamp")), "storm")
    assert result.exit_code == 0, result.output
    assert re.search(r"prompt: \d+ tokens in 1 chunk\(s\) of 75 \(exact count\)", result.stdout)


def test_a_command_on_the_tiny_fallback_says_why_and_what_to_do(tmp_path, monkeypatch, tiny_text_model):
    monkeypatch.setattr(text_registry, "text_cached", lambda model_id: None)
    StoryFolder.create(tmp_path / "story", make_story())
    result = run("context", str(tmp_path / "story"), "start", "--no-show")
    assert result.exit_code == 0, result.output
    assert "random weights" in result.stderr
    assert "no gpt2 weights on this machine; run `worldforge models pull gpt2`" in result.stderr
