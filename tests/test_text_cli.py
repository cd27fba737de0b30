"""The text commands through click's runner, on the tiny model."""

from __future__ import annotations

from click.testing import CliRunner

from worldforge.cli import cli
from worldforge.store import StoryFolder

from .text_story import make_story


def make_make_story_dir(tmp_path):
    StoryFolder.create(tmp_path / "story", make_story())
    return tmp_path / "story"


def test_expand_saves_candidates(tmp_path, tiny_text_model):
    folder = make_make_story_dir(tmp_path)
    result = CliRunner().invoke(
        cli,
        [
            "expand",
            str(folder),
            "start",
            "--engine",
            "tiny",
            "--candidates",
            "2",
            "--seed",
            "7",
            "--max-tokens",
            "12",
            "--stop",
            "tokens",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "random weights" in result.stderr
    scene = StoryFolder.open(folder).story.scene("start")
    assert [c.status for c in scene.candidates] == ["pending", "pending"]
    # on CPU with ctranslate2 installed, auto picks it: one seed for the whole batch
    assert [(p.engine, p.seed) for p in scene.provenance] == [("ctranslate2-int8", 7)] * 2
    assert "candidate 1 · seed" in result.output
    accepted = CliRunner().invoke(cli, ["accept", str(folder), "start", "1"])
    assert accepted.exit_code == 0, accepted.output
    scene = StoryFolder.open(folder).story.scene("start")
    assert scene.text.endswith(scene.candidates[1].text) and scene.model_spans


def test_expand_branch_makes_children(tmp_path, tiny_text_model):
    folder = make_make_story_dir(tmp_path)
    result = CliRunner().invoke(
        cli,
        [
            "expand",
            str(folder),
            "start",
            "--engine",
            "tiny",
            "-n",
            "2",
            "--max-tokens",
            "8",
            "--branch",
            "--backend",
            "transformers",
        ],
    )
    assert result.exit_code == 0, result.output
    story = StoryFolder.open(folder).story
    assert len(story.scene("start").links) == 4
    assert [c.status for c in story.scene("start").candidates] == ["branched", "branched"]


def test_expand_unknown_scene_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(
        cli, ["expand", str(make_make_story_dir(tmp_path)), "nowhere", "--engine", "tiny"]
    )
    assert result.exit_code == 2
    assert "no scene 'nowhere'" in result.stderr


def test_context_prints_the_report(tmp_path, tiny_text_model):
    result = CliRunner().invoke(
        cli, ["context", str(make_make_story_dir(tmp_path)), "start", "--engine", "tiny"]
    )
    assert result.exit_code == 0, result.output
    assert "context for scene 'start'" in result.output
    assert "lore" in result.output and "machine" in result.output
    assert "──── context ────\nA story of a harbour town" in result.output


def test_models_list_and_tiny(tmp_path, tiny_text_model):
    listed = CliRunner().invoke(cli, ["models", "list"])
    assert listed.exit_code == 0, listed.output
    assert "openai-community/gpt2" in listed.output and "MIT (OpenAI GPT-2 license)" in listed.output
    assert "distilgpt2" in listed.output and "✓ built" in listed.output
    built = CliRunner().invoke(cli, ["models", "tiny"])
    assert built.exit_code == 0, built.output
    assert str(tiny_text_model) in built.output


def test_pull_offline_says_what_to_do(monkeypatch):
    import huggingface_hub.constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    result = CliRunner().invoke(cli, ["models", "pull", "gpt2"])
    assert result.exit_code == 2
    assert "cannot download 'openai-community/gpt2'" in result.stderr
    assert "worldforge models pull gpt2" in result.stderr and "--engine tiny" in result.stderr
