"""The revision of a local model folder, for provenance: a hub download has its commit, a
folder has no commit, so its revision is a hash of the files loading reads.

The hashed set is deliberate: weights (*.safetensors), configs and tokenizer tables (*.json),
merges and vocabularies (*.txt), SentencePiece models (*.model), at any depth (a diffusers
pipeline keeps each part in a subfolder), each with its path relative to the folder. Left
out: what loading never reads (pickled *.bin weights, READMEs, images) and hidden files
(download caches, build markers), so the revision changes exactly when the model does.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

HASHED_SUFFIXES = frozenset({".safetensors", ".json", ".txt", ".model"})


def hashed_files(folder: Path) -> list[Path]:
    """The files a folder's revision covers, in a fixed order."""
    found = [
        path
        for path in folder.rglob("*")
        if path.suffix in HASHED_SUFFIXES
        and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    ]
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def folder_revision(folder: Path) -> str:
    """A content hash of a local model folder: "sha256:" and 16 hex digits."""
    digest = hashlib.sha256()
    for path in hashed_files(folder):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return "sha256:" + digest.hexdigest()[:16]
