"""Plain transformers backend: the model in torch, a short explicit decoding loop.

The loop (rather than `model.generate`) gives every candidate its own torch.Generator, so
candidate i depends only on its own seed, and lets all candidates stream token by token
from one batched forward pass. Logits go through transformers' own processors.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from worldforge.engines.cancel import Cancelled, CancelToken
from worldforge.engines.quiet import quiet
from worldforge.engines.text.protocol import TextSettings
from worldforge.engines.text.streams import CandidateStream


class TorchBackend:
    """A TextBackend on transformers: any device, any dtype torch runs there."""

    name = "transformers"
    per_candidate_seeds = True
    libraries: tuple[str, ...] = ()

    def __init__(self, folder: Path, device: str, dtype: str) -> None:
        import torch
        from transformers import AutoModelForCausalLM

        with quiet():
            model: Any = AutoModelForCausalLM.from_pretrained(
                folder, use_safetensors=True, trust_remote_code=False, dtype=getattr(torch, dtype)
            )
        self.model = model.to(device).eval()
        self.device = device
        self.dtype = dtype

    def run(
        self,
        prompt_ids: list[int],
        streams: list[CandidateStream],
        settings: TextSettings,
        seeds: list[int],
        cancel: CancelToken | None,
    ) -> None:
        import torch

        processors = _processors(settings)
        cache = _cache_name(self.model)
        generators = [torch.Generator().manual_seed(seed) for seed in seeds]
        sequences = torch.tensor([prompt_ids] * len(streams), device=self.device)
        with torch.inference_mode():
            out = self.model(input_ids=sequences, use_cache=True, logits_to_keep=1)
            while True:
                scores = processors(sequences, out.logits[:, -1, :].float()).cpu()
                if settings.temperature <= 0:
                    chosen = scores.argmax(dim=-1)
                else:
                    probs = torch.softmax(scores, dim=-1)
                    chosen = torch.cat(
                        [torch.multinomial(probs[i], 1, generator=g) for i, g in enumerate(generators)]
                    )
                for stream, token in zip(streams, chosen.tolist(), strict=True):
                    stream.push(token)
                if all(stream.done for stream in streams):
                    return
                if cancel is not None and cancel.cancelled:
                    raise Cancelled()
                step = chosen.to(self.device)[:, None]
                sequences = torch.cat([sequences, step], dim=1)
                past = {cache: getattr(out, cache)}
                out = self.model(input_ids=step, use_cache=True, logits_to_keep=1, **past)


def _cache_name(model: Any) -> str:
    """The key-value cache's name: `cache` in recent transformers, `past_key_values` before."""
    return "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"


def _processors(settings: TextSettings) -> Any:
    from transformers import (
        LogitsProcessorList,
        RepetitionPenaltyLogitsProcessor,
        TemperatureLogitsWarper,
        TopKLogitsWarper,
        TopPLogitsWarper,
    )

    chain = LogitsProcessorList()
    if settings.repetition_penalty != 1.0:
        chain.append(RepetitionPenaltyLogitsProcessor(settings.repetition_penalty))
    if settings.temperature > 0:
        if settings.temperature != 1.0:
            chain.append(TemperatureLogitsWarper(settings.temperature))
        if settings.top_k > 0:
            chain.append(TopKLogitsWarper(settings.top_k))
        if settings.top_p < 1.0:
            chain.append(TopPLogitsWarper(settings.top_p))
    return chain
