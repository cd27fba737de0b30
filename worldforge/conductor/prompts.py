"""A scene's picture prompt as a render would send it: the preset looked up, the tokens
counted by the engine that will read them, within that engine's own limit."""

from __future__ import annotations

from worldforge.core.errors import StoryError
from worldforge.core.model import Story
from worldforge.engines.image.protocol import ImageEngine
from worldforge.prompting.image_prompt import CLIP_CONTENT_TOKENS, PromptReport, compose_image_prompt
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


def picture_prompt(
    story: Story,
    scene_id: str,
    engine: ImageEngine | None,
    preset: str | None = None,
    extra_negative: str = "",
) -> PromptReport:
    """The prompt report of a scene. Without an engine, CLIP's tokens are approximated."""
    style = style_preset(story, preset)
    scene = story.scene(scene_id)
    if engine is None:
        return compose_image_prompt(story, scene, style, None, CLIP_CONTENT_TOKENS, extra_negative)
    return compose_image_prompt(story, scene, style, engine.count_tokens, engine.token_limit, extra_negative)
