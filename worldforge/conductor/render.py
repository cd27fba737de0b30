"""Render a scene: compose its prompt, run the image engine, store and credit the pictures.

The pictures go content-addressed into the story's images/, each with a Render and a
Provenance record on its scene; several candidates also get a numbered contact sheet.
Each file is signed (C2PA) last and named by its bytes before signing, so rendering the
same record again finds the picture it already has.
Nothing here saves the story except `render_all`, which saves after every scene so an
interrupted run resumes where it stopped.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from worldforge.conductor import energy
from worldforge.conductor.grid import contact_sheet
from worldforge.conductor.picture import credited_png, credited_sheet, picture_png
from worldforge.conductor.prompts import picture_prompt
from worldforge.conductor.provenance import now, provenance
from worldforge.conductor.references import scene_references
from worldforge.core.errors import StoryError
from worldforge.core.graph import StoryGraph
from worldforge.core.model import Energy, Provenance, Render, Scene, Story
from worldforge.engines.cancel import CancelToken
from worldforge.engines.image.protocol import ImageEngine, ImageResult, ImageSettings, StepCallback
from worldforge.prompting.image_prompt import PromptReport
from worldforge.store.credentials import (
    COMPONENT_OF,
    PARENT_OF,
    Ingredient,
)
from worldforge.store.folder import MAX_IMAGE_BYTES, StoryFolder
from worldforge.store.guarded import read_regular
from worldforge.store.picture import check_picture

PARENT = "parent"
# Fooocus's "Vary (Subtle)" and "Vary (Strong)": image-to-image from the chosen picture
VARY_STRENGTH = {"subtle": 0.5, "strong": 0.85}
_SETTING_NAMES = {f.name for f in dataclasses.fields(ImageSettings)}


@dataclass
class RenderBatch:
    """What one render produced: the new renders (in candidate order) and how."""

    scene_id: str
    renders: list[Render]
    provenance: list[Provenance]
    report: PromptReport
    settings: ImageSettings
    grid: str | None = None
    init: str | None = None
    results: list[ImageResult] = field(default_factory=list, repr=False)
    # what the user should know about how it was made (references the model could not use)
    notes: list[str] = field(default_factory=list)


def image_settings(
    story: Story, engine: ImageEngine, overrides: dict[str, Any] | None = None, init: bool = False
) -> ImageSettings:
    """Engine defaults, then the story's image_settings, then `overrides` (None values skipped).

    With an init image the engine's image-to-image step count is the default, because
    img2img runs only int(steps x strength) of its steps.
    """
    values = dataclasses.asdict(engine.defaults)
    if init and engine.init_steps:
        values["steps"] = max(values["steps"], engine.init_steps)
    for source in (story.meta.image_settings.values(), overrides or {}):
        values.update({k: v for k, v in source.items() if k in _SETTING_NAMES and v is not None})
    return ImageSettings(**values)


def resolve_init(folder: StoryFolder, scene_id: str, init: str) -> tuple[bytes, str]:
    """The init picture's bytes and where they came from: "parent" or a picture path."""
    if init == PARENT:
        story = folder.story
        for parent in StoryGraph(story).parents(scene_id):
            image = story.scenes[parent].image
            if image:
                return folder.read_image(image), f"parent {parent}: {image}"
        raise StoryError(
            f"scene {scene_id!r} has no parent scene with a chosen picture; render and choose "
            "one for its parent first, or give a picture path with --init"
        )
    if init.startswith("images/") and (folder.root / init).is_file():
        return folder.read_image(init), init
    path = Path(init).expanduser()
    if not path.is_file():
        raise StoryError(f"init picture {init!r} not found (give 'parent' or a picture file)")
    data = read_regular(path, MAX_IMAGE_BYTES, "init picture")
    check_picture(data, path)
    return data, str(init)


def vary_settings(
    story: Story, scene_id: str, settings: ImageSettings, how: str
) -> tuple[str, ImageSettings]:
    """The picture to vary (the scene's chosen one) and the settings for it: the strength of
    `how` ("subtle" or "strong"), and new seeds unless one was asked for."""
    if how not in VARY_STRENGTH:
        raise StoryError(f"vary {how!r}: use 'subtle' or 'strong'")
    image = story.scene(scene_id).image
    if not image:
        raise StoryError(f"scene {scene_id!r} has no chosen picture to vary (render and choose one)")
    strength = VARY_STRENGTH[how]
    steps = max(settings.steps, math.ceil(1 / strength))
    return image, dataclasses.replace(settings, strength=strength, steps=steps)


def _provenance(
    result: ImageResult,
    png: bytes,
    preset: str | None,
    prompt: str,
    created: str,
    varied: str | None,
    metered: Energy | None,
) -> Provenance:
    settings = dict(result.record.settings)
    if preset:
        settings["preset"] = preset
    if varied:
        settings["varied"] = varied
    if result.record.prompt_hidden:
        # the prompt stays out of the story too; its hash lets a re-composed prompt be checked
        settings["prompt_sha256"] = hashlib.sha256(prompt.encode()).hexdigest()
    record_id = f"img-{hashlib.sha256(png).hexdigest()[:12]}"
    return provenance("image", result.record, record_id, created, settings, metered)


def render(
    folder: StoryFolder,
    scene_id: str,
    engine: ImageEngine,
    settings: ImageSettings,
    preset: str | None = None,
    init: str | None = None,
    on_step: StepCallback | None = None,
    cancel: CancelToken | None = None,
    hide_prompt: bool = False,
    use_references: bool = True,
    vary: str | None = None,
) -> RenderBatch:
    """Render `settings.candidates` pictures of a scene and attach them to it (not saved).

    The reference pictures of the lore entries the scene mentions condition the render
    (IP-Adapter) unless `use_references` is off; they combine with an init picture. `vary`
    ("subtle", "strong") starts from the scene's chosen picture and records which it varied.
    The generation is metered (see conductor.energy) when metering is on; the meter gets
    ready while the model loads.
    """
    energy.warm()
    engine.load()
    story = folder.story
    scene = story.scene(scene_id)
    varied = None
    if vary is not None:
        varied, settings = vary_settings(story, scene_id, settings, vary)
        init = varied
    report = picture_prompt(story, scene_id, engine, preset, settings.negative_prompt)
    init_bytes, init_label = resolve_init(folder, scene_id, init) if init else (None, None)
    settings = dataclasses.replace(
        settings, negative_prompt=report.negative, hide_prompt=hide_prompt or settings.hide_prompt
    )
    references = scene_references(folder, scene) if use_references else ()
    notes = []
    if references and engine.ip_adapter is None:
        names = ", ".join(r.label for r in references)
        notes.append(f"{engine.label} has no IP-Adapter: rendered without the references of {names}")
        references = ()
    with energy.metered() as readings:
        results = engine.generate(report.prompt, settings, init_bytes, on_step, cancel, references)
    shares = energy.energies(readings, [r.record.wall_s for r in results])

    renders: list[Render] = []
    records: list[Provenance] = []
    pngs = [picture_png(result) for result in results]
    title = scene.picture_title
    parents: tuple[Ingredient, ...] = ()
    if init_bytes and init_label:
        # a picture file's name, not its path: a path can tell who and where the author is
        source = init_label if init == PARENT else Path(init_label).name
        parents = (Ingredient(source, init_bytes, PARENT_OF),)
    signed = [credited_png(result, png, title, parents) for result, png in zip(results, pngs, strict=True)]
    created = now()
    known = {r.image for r in scene.renders}
    for result, png, file, metered in zip(results, pngs, signed, shares, strict=True):
        image = folder.put_image(file, content=png)
        record = _provenance(result, png, report.preset, report.prompt, created, varied, metered)
        render_ = Render(image=image, provenance=record.id, seed=result.seed)
        renders.append(render_)
        records.append(record)
        if image not in known:
            known.add(image)
            scene.renders = [*scene.renders, render_]
            scene.provenance = [*scene.provenance, record]
    grid = None
    if len(results) > 1:
        credit = f"worldforge contact sheet of {len(results)} candidates for scene {scene_id}"
        sheet = contact_sheet(pngs, credit, [r.image for r in renders])
        components = [
            Ingredient(r.image, file, COMPONENT_OF) for r, file in zip(renders, signed, strict=True)
        ]
        made = results[0].record  # one model made every candidate: the sheet credits it too
        signed_sheet = credited_sheet(sheet, title, made.model, made.revision, components)
        grid = folder.put_image(signed_sheet, content=sheet)
    return RenderBatch(scene_id, renders, records, report, settings, grid, init_label, results, notes)


def choose(story: Story, scene_id: str, pick: int | str) -> Scene:
    """Make a render the scene's picture: an index into scene.renders or its image path.

    The picture's title defaults to the scene's title.
    """
    scene = story.scene(scene_id)
    if isinstance(pick, int):
        try:
            image = scene.renders[pick].image
        except IndexError:
            raise StoryError(
                f"scene {scene_id!r} has {len(scene.renders)} renders; no render {pick}"
            ) from None
    else:
        if pick not in {r.image for r in scene.renders}:
            raise StoryError(f"{pick!r} is not one of the renders of scene {scene_id!r}")
        image = pick
    scene.image = image
    if not scene.image_title:
        scene.image_title = scene.title
    return scene


def render_order(story: Story) -> list[str]:
    """Breadth-first from the start (parents before children), then unreachable scenes."""
    graph = StoryGraph(story)
    order: list[str] = []
    queue = deque([story.meta.start] if story.meta.start in story.scenes else [])
    while queue:
        scene_id = queue.popleft()
        if scene_id in order:
            continue
        order.append(scene_id)
        queue.extend(graph.children(scene_id))
    return order + [sid for sid in story.scenes if sid not in order]


def unillustrated(story: Story) -> list[str]:
    """The scenes without a chosen picture, in `render_order`: what `render_all` renders."""
    return [sid for sid in render_order(story) if not story.scenes[sid].image]


SceneCallback = Callable[[str, int, int], None]


def scene_start(
    story: Story,
    graph: StoryGraph,
    scene_id: str,
    engine: ImageEngine,
    settings: ImageSettings,
    continuity: bool,
) -> tuple[str | None, ImageSettings]:
    """How `render_all` starts a scene: from its parent's picture with `continuity` when a
    parent has one (with enough steps for image-to-image to run one), else from noise."""
    has_parent_image = any(story.scenes[p].image for p in graph.parents(scene_id))
    if not (continuity and has_parent_image):
        return None, settings
    if int(settings.steps * settings.strength) >= 1:
        return PARENT, settings
    steps = engine.init_steps or math.ceil(1 / settings.strength)
    return PARENT, dataclasses.replace(settings, steps=max(settings.steps, steps))


def render_all(
    folder: StoryFolder,
    engine: ImageEngine,
    settings: ImageSettings,
    preset: str | None = None,
    continuity: bool = False,
    on_scene: SceneCallback | None = None,
    on_step: StepCallback | None = None,
    cancel: CancelToken | None = None,
    hide_prompt: bool = False,
) -> list[RenderBatch]:
    """Render every scene without a chosen picture, choose candidate 1, save after each.

    Scenes that already have a picture are skipped, so a run stopped half-way (cancel,
    Ctrl-C, a crash) continues where it stopped. With `continuity`, a scene whose parent
    has a picture starts from it (image-to-image).
    """
    story = folder.story
    todo = unillustrated(story)
    batches = []
    graph = StoryGraph(story)
    for number, scene_id in enumerate(todo, start=1):
        if on_scene is not None:
            on_scene(scene_id, number, len(todo))
        init, scene_settings = scene_start(story, graph, scene_id, engine, settings, continuity)
        batch = render(folder, scene_id, engine, scene_settings, preset, init, on_step, cancel, hide_prompt)
        choose(story, scene_id, batch.renders[0].image)
        folder.save()
        batches.append(batch)
    return batches
