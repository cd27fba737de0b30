"""What the studio's model keys do: expand, act on candidates, picture options, illustrate,
inspect the context. Jobs start through the screen's `ModelController`; their results come
back as messages the screen hands to `merge_results`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from worldforge import conductor as use
from worldforge.conductor.expand import context_for, text_settings
from worldforge.conductor.merge import merge_generated
from worldforge.conductor.render import choose, image_settings
from worldforge.core.graph import StoryGraph
from worldforge.core.model import Render, Story
from worldforge.tui.messages import Generated
from worldforge.tui.screens.context import ContextScreen
from worldforge.tui.screens.edit_candidate import EditCandidateScreen
from worldforge.tui.screens.pick_render import PickRenderScreen
from worldforge.tui.screens.render_options import RenderOptionsScreen
from worldforge.tui.widgets.candidates import CandidatesPanel

if TYPE_CHECKING:
    from worldforge.tui.screens.studio import StudioScreen

CANDIDATE_ACTIONS: dict[str, Callable[[Story, str, int], object]] = {
    "accept": use.accept,
    "branch": lambda story, scene_id, index: use.branch(story, scene_id, [index]),
    "reject": use.reject,
    "revive": use.revive,
}


def expand(studio: StudioScreen) -> None:
    cancel = studio.begin("expanding", "text")
    if cancel is None:
        return
    settings = text_settings(studio.session.story)
    studio.streaming = (studio.current, {i: "" for i in range(settings.candidates)})
    studio.show_candidates()
    studio.models.expand(studio.session.story.copy(), studio.current, settings, cancel)


def illustrate(studio: StudioScreen, vary: str | None = None) -> None:
    """Render the scene with the picture options; `vary` ("subtle", "strong"): new
    candidates from its chosen picture instead."""
    if vary and not studio.session.story.scene(studio.current).image:
        studio.notify("choose a picture first: vary starts from the scene's picture", severity="warning")
        return
    cancel = studio.begin("rendering", "image")
    if cancel is None:
        return
    options = {**studio.render_options, "vary": vary}
    if vary:
        options["init"] = None
    story = studio.session.story
    engine = studio.models.image_engine
    if engine is None:  # begin() refuses a job without an engine
        return
    settings = image_settings(story, engine, options, init=bool(options.get("init") or vary))
    studio.models.render(studio.session.snapshot(), studio.current, settings, options, cancel)


def render_options(studio: StudioScreen) -> None:
    scene_id = studio.current

    def chosen(options: dict | None) -> None:
        if options:
            summary, style = options.pop("summary"), options.pop("style")
            _edit_prompt(studio, scene_id, summary, style)
            studio.render_options = options
            studio.notify("picture options kept: ctrl+r renders with them", timeout=3)

    # as `worldforge prompt` counts: the engine's own tokenizer once it is loaded, CLIP's
    # until then and in place of the tiny test model's (one token per byte)
    models = studio.models
    image_engine = models.image_engine
    ready = image_engine is not None and models.ready["image"] and not image_engine.offline_tiny
    engine = image_engine if ready else None
    screen = RenderOptionsScreen(studio.session.story, studio.current, studio.render_options, engine)
    studio.app.push_screen(screen, chosen)


def _edit_prompt(studio: StudioScreen, scene_id: str, summary: str, style: list[str]) -> None:
    """The picture subject and world style edited in the options, as one undoable change."""
    story = studio.session.story
    scene = story.scenes.get(scene_id)
    if scene is None or (scene.summary == summary and story.meta.world.style == style):
        return

    def edit(graph: StoryGraph) -> None:
        graph.story.scenes[scene_id].summary = summary
        graph.story.meta.world.style = style

    studio.edit("Edit picture prompt", edit)


def context(studio: StudioScreen) -> None:
    models = studio.models
    if models.busy:
        # the tokenizer is in use by the running worker; fast tokenizers are not shareable
        studio.notify(f"busy {models.busy}: the context inspector opens when it is done", severity="warning")
        return
    if models.text_engine is None or not models.ready["text"]:
        studio.notify(
            "the context is counted in the text model's tokens: wait until it is loaded", severity="warning"
        )
        return
    story = studio.session.story
    report = context_for(story, studio.current, models.text_engine, text_settings(story))
    studio.app.push_screen(ContextScreen(report, f"Next expansion of “{studio.scene.title}”"))


def act_on_candidate(studio: StudioScreen, event: CandidatesPanel.Act) -> None:
    """a/b/x/v use the candidate at once; e opens it for editing first (pending ones only)."""
    scene_id, index = studio.current, event.index
    if event.action != "edit":
        fn = CANDIDATE_ACTIONS[event.action]
        studio.edit(event.action.capitalize(), lambda g: fn(g.story, scene_id, index))
        return
    candidate = studio.scene.candidates[index]
    if candidate.status != "pending":
        studio.notify(
            f"candidate {index + 1} is {candidate.status}; only a pending one can be edited and accepted",
            severity="error",
        )
        return

    def done(text: str | None) -> None:
        if text is not None:
            studio.edit("Edit and accept", lambda g: use.accept(g.story, scene_id, index, text=text))

    studio.app.push_screen(EditCandidateScreen(candidate.text), done)


def merge_results(studio: StudioScreen, event: Generated) -> None:
    """A finished job's candidates or pictures join the live story as one undoable change."""
    if event.scene_id not in studio.session.story.scenes:
        studio.notify("the scene was deleted while the model worked; results dropped", severity="warning")
        studio.refresh_all()
        return
    worked = event.story.scenes[event.scene_id]
    added = studio.edit(event.label, lambda g: merge_generated(g.story.scenes[event.scene_id], worked))
    studio.models.account(added or [])
    scene = studio.session.story.scenes[event.scene_id]
    renders = [r for image in event.images for r in scene.renders if r.image == image][: len(event.images)]
    if len(renders) == 1:
        _choose(studio, event.scene_id, renders[0].image)
    elif renders:
        _pick_render(studio, event.scene_id, renders)


def _choose(studio: StudioScreen, scene_id: str, image: str) -> None:
    studio.edit("Choose picture", lambda g: choose(g.story, scene_id, image))


def _pick_render(studio: StudioScreen, scene_id: str, renders: list[Render]) -> None:
    def picked(image: str | None) -> None:
        if image:
            _choose(studio, scene_id, image)

    studio.app.push_screen(PickRenderScreen(studio.session.folder, renders, studio.image_widget), picked)
