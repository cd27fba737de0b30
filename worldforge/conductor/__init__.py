"""Use cases without UI: start a story, edit it undoably, expand and render scenes, and
choose the models that do it. The studio, the commands and scripts all call these; nothing
here knows about either interface.

Importing this package loads no model library: engines are built here but load their
weights only in `engine.load()`. Note that `expand` and `render` below are the use-case
functions; their modules are `worldforge.conductor.expand` and `worldforge.conductor.render`.
"""

from worldforge.conductor.cluster import cluster_pool, render_all_on_cluster, render_on_cluster
from worldforge.conductor.engines import (
    BACKENDS,
    SCHEDULER_NAMES,
    EngineChoice,
    choose_image_engine,
    choose_text_engine,
)
from worldforge.conductor.expand import (
    Expansion,
    accept,
    branch,
    context_for,
    expand,
    prepare_expand,
    reject,
    revive,
    text_settings,
)
from worldforge.conductor.links import link_scenes
from worldforge.conductor.merge import merge_generated
from worldforge.conductor.prompts import picture_prompt, style_preset
from worldforge.conductor.references import set_reference
from worldforge.conductor.render import (
    RenderBatch,
    choose,
    image_settings,
    render,
    render_all,
    unillustrated,
    vary_settings,
)
from worldforge.conductor.session import Session
from worldforge.conductor.stories import new_story

__all__ = [
    "BACKENDS",
    "SCHEDULER_NAMES",
    "EngineChoice",
    "Expansion",
    "RenderBatch",
    "Session",
    "accept",
    "branch",
    "choose",
    "choose_image_engine",
    "choose_text_engine",
    "cluster_pool",
    "context_for",
    "expand",
    "prepare_expand",
    "image_settings",
    "link_scenes",
    "merge_generated",
    "new_story",
    "picture_prompt",
    "set_reference",
    "vary_settings",
    "reject",
    "render",
    "render_all",
    "render_all_on_cluster",
    "render_on_cluster",
    "revive",
    "style_preset",
    "text_settings",
    "unillustrated",
]
