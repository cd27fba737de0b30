"""A scene's picture prompt as a render would send it: the preset looked up, the tokens
counted by the engine that will read them (or, where that engine is the tiny test model,
by CLIP's own tokenizer, so the counts say what a real model reads)."""

from __future__ import annotations

from worldforge.core.errors import StoryError
from worldforge.core.model import Story
from worldforge.engines.image.protocol import ImageEngine
from worldforge.prompting.image_prompt import (
    CLIP_CONTENT_TOKENS,
    PromptReport,
    Tokenizer,
    compose_image_prompt,
)
from worldforge.prompting.presets import StylePreset, load_presets


def style_preset(story: Story, name: str | None = None) -> StylePreset | None:
    """The preset `name`, else the story's, else none; an unknown name is a StoryError."""
    wanted = name or story.meta.image_settings.preset
    if not wanted:
        return None
    try:
        return load_presets().get(wanted)
    except KeyError as exc:
        raise StoryError(exc.args[0]) from None


def clip_tokenizer() -> Tokenizer | None:
    """CLIP's tokenizer built from its vocabulary package, or None where it is missing."""
    from worldforge.engines.image.clip_vocab import ClipVocabMissing, clip_tokens

    try:
        clip_tokens("")
    except ClipVocabMissing:
        return None
    return clip_tokens


def picture_prompt(
    story: Story,
    scene_id: str,
    engine: ImageEngine | None,
    preset: str | None = None,
    extra_negative: str = "",
) -> PromptReport:
    """The prompt report of a scene. Without an engine, CLIP's own tokenizer counts (exact),
    else, where its vocabulary is not installed, an approximation."""
    style = style_preset(story, preset)
    scene = story.scene(scene_id)
    if engine is None:
        return compose_image_prompt(
            story, scene, style, clip_tokenizer(), CLIP_CONTENT_TOKENS, extra_negative
        )
    return compose_image_prompt(story, scene, style, engine.tokens, engine.token_limit, extra_negative)
