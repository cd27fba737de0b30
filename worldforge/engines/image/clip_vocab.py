"""CLIP's own tokenizer without any model download: exact token counts offline.

Stable Diffusion 1.x and 2.x read prompts with CLIP's byte-level BPE (49,408 tokens; OpenCLIP
uses the same vocabulary). The merge list ships inside the `open_clip_torch` wheel as
`bpe_simple_vocab_16e6.txt.gz`; from it the tokenizer files transformers reads (vocab.json,
merges.txt) are built once into the models folder, the same way OpenAI's tokenizer builds
its table. The wheel is only read as data (found through its installed file list), never
imported, so none of its dependencies are needed: `pip install --no-deps open_clip_torch`.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from worldforge.engines.image.tiny import byte_level_symbols
from worldforge.engines.quiet import quiet
from worldforge.locations import models_dir

VOCAB_PACKAGE = "open_clip_torch"
VOCAB_FILE = "bpe_simple_vocab_16e6.txt.gz"
CLIP_TOKENIZER_NAME = "clip-tokenizer"
# OpenAI's table: 256 bytes, the same with </w>, 48,894 merges, start and end markers
MERGES = 49152 - 256 - 2
VOCAB_SIZE = 49408


class ClipVocabMissing(RuntimeError):
    """The package carrying CLIP's BPE vocabulary is not installed."""


def vocab_source() -> Path:
    """The BPE merge file inside the installed open_clip_torch distribution."""
    try:
        dist = metadata.distribution(VOCAB_PACKAGE)
    except metadata.PackageNotFoundError:
        raise ClipVocabMissing(
            f"CLIP's vocabulary comes from the {VOCAB_PACKAGE} package: pip install --no-deps {VOCAB_PACKAGE}"
        ) from None
    for file in dist.files or ():
        if file.name == VOCAB_FILE:
            return Path(str(dist.locate_file(file)))
    raise ClipVocabMissing(f"{VOCAB_PACKAGE} is installed without {VOCAB_FILE}")


def build_clip_tokenizer(target: Path | None = None) -> Path:
    """Write CLIP's tokenizer files into `target` (once; a complete folder is reused)."""
    folder = target if target is not None else models_dir() / CLIP_TOKENIZER_NAME
    done = folder / ".complete"
    if done.exists():
        return folder
    lines = gzip.decompress(vocab_source().read_bytes()).decode("utf-8").split("\n")
    merges = lines[1 : MERGES + 1]
    symbols = byte_level_symbols()
    vocab = symbols + [s + "</w>" for s in symbols] + ["".join(m.split()) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    if len(vocab) != VOCAB_SIZE:
        raise ClipVocabMissing(f"{VOCAB_FILE} holds {len(vocab)} tokens, not CLIP's {VOCAB_SIZE}")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(
        json.dumps({token: i for i, token in enumerate(vocab)}, ensure_ascii=False), encoding="utf-8"
    )
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n", encoding="utf-8")
    from transformers import CLIPTokenizer

    with quiet():
        tokenizer = CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=77)
        tokenizer.save_pretrained(str(folder))
    done.write_text("CLIP tokenizer built from open_clip_torch's BPE vocabulary\n", encoding="utf-8")
    return folder


@cache
def clip_tokenizer() -> Any:
    """CLIP's tokenizer (as Stable Diffusion's pipelines load it), built on first use."""
    from transformers import CLIPTokenizer

    with quiet():
        return CLIPTokenizer.from_pretrained(str(build_clip_tokenizer()))


def clip_tokens(text: str) -> list[str]:
    """`text` as CLIP's tokens ("cha</w>" ends a word), without the start and end markers."""
    return list(clip_tokenizer().tokenize(text))
