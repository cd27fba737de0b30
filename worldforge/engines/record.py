"""What every engine reports about each thing it made. Nothing here imports torch.

The conductor turns a record into the story's provenance in one place; engines know
nothing of stories, so they hand over plain facts and leave the bookkeeping (ids, dates,
energy estimates, where the record is kept) to it.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from worldforge import __version__


@dataclass(frozen=True)
class GenerationRecord:
    """How one text candidate or one picture was made: enough to credit it and re-run it."""

    engine: str
    model: str
    revision: str | None
    license: str | None
    # every setting that shaped the output, under the names the story records
    settings: dict[str, Any]
    seed: int
    versions: dict[str, str]
    device: str
    # seconds of model time this output is charged with
    wall_s: float
    # made by a random-weight offline test model: its output is noise
    test_model: bool = False
    # floating-point operations: counted (pictures) or estimated from the size (text)
    flops: float | None = None
    # parameters of the model, as stored in its weights (0: not known)
    parameters: int = 0
    # text only: tokens read, tokens written, and why generation stopped
    prompt_tokens: int | None = None
    tokens: int | None = None
    stop_reason: str | None = None
    # pictures only: the prompt was kept out of the record and the file
    prompt_hidden: bool = False
    # made on a model server: its public URL (no credentials) and the fingerprint it reported
    server: str | None = None
    fingerprint: str | None = None
    # the machine that made it, when not this process's (a cluster worker); never in the file
    host: str | None = None


def library_versions(*names: str) -> dict[str, str]:
    """worldforge's and Python's versions, and those of the named libraries installed."""
    versions = {"worldforge": __version__, "python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions
