"""Where a text model's files are: a local folder, or a Hugging Face hub id resolved to a
snapshot in the hub cache (see hub.py). Also what revision they are, for provenance, and
what the safetensors headers and config say about the model.

Only safetensors weights are ever fetched or loaded, and never remote code.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from worldforge.engines import hub
from worldforge.engines.errors import EngineError
from worldforge.engines.revision import folder_revision


@dataclass(frozen=True)
class ModelSource:
    """A text model named by a hub id or a local folder."""

    model_id: str
    license: str | None = None
    local: Path | None = None
    # builds the local folder on first use (the tiny offline model), so choosing an engine
    # never does heavy work: that waits for load(), which the studio runs in the background
    prepare: Callable[[], Path] | None = None

    @property
    def is_local(self) -> bool:
        return self.local is not None

    def wanted_download(self) -> str | None:
        """The hub id to fetch before loading, or None (local, built here, or cached)."""
        if self.local is not None or self.prepare is not None:
            return None
        return None if hub.cached(self.model_id, hub.TEXT_NEEDED) else self.model_id

    def resolve(self, download: bool = False) -> tuple[Path, str]:
        """The folder holding the files, and the revision to record."""
        if self.prepare is not None:
            self.prepare()
        if self.local is not None:
            return self.local, folder_revision(self.local, weight_files(self.local))
        folder = hub.snapshot(self.model_id, hub.TEXT_FILES, hub.TEXT_NEEDED, download=download)
        return folder, folder.name


SAFE_WEIGHTS = "model.safetensors"
SAFE_INDEX = "model.safetensors.index.json"


def _is_shard(folder: Path, name: object) -> bool:
    return (
        isinstance(name, str)
        and name == Path(name).name
        and name.endswith(".safetensors")
        and (folder / name).is_file()
    )


def weight_files(folder: Path) -> list[Path]:
    """The safetensors files that loading reads: `model.safetensors`, or the shards its
    index names. Any other `*.safetensors` is not weights: a folder with only such a file
    beside a pickled `pytorch_model.bin` would make a loader fall back to the pickle."""
    index = folder / SAFE_INDEX
    if (folder / SAFE_WEIGHTS).is_file():
        return [folder / SAFE_WEIGHTS]
    if index.is_file():
        try:
            shards = sorted(set(json.loads(index.read_text())["weight_map"].values()))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise EngineError(f"{index} is not a safetensors index (no weight_map)") from None
        if not all(_is_shard(folder, name) for name in shards):
            raise EngineError(f"{index} names shards that are not .safetensors files in {folder}")
        return [folder / name for name in shards]
    raise EngineError(
        f"no {SAFE_WEIGHTS} (or sharded {SAFE_INDEX}) in {folder}: worldforge loads safetensors "
        "only (convert .bin weights with transformers' save_pretrained(safe_serialization=True))"
    )


def parameter_count(folder: Path) -> int:
    """Parameters stored in the safetensors files, read from their headers (no torch)."""
    total = 0
    for path in weight_files(folder):
        with path.open("rb") as handle:
            (size,) = struct.unpack("<Q", handle.read(8))
            header = json.loads(handle.read(size))
        for name, info in header.items():
            if name == "__metadata__":
                continue
            count = 1
            for dim in info["shape"]:
                count *= dim
            total += count
    return total


def context_window(folder: Path) -> int:
    config = json.loads((folder / "config.json").read_text())
    for key in ("n_positions", "max_position_embeddings", "n_ctx", "seq_length"):
        value = config.get(key)
        if isinstance(value, int):
            return value
    raise EngineError(f"{folder / 'config.json'} does not say the model's context length")
