"""The story's energy ledger: what its generations cost, and what the conductor kept of them.

Every generation is counted once, kept or not: a rejected candidate burned as much as the
accepted one, so the ledger shows both, as the cost of the conductor's choices. A record
is *kept* when its text is in the story (accepted, or branched into a scene) or its
picture is some scene's chosen one, *discarded* when the conductor decided against it
(a rejected candidate, an unchosen render of a scene that has a picture), else *pending*.

kWh is the primary figure, split into what was measured by a hardware counter and what
a power model estimated; records made without a meter carry only the wall-time estimate
(`estimate_wh`), which is never added to the metered kWh.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from worldforge.core.graph import GraphError, StoryGraph
from worldforge.core.model import Provenance, Story

Fate = Literal["kept", "discarded", "pending"]
_TEXT_FATES: dict[str, Fate] = {"accepted": "kept", "branched": "kept", "rejected": "discarded"}


@dataclass
class Tally:
    """Sums over a group of generations."""

    generations: int = 0
    kept: int = 0
    discarded: int = 0
    pending: int = 0
    wall_s: float = 0.0
    flops: float = 0.0
    kwh_measured: float = 0.0
    kwh_estimated: float = 0.0
    co2e_kg: float = 0.0
    # generations no meter ran for: only the wall-time estimate below counts them
    unmetered: int = 0
    estimate_wh: float = 0.0

    @property
    def kwh(self) -> float:
        return self.kwh_measured + self.kwh_estimated

    def add(self, record: Provenance, fate: Fate) -> None:
        self.generations += 1
        setattr(self, fate, getattr(self, fate) + 1)
        self.wall_s += record.wall_s
        self.flops += record.flops or 0.0
        self.estimate_wh += record.energy_wh or 0.0
        if record.energy is None:
            self.unmetered += 1
            return
        self.co2e_kg += record.energy.co2e_kg
        for _, kwh, source in record.energy.parts():
            if source == "measured":
                self.kwh_measured += kwh
            else:
                self.kwh_estimated += kwh


@dataclass
class Ledger:
    """Totals of a story: overall, per model, per kind, per scene and for the reading path."""

    total: Tally = field(default_factory=Tally)
    by_model: dict[str, Tally] = field(default_factory=dict)
    by_kind: dict[str, Tally] = field(default_factory=dict)
    by_scene: dict[str, Tally] = field(default_factory=dict)
    reading_path: Tally = field(default_factory=Tally)
    path: list[str] = field(default_factory=list)
    # how the figures were obtained, over all metered records: e.g. {"cpu": {"estimated"}}
    sources: dict[str, set[str]] = field(default_factory=dict)
    methods: set[str] = field(default_factory=set)
    grids: set[str] = field(default_factory=set)

    @property
    def measured_parts(self) -> list[str]:
        return sorted(part for part, how in self.sources.items() if "measured" in how)

    @property
    def estimated_parts(self) -> list[str]:
        return sorted(part for part, how in self.sources.items() if "estimated" in how)


def fates(story: Story) -> dict[str, tuple[str, Fate]]:
    """Each generation's record id -> (the scene that made it, kept / discarded / pending)."""
    chosen = {scene.image for scene in story.scenes.values() if scene.image}
    result: dict[str, tuple[str, Fate]] = {}
    for scene in story.scenes.values():
        for candidate in scene.candidates:
            result.setdefault(candidate.provenance, (scene.id, _TEXT_FATES.get(candidate.status, "pending")))
        for render in scene.renders:
            fate: Fate = "kept" if render.image in chosen else "discarded" if scene.image else "pending"
            result.setdefault(render.provenance, (scene.id, fate))
    return result


def _records(story: Story) -> Iterable[tuple[str, Provenance]]:
    """(scene id, record) once per record id: a branched scene carries a copy of its
    parent's record, which is charged to the parent that made it."""
    seen: set[str] = set()
    made = fates(story)
    for scene in story.scenes.values():
        for record in scene.provenance:
            owner = made.get(record.id, (scene.id, "kept"))[0]
            if record.id in seen or (owner != scene.id and owner in story.scenes):
                continue
            seen.add(record.id)
            yield scene.id, record


def reading_path(story: Story) -> list[str]:
    """The scene ids of the book's reading path; empty when the path is broken."""
    try:
        return [scene.id for scene in StoryGraph(story).reading_order()]
    except GraphError:
        return []


def ledger(story: Story) -> Ledger:
    """Sum every generation recorded in the story."""
    result = Ledger(path=reading_path(story))
    on_path = set(result.path)
    made = fates(story)
    for scene_id, record in _records(story):
        fate = made.get(record.id, (scene_id, "kept"))[1]
        groups = [
            result.total,
            result.by_model.setdefault(record.model, Tally()),
            result.by_kind.setdefault(record.kind, Tally()),
            result.by_scene.setdefault(scene_id, Tally()),
        ]
        if scene_id in on_path:
            groups.append(result.reading_path)
        for tally in groups:
            tally.add(record, fate)
        if record.energy is not None:
            result.methods.add(record.energy.method)
            result.grids.add(record.energy.grid)
            for part, _, source in record.energy.parts():
                result.sources.setdefault(part, set()).add(source)
    return result


@dataclass(frozen=True)
class Chart:
    """One bar per group: what a terminal, the studio or a book draws from the ledger."""

    title: str
    unit: str
    labels: list[str]
    values: list[float]


GROUPINGS = ("scene", "model", "kind")
_UNITS = (("kWh", 1.0), ("Wh", 1e-3), ("mWh", 1e-6))


def chart(book: Ledger, by: str = "scene", limit: int | None = None) -> Chart:
    """kWh per scene, model or kind, in a unit that suits the largest bar. Metered kWh
    when any generation was metered, else the wall-time estimate, and the title says which.
    `limit`: only the largest bars, in their order (a story of thousands of scenes)."""
    groups = {"scene": book.by_scene, "model": book.by_model, "kind": book.by_kind}[by]
    metered = book.total.generations > book.total.unmetered
    kwh = {name: t.kwh if metered else t.estimate_wh / 1000 for name, t in groups.items()}
    shown = f"the {limit} largest of {len(kwh)} {by}s, " if limit is not None and len(kwh) > limit else ""
    if shown:
        largest = set(sorted(kwh, key=kwh.__getitem__, reverse=True)[:limit])
        kwh = {name: value for name, value in kwh.items() if name in largest}
    unit, scale = next(((u, s) for u, s in _UNITS if max(kwh.values(), default=0.0) >= s), _UNITS[-1])
    what = "metered (codecarbon)" if metered else "estimated from wall time"
    if metered and book.total.unmetered:
        what += f"; {book.total.unmetered} unmetered generation(s) not in it"
    return Chart(
        title=f"Energy per {by}, {unit}: {shown}{what}",
        unit=unit,
        labels=list(kwh),
        values=[value / scale for value in kwh.values()],
    )
