"""Counting tokens for a model that runs elsewhere, so the context fits its window exactly.

Best: the server's own tokenizer, through whichever endpoint it has — `POST /tokenize`
(llama.cpp's llama-server, vLLM), `POST /extras/tokenize` (llama-cpp-python) or
`POST /api/extra/tokencount` (KoboldCpp). Exact; each distinct text is asked once.

Without one: GPT-2's byte-level BPE where it is on this machine (the gpt2 preset's files),
else the text's UTF-8 byte count — for any byte-level BPE never fewer than its tokens.
A local count is an estimate of another model's tokenizer, so the engine keeps a stated
safety margin of the window free. `how` says in words which count is in use; the context
report shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from worldforge.engines.text.remote.client import ServerClient

CACHE_LIMIT = 4096
PROBE_TEXT = "The harbour woke."


@dataclass(frozen=True)
class Endpoint:
    path: str
    body: Callable[[str, str], dict[str, Any]]
    count: Callable[[Any], int | None]


def _token_list(reply: Any) -> int | None:
    tokens = reply.get("tokens") if isinstance(reply, dict) else None
    return len(tokens) if isinstance(tokens, list) else None


def _kobold_value(reply: Any) -> int | None:
    value = reply.get("value") if isinstance(reply, dict) else None
    return value if isinstance(value, int) else None


ENDPOINTS = (
    # llama-server reads `content`, vLLM `prompt`; each ignores the other's field
    Endpoint(
        "~/tokenize",
        lambda text, model: {"content": text, "prompt": text, "model": model, "add_special_tokens": False},
        _token_list,
    ),
    Endpoint("~/extras/tokenize", lambda text, model: {"input": text, "model": model}, _token_list),
    Endpoint("~/api/extra/tokencount", lambda text, model: {"prompt": text}, _kobold_value),
)


class TokenCounter:
    """Counts tokens one way, remembers the counts, and says how it counts."""

    def __init__(self, count: Callable[[str], int], how: str, margin_share: float) -> None:
        self._count = count
        self.how = how
        # the part of the window kept free for a count that is only an estimate
        self.margin_share = margin_share
        self._cache: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        if text not in self._cache:
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()
            self._cache[text] = self._count(text)
        return self._cache[text]

    def margin(self, window: int) -> int:
        return int(window * self.margin_share) if self.margin_share else 0


def server_counter(client: ServerClient, model: str) -> TokenCounter | None:
    """A counter through the server's tokenizer endpoint, or None when it has none."""
    for endpoint in ENDPOINTS:
        reply = client.optional("POST", endpoint.path, endpoint.body(PROBE_TEXT, model))
        if reply is None or endpoint.count(reply) is None:
            continue

        def count(text: str, endpoint: Endpoint = endpoint) -> int:
            n = endpoint.count(client.post(endpoint.path, endpoint.body(text, model)))
            if n is None:
                raise client.malformed(endpoint.path.lstrip("~"), "a token count of the wrong shape")
            return n

        return TokenCounter(count, f"the server's tokenizer ({endpoint.path.lstrip('~')})", 0.0)
    return None


LOCAL_MARGIN = 0.10


def local_counter(tokenizer_folder: Path | None) -> TokenCounter:
    """GPT-2's BPE from `tokenizer_folder` (vocab.json + merges.txt) if given and there,
    else UTF-8 bytes; both keep 10% of the window free."""
    if tokenizer_folder is not None and (tokenizer_folder / "vocab.json").is_file():
        from tokenizers import ByteLevelBPETokenizer

        bpe = ByteLevelBPETokenizer(
            str(tokenizer_folder / "vocab.json"), str(tokenizer_folder / "merges.txt")
        )
        return TokenCounter(
            lambda text: len(bpe.encode(text).ids),
            f"GPT-2's BPE on this machine, {LOCAL_MARGIN:.0%} of the window kept free "
            "(the server has no tokenizer endpoint)",
            LOCAL_MARGIN,
        )
    return TokenCounter(
        lambda text: len(text.encode("utf-8")),
        f"UTF-8 bytes (never fewer than byte-level BPE tokens), {LOCAL_MARGIN:.0%} of the window kept "
        "free (the server has no tokenizer endpoint and GPT-2's BPE is not on this machine)",
        LOCAL_MARGIN,
    )
