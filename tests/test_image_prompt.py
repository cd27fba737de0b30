"""Image prompt composition and style presets: pure code, no model needed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.image_support import lighthouse_story
from worldforge.core.model import Scene
from worldforge.locations import user_presets_dir
from worldforge.prompting.image_prompt import (
    approx_clip_tokens,
    compose_image_prompt,
    condense,
    triggered_lore,
    visual_summary,
)
from worldforge.prompting.presets import StylePreset, load_presets, parse_preset


def words(text: str) -> int:
    return len(text.replace(",", " ").split())


def test_summary_lore_style_and_preset_in_that_order():
    story = lighthouse_story()
    preset = load_presets().get("hokusai")
    report = compose_image_prompt(story, story.scenes["storm"], preset)
    assert [p.source for p in report.pieces][:3] == ["summary", "lore:lamp", "style"]
    assert report.prompt.startswith("ship fought waves below lamp, huge brass Fresnel lamp, muted palette")
    assert report.prompt.endswith("Prussian blue")
    assert report.negative == "text, watermark, photo, 3d render, lowres"  # deduplicated, world first
    assert not report.cut and report.counter == "approximate"


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


def test_the_77_token_limit_cuts_preset_then_style_then_lore():
    story = lighthouse_story()
    story.meta.world.style = [f"style{i}" for i in range(40)]
    preset = load_presets().get("artstation")
    report = compose_image_prompt(story, story.scenes["storm"], preset, count_tokens=words, limit=40)
    assert report.tokens <= 40 and report.counter == "tokenizer"
    cut = {p.source for p in report.cut}
    assert cut == {"style", "preset:artstation"}
    assert "huge brass Fresnel lamp" in report.prompt
    lines = "\n".join(report.lines())
    assert "[cut]" in lines and "cut by the 42-token CLIP limit" in lines


def test_a_long_summary_is_cut_word_by_word_and_reported():
    story = lighthouse_story()
    scene = story.scenes["start"]
    scene.summary = " ".join(f"w{i}" for i in range(100))
    report = compose_image_prompt(story, scene, None, count_tokens=words, limit=75)
    assert report.prompt == " ".join(f"w{i}" for i in range(75))
    assert report.cut[0].source == "summary" and report.cut[0].text.startswith("w75 ")
    assert {p.source for p in report.cut} >= {"lore:keeper", "style"}


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


def test_a_long_lore_visual_keeps_its_leading_descriptors():
    story = lighthouse_story()
    story.meta.lore[1].visual = ", ".join(["huge brass Fresnel lamp"] + [f"detail{i}" for i in range(60)])
    report = compose_image_prompt(story, story.scenes["storm"], None, count_tokens=words, limit=40)
    lamp = [p for p in report.pieces if p.source == "lore:lamp"]
    assert lamp[0].kept and lamp[0].text.startswith("huge brass Fresnel lamp, detail0")
    assert not lamp[1].kept and lamp[1].text.endswith("detail59")
    assert report.tokens == 40 and "huge brass Fresnel lamp" in report.prompt
    assert all(not p.kept for p in report.pieces if p.source == "style")
