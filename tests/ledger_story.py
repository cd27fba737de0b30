"""A story with metered and unmetered generations, kept, discarded and pending ones."""

from __future__ import annotations

from worldforge.core.model import (
    Energy,
    Link,
    Provenance,
    Render,
    Scene,
    Story,
    StoryMeta,
    TextCandidate,
)


def metered(kwh: float, cpu: str = "estimated", gpu: str = "absent") -> Energy:
    return Energy(
        cpu_kwh=kwh / 2, gpu_kwh=kwh / 4 if gpu != "absent" else 0.0, ram_kwh=kwh / 4 if gpu != "absent" else kwh / 2,
        co2e_kg=kwh * 0.1, cpu=cpu, gpu=gpu, ram="estimated", method="codecarbon test", grid="100 g/kWh (set)",
    )  # fmt: skip


def record(rid: str, kind: str, model: str, energy: Energy | None, wall: float = 1.0) -> Provenance:
    return Provenance(
        id=rid, kind=kind, engine="e", model=model, wall_s=wall, flops=1e9, energy_wh=0.5, energy=energy
    )


def story() -> Story:
    """start (3 text candidates: one accepted, one rejected, one branched into `side`;
    2 renders, one chosen) -> end (1 unmetered render, no picture chosen); `side` is off the path."""
    t1, t2, t3 = (record(f"txt-{i}", "text", "gpt2", metered(1.0)) for i in range(3))
    i1 = record("img-1", "image", "sd-turbo", metered(2.0, "measured", "measured"))
    i2 = record("img-2", "image", "sd-turbo", metered(2.0, "measured", "measured"))
    i3 = record("img-3", "image", "sd-turbo", None, wall=4.0)
    start = Scene(
        id="start",
        title="Start",
        links=[Link(to="end"), Link(to="side")],
        image="images/a.png",
        candidates=[
            TextCandidate(text="a", provenance=t1.id, status="accepted"),
            TextCandidate(text="b", provenance=t2.id, status="rejected"),
            TextCandidate(text="c", provenance=t3.id, status="branched"),
        ],
        renders=[
            Render(image="images/a.png", provenance=i1.id),
            Render(image="images/b.png", provenance=i2.id),
        ],
        provenance=[t1, t2, t3, i1, i2],
    )
    side = Scene(id="side", title="Side", provenance=[t3])  # a branch keeps a copy of its record
    end = Scene(
        id="end", title="End", renders=[Render(image="images/c.png", provenance=i3.id)], provenance=[i3]
    )
    return Story(StoryMeta(title="T", start="start"), {"start": start, "side": side, "end": end})
