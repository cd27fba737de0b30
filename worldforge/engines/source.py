"""Where a text model's files are: a local folder, or a Hugging Face hub id resolved to a
snapshot in the hub cache. Also what revision they are, for provenance.

Only safetensors weights are ever fetched or loaded, and never remote code.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from worldforge.engines.errors import EngineError, ModelUnavailable

# files a causal LM needs; no pickled weights (.bin), no TF/Flax/ONNX/TFLite copies
HUB_ALLOW_PATTERNS = [
    "config.json",
    "generation_config.json",
    "model*.safetensors",
    "model.safetensors.index.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "vocab.json",
    "merges.txt",
]


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

    def resolve(self, download: bool = True) -> tuple[Path, str]:
        """The folder holding the files, and the revision to record."""
        if self.prepare is not None:
            self.prepare()
        if self.local is not None:
            return self.local, local_revision(self.local)
        folder = hub_snapshot(self.model_id, download)
        return folder, folder.name


def weight_files(folder: Path) -> list[Path]:
    files = sorted(folder.glob("*.safetensors"))
    if not files:
        raise EngineError(
            f"no .safetensors weights in {folder}: worldforge loads safetensors only "
            "(convert .bin weights with transformers' save_pretrained(safe_serialization=True))"
        )
    return files


def local_revision(folder: Path) -> str:
    """A local folder has no commit: its revision is a hash of its weight files."""
    digest = hashlib.sha256()
    for path in weight_files(folder):
        digest.update(path.name.encode())
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return "sha256:" + digest.hexdigest()[:16]


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
        if isinstance(config.get(key), int):
            return config[key]
    raise EngineError(f"{folder / 'config.json'} does not say the model's context length")


def hub_cached(model_id: str) -> Path | None:
    """The cached snapshot of a hub model with safetensors weights, or None (no network)."""
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(model_id, "model.safetensors")
    config = try_to_load_from_cache(model_id, "config.json")
    if isinstance(found, str) and isinstance(config, str):
        return Path(found).parent
    return None


def hub_snapshot(model_id: str, download: bool = True) -> Path:
    from huggingface_hub import snapshot_download
    from huggingface_hub.utils import disable_progress_bars, enable_progress_bars

    cached = hub_cached(model_id)
    if cached is not None:
        return cached
    if not download:
        raise ModelUnavailable(_not_here(model_id))
    disable_progress_bars()
    try:
        folder = Path(snapshot_download(model_id, allow_patterns=HUB_ALLOW_PATTERNS))
    except Exception as exc:  # offline, unknown repo, gated, network down: all say the same
        raise ModelUnavailable(f"{_not_here(model_id)} (download failed: {type(exc).__name__})") from None
    finally:
        enable_progress_bars()
    weight_files(folder)
    return folder


def _not_here(model_id: str) -> str:
    return (
        f"the weights of {model_id!r} are not on this machine. With internet, run "
        f"`worldforge models pull {model_id}`; or pass a local model folder with --engine PATH; "
        "or use --engine tiny (an offline test model whose output is noise)"
    )
