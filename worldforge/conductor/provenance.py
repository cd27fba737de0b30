"""From what an engine reports to the story's provenance: one conversion for text and pictures.

The engine's record holds the facts of the run; the conductor adds what only the story
knows (the record's id, when it was made, the style preset), the wall-time energy
estimate, and what the energy meter counted, when one ran.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from worldforge.core.compute import energy_wh
from worldforge.core.model import Energy, Provenance
from worldforge.engines.record import GenerationRecord


def now() -> str:
    """A record's creation time: UTC, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def provenance(
    kind: Literal["text", "image"],
    record: GenerationRecord,
    record_id: str,
    created: str,
    settings: Mapping[str, Any] | None = None,
    energy: Energy | None = None,
) -> Provenance:
    """The story's record of one output; `settings` replaces the engine's when given."""
    return Provenance(
        id=record_id,
        kind=kind,
        engine=record.engine,
        model=record.model,
        revision=record.revision,
        license=record.license,
        settings=dict(record.settings if settings is None else settings),
        seed=record.seed,
        versions=dict(record.versions),
        device=record.device,
        wall_s=round(record.wall_s, 4),
        tokens=record.tokens,
        flops=record.flops,
        # a remote model's power draw is not known here
        energy_wh=None if record.server else round(energy_wh(record.wall_s, record.device), 6),
        # the meter reads this machine: for a model server that is not the model's energy
        energy=None if record.server else energy,
        created=created,
        prompt_hidden=record.prompt_hidden,
        test_model=record.test_model,
        server=record.server,
        fingerprint=record.fingerprint,
        host=record.host,
    )
