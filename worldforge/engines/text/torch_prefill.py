"""Reading the prompt once for all candidates, on the transformers backend.

The prompt is read at batch 1 (in the fixed blocks of prompt_states, reusing a remembered
state where one covers its start), then its key/value cache is repeated to one row per
candidate. K candidates cost one prompt read instead of K.

The remembered caches are never written to: transformers' DynamicLayer grows by
concatenation (a new tensor each step), so a shallow copy of the layers is an independent
cache that shares the remembered tensors until the model extends it.
"""

from __future__ import annotations

import copy
import inspect
from typing import Any

from worldforge.engines.text.prompt_states import PromptStates, blocks


def cache_name(model: Any) -> str:
    """The key-value cache's name: `cache` in recent transformers, `past_key_values` before."""
    return "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"


def fork(cache: Any, tokens: int | None = None) -> Any:
    """An independent cache over the same tensors, keeping only the first `tokens` positions."""
    forked = copy.copy(cache)
    forked.layers = [copy.copy(layer) for layer in cache.layers]
    if tokens is not None:
        for layer in forked.layers:
            layer.keys = layer.keys[..., :tokens, :]
            layer.values = layer.values[..., :tokens, :]
    return forked


def nbytes(cache: Any) -> int:
    return sum(layer.keys.nbytes + layer.values.nbytes for layer in cache.layers)


class PromptReader:
    """Reads prompts into (cache, last logits) at batch 1, remembering recent ones."""

    def __init__(self, model: Any, device: str, states: PromptStates[tuple[Any, Any]]) -> None:
        self.model = model
        self.device = device
        self.states = states
        self.cache_key = cache_name(model)
        self.tokens_read = 0  # prompt tokens run through the model, all calls together

    def read(self, prompt: list[int]) -> tuple[Any, Any]:
        """The cache after `prompt` (batch 1, not to be written to) and its last logits."""
        import torch
        from transformers import DynamicCache

        found, covered = self.states.best(prompt)
        if found is not None and covered == len(prompt):
            return found.state
        cache = fork(found.state[0], covered) if found is not None else DynamicCache()
        logits = None
        for start, end in blocks(covered, len(prompt)):
            ids = torch.tensor([prompt[start:end]], device=self.device)
            out = self.model(input_ids=ids, use_cache=True, logits_to_keep=1, **{self.cache_key: cache})
            logits = out.logits[:, -1, :].float()
            self.tokens_read += end - start
        state = (cache, logits)
        self.states.keep(prompt, state, nbytes(cache))
        return state

    def for_candidates(self, prompt: list[int], count: int) -> tuple[Any, Any]:
        """A writable cache with the prompt read into `count` rows, and their first logits."""
        cache, logits = self.read(prompt)
        rows = fork(cache)
        rows.batch_repeat_interleave(count)
        return rows, logits.repeat(count, 1)  # a copy: the processors may write to it
