"""Bring what a model produced on a copy of a scene back into the live scene.

Model work runs on a snapshot so the conductor can keep editing meanwhile; when it ends,
only the new records (candidates, renders, provenance) are added to the scene as it is now.
"""

from __future__ import annotations

from worldforge.core.model import Provenance, Scene


def merge_generated(live: Scene, worked: Scene) -> list[Provenance]:
    """Append to `live` the provenance, candidates and renders only `worked` has; return the new records."""
    known = {p.id for p in live.provenance}
    added = [p for p in worked.provenance if p.id not in known]
    new_ids = {p.id for p in added}
    live.provenance = [*live.provenance, *added]
    live.candidates = [*live.candidates, *(c for c in worked.candidates if c.provenance in new_ids)]
    live.renders = [*live.renders, *(r for r in worked.renders if r.provenance in new_ids)]
    return added
