"""What a book owes its readers: who wrote how much, which models, at what cost.

A book made with machines says so plainly: the models are credited, the share of text the
model wrote is shown, and the compute and energy spent are counted (as estimates). These
helpers compute those figures from the scenes alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from worldforge.core.compute import format_co2e, format_energy, format_flops
from worldforge.core.ledger import Ledger
from worldforge.core.model import Provenance, Scene


def model_chars(scene: Scene) -> int:
    """Characters of the scene's text written by a model: the union of its model spans,
    clipped to the text (spans may overlap or outlive an edit that shortened the text)."""
    size = len(scene.text)
    spans = sorted((max(0, a), min(size, b)) for a, b in scene.model_spans)
    total, reach = 0, 0
    for start, end in spans:
        start = max(start, reach)
        if end > start:
            total += end - start
            reach = end
    return total


def authorship(scenes: Iterable[Scene]) -> tuple[int, int]:
    """(human characters, model characters) over the scenes' text."""
    human = model = 0
    for scene in scenes:
        by_model = model_chars(scene)
        model += by_model
        human += len(scene.text) - by_model
    return human, model


@dataclass(frozen=True)
class ModelCredit:
    """One model as the colophon names it."""

    kind: str
    model: str
    revision: str
    license: str
    generations: int


@dataclass
class Colophon:
    """The figures a book's colophon prints, gathered from the provenance records."""

    models: list[ModelCredit] = field(default_factory=list)
    text_generations: int = 0
    image_generations: int = 0
    flops: float = 0.0
    records_without_flops: int = 0
    energy_wh: float = 0.0
    records_without_energy: int = 0
    human_chars: int = 0
    model_chars: int = 0
    # "reference: <lore entry> (picture sha256 …)" for each reference picture a render used
    references: list[str] = field(default_factory=list)

    @property
    def model_share(self) -> float:
        total = self.human_chars + self.model_chars
        return self.model_chars / total if total else 0.0

    @property
    def flops_text(self) -> str:
        return format_flops(self.flops)

    @property
    def energy_text(self) -> str:
        return format_energy(self.energy_wh)

    @property
    def share_text(self) -> str:
        total = self.human_chars + self.model_chars
        if not total:
            return "no text"
        model = round(100 * self.model_share)
        return f"{100 - model}% human, {model}% model ({self.model_chars:,} of {total:,} characters)"


def colophon(scenes: Iterable[Scene]) -> Colophon:
    """Sum the provenance records of the scenes (every generation, kept or rejected:
    the compute was spent either way) and the authorship of their text. A branched scene
    carries a copy of its parent's record: each generation counts once."""
    scenes = list(scenes)
    result = Colophon()
    credits: dict[tuple[str, str, str, str], int] = {}
    seen: set[str] = set()
    for scene in scenes:
        for record in scene.provenance:
            if record.id in seen:
                continue
            seen.add(record.id)
            _count(result, record)
            key = (record.kind, record.model, record.revision or "", record.license or "")
            credits[key] = credits.get(key, 0) + 1
    result.models = [
        ModelCredit(kind, model, revision, license, n)
        for (kind, model, revision, license), n in sorted(credits.items())
    ]
    result.human_chars, result.model_chars = authorship(scenes)
    result.references = reference_credits(scenes)
    return result


def reference_credits(scenes: Iterable[Scene]) -> list[str]:
    """Each reference picture the pictures were conditioned on, with the lore entry it
    stands for and the adapter that carried it: a likeness borrowed is credited."""
    seen: dict[tuple[str, str], str] = {}
    for scene in scenes:
        for record in scene.provenance:
            for ref in record.settings.get("references") or ():
                key = (str(ref.get("entry")), str(ref.get("sha256")))
                seen.setdefault(key, str(record.settings.get("ip_adapter", "an IP-Adapter")))
    return [
        f"reference: lore entry {entry} (picture sha256 {sha[:16]}…), through {adapter}"
        for (entry, sha), adapter in sorted(seen.items())
    ]


def _count(result: Colophon, record: Provenance) -> None:
    if record.kind == "text":
        result.text_generations += 1
    else:
        result.image_generations += 1
    if record.flops is None:
        result.records_without_flops += 1
    else:
        result.flops += record.flops
    if record.energy_wh is None:
        result.records_without_energy += 1
    else:
        result.energy_wh += record.energy_wh


def _kwh(kwh: float) -> str:
    return format_energy(kwh * 1000)


def energy_rows(book: Ledger) -> list[tuple[str, str]]:
    """The colophon's lines on metered energy (term, text): whole story and reading path,
    measured and estimated apart, kept vs discarded. Never an estimate called measured."""
    total, path = book.total, book.reading_path
    rows: list[tuple[str, str]] = []
    if total.generations == total.unmetered:
        rows.append(
            (
                "Energy metered",
                "nothing: no generation was metered (codecarbon was not installed or metering was "
                "off), so the energy above is the only figure, and an estimate",
            )
        )
    else:
        measured = ", ".join(book.measured_parts) or "no part"
        estimated = ", ".join(book.estimated_parts) or "no part"
        rows += [
            (
                "Energy metered",
                f"{_kwh(total.kwh)} for the whole story, {_kwh(path.kwh)} for this reading path "
                f"(codecarbon, whole machine)",
            ),
            (
                "Measured or estimated",
                f"{_kwh(total.kwh_measured)} measured by hardware counters ({measured}); "
                f"{_kwh(total.kwh_estimated)} estimated by power models ({estimated})",
            ),
            ("CO2e", f"{format_co2e(total.co2e_kg)} (grid: {', '.join(sorted(book.grids))})"),
        ]
        if total.unmetered:
            rows.append(
                (
                    "Not metered",
                    f"{total.unmetered} generation(s), estimated from wall time at "
                    f"{format_energy(total.estimate_wh)}",
                )
            )
    rows.append(
        (
            "Kept",
            f"{total.kept} of {total.generations} generations are in the story; {total.discarded} "
            f"discarded and {total.pending} pending cost energy too",
        )
    )
    return rows
