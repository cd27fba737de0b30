"""Plain transformers backend: the model in torch, a short explicit decoding loop.

The loop (rather than `model.generate`) gives every candidate its own torch.Generator, so
candidate i depends only on its own seed, and lets all candidates stream token by token
from one batched forward pass. Logits go through transformers' own processors.

The prompt is read once per call at batch 1 and its cache repeated to the K candidates
(torch_prefill); recent prompts' states are remembered, so a re-roll reads nothing again.

On an accelerator, sampling stays on the device and tokens come back to the CPU in groups
of TOKENS_PER_SYNC steps: a copy to the CPU waits for the device to finish, and waiting every
token starves it. A candidate that stops mid-group wastes at most the rest of the group.
On CUDA each decoding step is replayed from a CUDA graph (graph_steps), one launch instead of
hundreds; where a graph can't be captured or doesn't match the model, steps run eagerly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from worldforge.engines.cancel import Cancelled, CancelToken
from worldforge.engines.heap import keep_large_buffers
from worldforge.engines.quiet import quiet
from worldforge.engines.text.graph_steps import StepGraphs
from worldforge.engines.text.prompt_states import DEFAULT_BUDGET, PromptStates
from worldforge.engines.text.protocol import TextSettings
from worldforge.engines.text.streams import CandidateStream
from worldforge.engines.text.torch_prefill import PromptReader, cache_name

TOKENS_PER_SYNC = 8  # on an accelerator; on the CPU every token streams as it is sampled


class TorchBackend:
    """A TextBackend on transformers: any device, any dtype torch runs there."""

    name = "transformers"
    per_candidate_seeds = True
    libraries: tuple[str, ...] = ()

    def __init__(self, folder: Path, device: str, dtype: str, state_budget: int = DEFAULT_BUDGET) -> None:
        import torch
        from transformers import AutoModelForCausalLM

        with quiet():
            model: Any = AutoModelForCausalLM.from_pretrained(
                folder, use_safetensors=True, trust_remote_code=False, dtype=getattr(torch, dtype)
            )
        self.model = model.to(device).eval()
        if device == "cpu":
            keep_large_buffers()
        self.device = device
        self.dtype = dtype
        self.prompts = PromptReader(self.model, device, PromptStates(state_budget))
        self.tokens_per_sync = 1 if device == "cpu" else TOKENS_PER_SYNC
        self.graphs: StepGraphs | None = None
        if device.startswith("cuda"):
            window = getattr(self.model.config, "max_position_embeddings", None)
            if isinstance(window, int):
                self.graphs = StepGraphs(self.model, cache_name(self.model), window)

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
        cache_key = cache_name(self.model)
        generators = [torch.Generator(device=self.device).manual_seed(seed) for seed in seeds]
        sequences = torch.tensor([prompt_ids] * len(streams), device=self.device)
        pending: list[Any] = []
        with torch.inference_mode(), attention_kernels(self.device):
            graphed = None
            if self.graphs is not None:
                remembered, first = self.prompts.read(prompt_ids)
                graphed = self.graphs.steps(
                    len(streams), remembered, len(prompt_ids), settings.max_new_tokens
                )
            if graphed is not None:
                cache, logits = None, first.repeat(len(streams), 1)
            else:
                cache, logits = self.prompts.for_candidates(prompt_ids, len(streams))
            for step in range(settings.max_new_tokens):
                scores = processors(sequences, logits)
                if settings.temperature <= 0:
                    chosen = scores.argmax(dim=-1)
                else:
                    probs = torch.softmax(scores, dim=-1)
                    chosen = torch.cat(
                        [torch.multinomial(probs[i], 1, generator=g) for i, g in enumerate(generators)]
                    )
                pending.append(chosen)
                last = step + 1 == settings.max_new_tokens
                if len(pending) == self.tokens_per_sync or last:
                    if _deliver(pending, streams):
                        return
                    pending = []
                    if cancel is not None and cancel.cancelled:
                        raise Cancelled()
                if last:
                    return
                step_ids = chosen[:, None]
                sequences = torch.cat([sequences, step_ids], dim=1)
                if graphed is not None:
                    logits = graphed.step(chosen)
                    continue
                out = self.model(input_ids=step_ids, use_cache=True, logits_to_keep=1, **{cache_key: cache})
                logits = out.logits[:, -1, :].float()

    def warm_up(self, prompt_ids: list[int], rows: int, keep: bool) -> None:
        """With `keep`, read the prompt now and remember it (the call that sends it reads
        nothing). On CUDA, capture the decoding graph for `rows` candidates now rather than
        in the first call. Without `keep` and off CUDA, nothing."""
        if self.graphs is None and not keep:
            return
        import torch

        with torch.inference_mode(), attention_kernels(self.device):
            cache, _ = self.prompts.read(prompt_ids)
            if self.graphs is not None:
                self.graphs.steps(rows, cache, len(prompt_ids), 1)
        if not keep:
            self.prompts.states.forget(prompt_ids)


def attention_kernels(device: str) -> Any:
    """Attention without cuDNN's kernels on CUDA: cuDNN builds a plan for each new sequence
    length, and reading a prompt in blocks meets a new length every block and every step."""
    import contextlib

    if not device.startswith("cuda"):
        return contextlib.nullcontext()
    from torch.nn.attention import SDPBackend, sdpa_kernel

    return sdpa_kernel([SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH])


def _deliver(pending: list[Any], streams: list[CandidateStream]) -> bool:
    """Push a group of sampled steps (one copy to the CPU); True once every candidate is done."""
    import torch

    for row in torch.stack(pending).tolist():
        for stream, token in zip(streams, row, strict=True):
            stream.push(token)
    return all(stream.done for stream in streams)


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
