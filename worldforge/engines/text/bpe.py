"""A GPT-2 family tokenizer read straight from its tokenizer.json by the `tokenizers` library.

transformers' own GPT-2 tokenizer is a thin layer over that same library, but reaching it
imports transformers and torch: about 2 s of every `worldforge expand` on a 2-core machine,
spent before a model that runs on CTranslate2 (which needs neither) writes a word. For the
models whose tokenizer is exactly that layer, this reads the same file and gives the same
ids and text; any other tokenizer goes through transformers' AutoTokenizer as before.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

GPT2_CLASSES = {"GPT2Tokenizer", "GPT2TokenizerFast"}
GPT2_EOS = "<|endoftext|>"  # what transformers' GPT-2 tokenizer assumes when nothing says


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _token(value: Any) -> str | None:
    """A special token as tokenizer_config.json writes it: a string, or an AddedToken dict."""
    if isinstance(value, dict):
        value = value.get("content")
    return value if isinstance(value, str) else None


class Gpt2Tokenizer:
    """The part of transformers' tokenizer API the text engine uses."""

    def __init__(self, tokenizer: Any, eos_token: str, eos_token_id: int) -> None:
        self._tokenizer = tokenizer
        self.eos_token = eos_token
        self.eos_token_id = eos_token_id

    def encode(self, text: str, add_special_tokens: bool = False) -> list[int]:
        return list(self._tokenizer.encode(text, add_special_tokens=add_special_tokens).ids)

    def decode(
        self, ids: Sequence[int], skip_special_tokens: bool = True, clean_up_tokenization_spaces: bool = False
    ) -> str:
        if clean_up_tokenization_spaces:
            raise ValueError("clean-up of tokenization spaces is transformers' own: not done here")
        return str(self._tokenizer.decode(list(ids), skip_special_tokens=skip_special_tokens))

    def convert_ids_to_tokens(self, ids: Sequence[int]) -> list[str]:
        return [self._tokenizer.id_to_token(i) for i in ids]


def gpt2_tokenizer(folder: Path) -> Gpt2Tokenizer | None:
    """The folder's tokenizer when it is GPT-2's byte-level BPE in a tokenizer.json, else None
    (the caller then asks transformers)."""
    file = folder / "tokenizer.json"
    config = _json(folder / "tokenizer_config.json")
    kind = config.get("tokenizer_class")
    if kind is None:
        is_gpt2 = _json(folder / "config.json").get("model_type") == "gpt2"
    else:
        is_gpt2 = kind in GPT2_CLASSES
    if not is_gpt2 or not file.is_file():
        return None
    try:
        from tokenizers import Tokenizer
    except ImportError:
        return None
    tokenizer = Tokenizer.from_file(str(file))
    eos = _token(config.get("eos_token")) or _token(_json(folder / "special_tokens_map.json").get("eos_token"))
    eos = eos or GPT2_EOS
    eos_id = tokenizer.token_to_id(eos)
    if eos_id is None:
        return None
    return Gpt2Tokenizer(tokenizer, eos, eos_id)
