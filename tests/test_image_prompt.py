"""Image prompt composition and style presets: pure code, no model needed."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest

from tests.image_support import lighthouse_story
from worldforge.core.model import Scene
from worldforge.core.prompt_syntax import PromptSyntaxError
from worldforge.locations import user_presets_dir
from worldforge.prompting.image_prompt import (
    approx_clip_tokens,
    compose_image_prompt,
    condense,
    triggered_lore,
    visual_summary,
)
from worldforge.prompting.presets import StylePreset, load_presets, parse_preset


def words(text: str) -> list[str]:
    """One token per word, a comma its own: a tokenizer whose counts are easy to check."""
    return [w + "</w>" for w in text.replace(",", " , ").split()]


def test_summary_lore_style_and_preset_in_that_order():
    story = lighthouse_story()
    preset = load_presets().get("hokusai")
    report = compose_image_prompt(story, story.scenes["storm"], preset)
    assert [p.source for p in report.pieces][:3] == ["summary", "lore:lamp", "style"]
    assert report.prompt.startswith("ship fought waves below lamp, huge brass Fresnel lamp, muted palette")
    assert report.prompt.endswith("Prussian blue")
    assert report.negative == "text, watermark, photo, 3d render, lowres"  # deduplicated, world first
    assert report.counter == "approximate" and len(report.chunks) == 1


def test_lore_triggers_case_insensitively_and_needs_a_secondary_key_where_set():
    story = lighthouse_story()
    assert [e.id for e in triggered_lore(story, story.scenes["start"])] == ["keeper"]  # "INES"
    assert [e.id for e in triggered_lore(story, story.scenes["storm"])] == ["lamp"]  # ship, but no ghost
    assert [e.id for e in triggered_lore(story, story.scenes["wreck"])] == ["ghost"]
    story.meta.lore[1].keys = ["lam"]  # whole words only
    assert triggered_lore(story, story.scenes["storm"]) == []


def test_summary_field_wins_over_condensed_text():
    scene = Scene(id="s", title="T", text="The keeper was climbing the long stairs. It was late. Rain.")
    assert visual_summary(scene) == "keeper climbing long stairs late"
    scene.summary = "keeper on the stairs, night"
    assert visual_summary(scene) == "keeper on the stairs, night"
    assert visual_summary(Scene(id="e", title="Empty Room")) == "Empty Room"
    assert condense("One. Two. Three.", sentences=2) == "One Two"


def test_nothing_is_cut_a_long_prompt_takes_more_chunks_and_the_style_stays():
    story = lighthouse_story()
    story.meta.world.style = [f"style{i}" for i in range(40)]
    preset = load_presets().get("artstation")
    report = compose_image_prompt(story, story.scenes["storm"], preset, tokenize=words, limit=40)
    assert report.counter == "exact"
    assert all(f"style{i}" in report.prompt for i in range(40))
    assert all(k in report.prompt for k in preset.keywords)
    assert len(report.chunks) >= math.ceil(report.tokens / 40) >= 3
    assert all(len(chunk.tokens) <= 40 for chunk in report.chunks)
    assert sum(len(chunk.tokens) for chunk in report.chunks) == report.tokens == len(words(report.prompt))
    # chunks end at a comma, as compel splits them, so no keyword is torn in two
    assert all(chunk.tokens[-1] == ",</w>" for chunk in report.chunks[:-1])
    assert report.pieces[-1].chunks == (len(report.chunks),)
    lines = "\n".join(report.lines())
    assert "nothing is cut" in lines and f"chunk {len(report.chunks)}:" in lines


def test_a_long_summary_keeps_every_word():
    story = lighthouse_story()
    scene = story.scenes["start"]
    scene.summary = " ".join(f"w{i}" for i in range(100))
    report = compose_image_prompt(story, scene, None, tokenize=words, limit=75)
    assert report.prompt.startswith(scene.summary + ", old woman in a yellow raincoat")
    # no comma in the first 75 tokens: the first chunk ends at a word end
    assert report.chunks[0].tokens == [f"w{i}</w>" for i in range(75)]
    assert report.pieces[0].chunks == (1, 2)


def test_approximate_clip_count_is_close_for_plain_english():
    assert approx_clip_tokens("a red house on a hill") == 6
    assert approx_clip_tokens("1984, photo") == 6  # digits and commas are tokens of their own
    assert approx_clip_tokens("extraordinarily") == 3


def test_preset_template_frames_the_subject():
    story = lighthouse_story()
    report = compose_image_prompt(story, story.scenes["shore"], load_presets().get("pixel-art"))
    assert report.prompt.startswith("pixel art of Ines ran shore, old woman in a yellow raincoat")


def test_built_in_presets_include_the_classics():
    presets = load_presets().presets
    assert len(presets) >= 12
    keywords = {k for p in presets.values() for k in p.keywords}
    for classic in (
        "trending on artstation",
        "rendered in unreal engine",
        "esoteric",
        "fluorescent",
        "psychedelic",
    ):
        assert classic in keywords
    assert "pixel-art" in presets and any(k.startswith("in the style of") for k in keywords)
    assert all(p.negative for p in presets.values())
    for name in ("hokusai", "gustave-dore", "john-tenniel", "van-gogh"):
        assert "public domain" in presets[name].note


def test_top_level_prompts_is_the_package_data():
    root = Path(__file__).resolve().parents[1]
    assert (root / "prompts" / "styles").resolve() == (root / "worldforge" / "prompts" / "styles").resolve()


def test_user_presets_add_and_override_and_bad_ones_are_reported():
    folder = user_presets_dir()
    assert str(folder).startswith(os.environ["WORLDFORGE_CONFIG"])
    folder.mkdir(parents=True, exist_ok=True)
    try:
        (folder / "noir.yaml").write_text("keywords: [film noir, high contrast]\nnegative: [colour]\n")
        (folder / "hokusai.yaml").write_text("description: mine\nkeywords: [my hokusai]\n")
        (folder / "broken.yaml").write_text("keywords: [unclosed\n")
        (folder / "badtemplate.yaml").write_text("template: no subject here\n")
        catalog = load_presets()
    finally:
        for path in folder.iterdir():
            path.unlink()
    assert catalog.presets["noir"].keywords == ["film noir", "high contrast"]
    assert catalog.presets["noir"].source.endswith("noir.yaml")
    assert catalog.presets["hokusai"].keywords == ["my hokusai"]
    problems = "\n".join(catalog.problems)
    assert "broken.yaml" in problems and "line" in problems
    assert "badtemplate.yaml" in problems and "{subject}" in problems
    with pytest.raises(KeyError, match="known presets"):
        catalog.get("nope")


def test_parse_preset_names_default_to_the_file_name():
    preset = parse_preset("keywords: [a]\n", "from-file", "x")
    assert preset == StylePreset(name="from-file", keywords=["a"], source="x")
    with pytest.raises(ValueError, match="name"):
        parse_preset("name: Bad Name\n", "x", "x")


def test_weights_are_read_from_every_piece_and_shown():
    story = lighthouse_story()
    story.meta.lore[1].visual = "huge (brass:1.3) [Fresnel] lamp"
    story.meta.world.style = ["((muted palette))", "oil++ on canvas"]
    report = compose_image_prompt(story, story.scenes["storm"], None, tokenize=words)
    by_source = {p.source: p for p in report.pieces if p.source != "style"}
    assert by_source["lore:lamp"].weight_label == "1/1.3/0.9091"
    assert by_source["lore:lamp"].tokens == 4
    assert [p.weight_label for p in report.pieces if p.source == "style"] == ["1.21", "1.21/1"]
    # the prompt stays as written
    assert "huge (brass:1.3) [Fresnel] lamp, ((muted palette)), oil++ on canvas" in report.prompt


def test_a_malformed_weight_names_the_piece_and_column():
    story = lighthouse_story()
    story.meta.lore[1].visual = "huge (brass:1.3.1) lamp"
    with pytest.raises(PromptSyntaxError, match=r"lore entry 'lamp' visual, column 13: weight '1.3.1'"):
        compose_image_prompt(story, story.scenes["storm"], None, tokenize=words)
    story.meta.lore[1].visual = "lamp"
    story.meta.world.style = ["(oil on canvas"]
    with pytest.raises(PromptSyntaxError, match=r"the world's style, column 1: '\(' is never closed"):
        compose_image_prompt(story, story.scenes["storm"], None, tokenize=words)


def test_a_preset_may_weight_itself_and_bad_weights_in_a_preset_file_are_reported():
    story = lighthouse_story()
    preset = StylePreset(name="soft", keywords=["watercolour", "(wet paper:1.2)"], weight=0.8)
    report = compose_image_prompt(story, story.scenes["storm"], preset, tokenize=words)
    assert report.prompt.endswith("(watercolour:0.8), ((wet paper:1.2):0.8)")
    assert [p.weight_label for p in report.pieces if p.source == "preset:soft"] == ["0.8", "0.96"]
    with pytest.raises(ValueError, match=r"^keywords: keyword 2, column 6: weight '1.x' is not a number"):
        parse_preset("keywords: [ok, '(bad:1.x)']\n", "bad", "x")
