"""The ledger as lines of text: one table, printed by `worldforge ledger` and the studio.

Every row says how its energy was obtained: the metered kWh split into measured (hardware
counters) and estimated (codecarbon's power models), and, for generations no meter ran
for, only the wall-time estimate, in its own column and never added to the kWh.
"""

from __future__ import annotations

from worldforge.core.compute import format_co2e, format_energy, format_flops
from worldforge.core.ledger import Ledger, Tally

NAME = 34
HEADER = (
    f"{'':<{NAME}} {'gens':>5} {'kept':>5} {'disc':>5} {'pend':>5} {'metered':>10} {'measured':>10} "
    f"{'estimated':>10} {'CO2e':>13} {'FLOPs':>11} {'wall':>8} {'unmetered (est.)':>17}"
)


def _wh(kwh: float) -> str:
    return format_energy(kwh * 1000) if kwh else "-"


def row(label: str, tally: Tally) -> str:
    name = label if len(label) <= NAME else label[: NAME // 2 - 1] + "…" + label[-(NAME // 2) :]
    unmetered = f"{tally.unmetered} ≈{format_energy(tally.estimate_wh)}" if tally.unmetered else "-"
    co2e = format_co2e(tally.co2e_kg) if tally.co2e_kg else "-"
    return (
        f"{name:<{NAME}} {tally.generations:>5} {tally.kept:>5} {tally.discarded:>5} {tally.pending:>5} "
        f"{_wh(tally.kwh):>10} {_wh(tally.kwh_measured):>10} {_wh(tally.kwh_estimated):>10} "
        f"{co2e:>13} {format_flops(tally.flops):>11} {tally.wall_s:>7.1f}s {unmetered:>17}"
    )


def sources_line(book: Ledger) -> str:
    """Which parts were measured and which estimated, and by what."""
    if not book.sources:
        return (
            "Nothing was metered: energy is the wall-time estimate only (install worldforge[energy] "
            "to meter generations with codecarbon)."
        )
    measured = ", ".join(book.measured_parts) or "nothing"
    estimated = ", ".join(book.estimated_parts) or "nothing"
    return f"Measured by hardware counters: {measured}. Estimated by power models: {estimated}."


def report(book: Ledger, title: str) -> list[str]:
    """The ledger table: totals, per kind, per model, the reading path, per scene."""
    total = book.total
    lines = [
        f"Energy ledger of {title!r}: {total.generations} generations, {total.kept} kept, "
        f"{total.discarded} discarded, {total.pending} pending",
        "",
        HEADER,
        row("total", total),
    ]
    lines += [row(kind, tally) for kind, tally in sorted(book.by_kind.items())]
    lines += [row(f"model {name}", tally) for name, tally in sorted(book.by_model.items())]
    path = " → ".join(book.path) if book.path else "broken: fix the reading path"
    lines += [row("reading path", book.reading_path), f"  ({path})"]
    lines += [row(f"scene {name}", tally) for name, tally in book.by_scene.items()]
    lines += ["", sources_line(book)]
    lines += [f"Meter: {method}" for method in sorted(book.methods)]
    if book.grids:
        lines.append(f"CO2e from the grid: {', '.join(sorted(book.grids))}")
    lines.append(
        "kept: in the story (accepted, branched, chosen picture); discarded: rejected or not chosen; "
        "every one cost energy."
    )
    return lines
