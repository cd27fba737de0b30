"""The expand use case: a scene grows by model-written candidates the conductor judges.

`expand` assembles the context, asks the engine for K candidates, and keeps every one of
them on the scene (pending) with a provenance record. Then the conductor `accept`s one
(appended to the scene), `branch`es some (each becomes a child scene), and may `revive` a
rejected one later: nothing the model proposed is thrown away.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from worldforge.conductor import energy
from worldforge.conductor.provenance import now, provenance
from worldforge.core.authorship import append_model_text, edit_text, normalize, spans_after_edit
from worldforge.core.errors import StoryError
from worldforge.core.graph import StoryGraph
from worldforge.core.model import Energy, Provenance, Scene, Story, TextCandidate
from worldforge.engines.cancel import CancelToken
from worldforge.engines.text.protocol import (
    PartialGeneration,
    TextEngine,
    TextResult,
    TextSettings,
    TokenCallback,
)
from worldforge.engines.text.remote.engine import RemoteTextEngine
from worldforge.prompting.context import ContextReport, assemble_context

TITLE_WORDS = 6


@dataclass
class Expansion:
    scene_id: str
    report: ContextReport
    results: list[TextResult]
    # positions in scene.candidates of the new candidates, in result order
    indices: list[int] = field(default_factory=list)


def text_settings(story: Story, **overrides: Any) -> TextSettings:
    """Engine defaults, then the story's text_settings, then `overrides` (None values skipped)."""
    values = {**story.meta.text_settings.values(), **{k: v for k, v in overrides.items() if v is not None}}
    return TextSettings(**values)


class ExpansionInterrupted(StoryError):
    """Generation broke off; `expansion` holds what arrived, already kept on the scene
    (unfinished candidates marked partial), so the caller saves it and then reports."""

    def __init__(self, message: str, expansion: Expansion) -> None:
        super().__init__(message)
        self.expansion = expansion


def context_for(story: Story, scene_id: str, engine: TextEngine, settings: TextSettings) -> ContextReport:
    window = engine.context_window
    report = assemble_context(story, scene_id, engine.count_tokens, window, settings.max_new_tokens)
    if isinstance(engine, RemoteTextEngine):
        report.notes.append(engine.counting)
    return report


def prepare_expand(
    story: Story, scene_id: str, engine: TextEngine, settings: TextSettings
) -> ContextReport | None:
    """Have a loaded engine read, ahead of time, the context an expand of `scene_id` with
    `settings` would send, so that expand starts writing at once (the studio calls this
    when the conductor pauses on a scene). The report of that context, or None when the
    engine is not loaded (this loads nothing)."""
    if not engine.loaded:
        return None
    report = context_for(story, scene_id, engine, settings)
    engine.warm_up(settings, report.context)
    return report


def provenance_from(
    result: TextResult, created: str | None = None, metered: Energy | None = None
) -> Provenance:
    """A core provenance record from an engine result: credits, settings, seed, cost."""
    record_id = "txt-" + uuid.uuid4().hex[:12]
    return provenance("text", result.record, record_id, created or now(), energy=metered)


def expand(
    story: Story,
    scene_id: str,
    engine: TextEngine,
    settings: TextSettings,
    on_token: TokenCallback | None = None,
    cancel: CancelToken | None = None,
) -> Expansion:
    """Generate candidates continuing the story at `scene_id` and keep them on the scene.

    Raises Cancelled (and changes nothing) when `cancel` fires. When generation breaks off
    after some text arrived, what arrived is kept and ExpansionInterrupted raised. The
    generation is metered (see conductor.energy) when metering is on; the meter gets ready
    while the model loads.
    """
    scene = story.scene(scene_id)
    energy.warm()
    engine.load()
    report = context_for(story, scene_id, engine, settings)
    broken: PartialGeneration | None = None
    with energy.metered() as readings:
        try:
            results = engine.generate(report.context, settings, on_token=on_token, cancel=cancel)
        except PartialGeneration as err:
            if not err.results:
                raise
            broken, results = err, err.results
    kept = _keep(scene, report, results, readings)
    if broken is not None:
        partial = sum(r.partial for r in results)
        raise ExpansionInterrupted(
            f"{broken}; kept {len(kept.indices)} candidates on {scene_id!r}, {partial} of them partial",
            kept,
        ) from None
    return kept


def _keep(
    scene: Scene, report: ContextReport, results: list[TextResult], readings: list[energy.Reading]
) -> Expansion:
    """Put the results on the scene as pending candidates, each with its provenance and its
    share of the metered energy."""
    created = now()
    shares = energy.energies(readings, [r.record.wall_s for r in results])
    records = [provenance_from(r, created, e) for r, e in zip(results, shares, strict=True)]
    first = len(scene.candidates)
    scene.provenance = [*scene.provenance, *records]
    scene.candidates = [
        *scene.candidates,
        *(
            TextCandidate(text=r.text, provenance=p.id, partial=r.partial)
            for r, p in zip(results, records, strict=True)
        ),
    ]
    return Expansion(scene.id, report, results, list(range(first, first + len(results))))


def _candidate(scene: Scene, index: int) -> TextCandidate:
    if not 0 <= index < len(scene.candidates):
        raise IndexError(f"scene {scene.id!r} has no candidate {index} (it has {len(scene.candidates)})")
    return scene.candidates[index]


def _set_status(scene: Scene, changes: dict[int, str]) -> None:
    scene.candidates = [
        c.model_copy(update={"status": changes[i]}) if i in changes else c
        for i, c in enumerate(scene.candidates)
    ]


def accept(story: Story, scene_id: str, index: int, text: str | None = None) -> Scene:
    """Append candidate `index` to the scene; the other pending candidates become rejected.

    With `text`, the conductor's edit of the candidate is appended instead: what the edit
    kept of the model's words stays model-written, what it changed is the human's. The
    scene's trailing whitespace goes first (the model continued the text without it).
    """
    scene = story.scene(scene_id)
    chosen = _candidate(scene, index)
    if chosen.status in ("accepted", "branched"):
        raise ValueError(f"candidate {index} of {scene_id!r} is {chosen.status}; it is already in the story")
    base = scene.text.rstrip()
    addition = chosen.text if base else chosen.text.lstrip()
    edited = addition if text is None else text
    if base != scene.text:
        edit_text(scene, base)
    if text is None:
        append_model_text(scene, addition)
    else:
        # only what the edit kept of the candidate's words is the model's
        start, before = len(scene.text), list(scene.model_spans)
        kept = spans_after_edit(addition, [(0, len(addition))], edited)
        scene.text = scene.text + edited
        scene.model_spans = normalize([*before, *((start + a, start + b) for a, b in kept)])
    changes = {i: "rejected" for i, c in enumerate(scene.candidates) if c.status == "pending"}
    changes[index] = "accepted"
    _set_status(scene, changes)
    return scene


def branch(story: Story, scene_id: str, indices: list[int]) -> list[Scene]:
    """Make each chosen candidate a new child scene of `scene_id`, written by the model."""
    scene = story.scene(scene_id)
    chosen = [_candidate(scene, i) for i in indices]
    for i, candidate in zip(indices, chosen, strict=True):
        if candidate.status not in ("pending", "rejected"):
            raise ValueError(
                f"candidate {i} of {scene_id!r} is {candidate.status}; it is already in the story"
            )
    graph = StoryGraph(story)
    records = {p.id: p for p in scene.provenance}
    children = []
    for candidate in chosen:
        text = candidate.text.strip()
        title = _title(text) or f"{scene.title} (branch)"
        child = graph.branch(scene_id, title, text=text, label=title)
        child.model_spans = [(0, len(text))] if text else []
        if candidate.provenance in records:
            child.provenance = [records[candidate.provenance]]
        children.append(child)
    _set_status(scene, dict.fromkeys(indices, "branched"))
    return children


def reject(story: Story, scene_id: str, index: int) -> TextCandidate:
    """Set a pending candidate aside (kept with the scene, revivable)."""
    scene = story.scene(scene_id)
    candidate = _candidate(scene, index)
    if candidate.status != "pending":
        raise ValueError(f"candidate {index} of {scene_id!r} is {candidate.status}, not pending")
    _set_status(scene, {index: "rejected"})
    return scene.candidates[index]


def revive(story: Story, scene_id: str, index: int) -> TextCandidate:
    """Put a rejected candidate back among the pending ones."""
    scene = story.scene(scene_id)
    candidate = _candidate(scene, index)
    if candidate.status != "rejected":
        raise ValueError(f"candidate {index} of {scene_id!r} is {candidate.status}, not rejected")
    _set_status(scene, {index: "pending"})
    return scene.candidates[index]


def _title(text: str) -> str:
    words = text.split()
    title = " ".join(words[:TITLE_WORDS])
    return title + ("…" if len(words) > TITLE_WORDS else "")
