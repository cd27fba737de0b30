"""The revision of a local model folder, for provenance: a hub download has its commit, a
folder has no commit, so its revision is a hash of the files loading reads.

The hashed set is deliberate: weights (*.safetensors), configs and tokenizer tables (*.json),
merges and vocabularies (*.txt), SentencePiece models (*.model), at any depth (a diffusers
pipeline keeps each part in a subfolder), each with its path relative to the folder. Left
out: what loading never reads (pickled *.bin weights, READMEs, images) and hidden files
(download caches, build markers), so the revision changes exactly when the model does.
Where the caller knows which weight files loading reads (a text model: `model.safetensors` or
its index's shards), only those weights are hashed: a stray `*.safetensors` beside them is
not the model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

HASHED_SUFFIXES = frozenset({".safetensors", ".json", ".txt", ".model"})


def hashed_files(folder: Path, weights: Sequence[Path] | None = None) -> list[Path]:
    """The files a folder's revision covers, in a fixed order: `weights` (when given) in
    place of every `*.safetensors` found."""
    found = [
        path
        for path in folder.rglob("*")
        if path.suffix in HASHED_SUFFIXES
        and (weights is None or path.suffix != ".safetensors")
        and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    ]
    found.extend(weights or ())
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def folder_revision(folder: Path, weights: Sequence[Path] | None = None) -> str:
    """A content hash of a local model folder: "sha256:" and 16 hex digits."""
    digest = hashlib.sha256()
    for path in hashed_files(folder, weights):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return "sha256:" + digest.hexdigest()[:16]
