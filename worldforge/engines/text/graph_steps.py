"""Decoding steps replayed from a CUDA graph, so a GPU is not starved by Python.

An eager decoding step of GPT-2 small launches a few hundred small kernels, and on a GPU the
time goes into launching them, not running them (71 tokens/s for 4 candidates on an H100).
Captured once into a CUDA graph, the same step is one launch.

A graph replays fixed memory, so the step runs on a static cache: one row per candidate,
as long as the model's window. Each call copies the prompt's remembered state (batch 1, read
by torch_prefill) into the first positions of every row and sets the cache's length; what
an earlier call left beyond that is masked out by the causal mask and overwritten as the
new tokens come. Sampling stays outside the graph, in eager torch, so each candidate keeps
its own torch.Generator and seed.

`GraphedSteps(..., capture=False)` runs the very same static-cache steps eagerly: that is
how the CPU tests check the copy-in and the masking without a GPU.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

WARMUP_STEPS = 2  # eager steps on a side stream before capture, as torch.cuda.graphs asks
KEEP_GRAPHS = 2  # candidate counts whose graphs (and static caches) stay in memory
# a static cache bigger than this is not made (a model with a very long window, say): such
# calls step eagerly. GPT-2 small in float16 takes 150 MB for 4 candidates, GPT-2 XL 1.3 GB.
GRAPH_BUDGET = 3 * 2**29  # 1.5 GiB


def static_bytes(prompt_cache: Any, rows: int, length: int) -> int:
    """The bytes of a static cache of `rows` x `length` positions shaped like `prompt_cache`."""
    total = 0
    for layer in prompt_cache.layers:
        for part in (layer.keys, layer.values):
            per_position = part.shape[1] * part.shape[-1] * part.element_size()
            total += rows * length * per_position
    return total


class GraphedSteps:
    """One decoding step for `rows` candidates, on a static cache of `length` positions."""

    def __init__(self, model: Any, cache_key: str, rows: int, length: int, capture: bool) -> None:
        import torch
        from transformers import StaticCache

        self.model = model
        self.rows = rows
        self.length = length
        self.cache: Any = StaticCache(config=model.config, max_cache_len=length)
        self.ids = torch.zeros((rows, 1), dtype=torch.long, device=model.device)
        self._kwargs = {cache_key: self.cache}
        self._initialized = False
        self.graph: Any = None
        self.logits: Any = None
        self._capture = capture

    def start(self, prompt_cache: Any, prompt_length: int) -> None:
        """Make every row hold the prompt's state (a batch-1 cache of `prompt_length` positions)."""
        if prompt_length >= self.length:
            raise ValueError(f"a prompt of {prompt_length} tokens leaves no room in {self.length} positions")
        if not self._initialized:
            first = prompt_cache.layers[0].keys
            self.cache.early_initialization(
                self.rows, first.shape[1], first.shape[-1], first.dtype, first.device
            )
            self._initialized = True
            if self._capture:
                self._record(prompt_cache, prompt_length)
        for static, remembered in zip(self.cache.layers, prompt_cache.layers, strict=True):
            static.keys[:, :, :prompt_length].copy_(
                remembered.keys[..., :prompt_length, :].expand(self.rows, -1, -1, -1)
            )
            static.values[:, :, :prompt_length].copy_(
                remembered.values[..., :prompt_length, :].expand(self.rows, -1, -1, -1)
            )
            static.cumulative_length.fill_(prompt_length)

    def step(self, chosen: Any) -> Any:
        """Feed one token per row; the next logits (float32, one row per candidate, a copy)."""
        self.ids.copy_(chosen.view(self.rows, 1))
        if self.graph is None:
            return self._forward().clone()
        self.graph.replay()
        return self.logits.clone()

    def _forward(self) -> Any:
        out = self.model(input_ids=self.ids, use_cache=True, logits_to_keep=1, **self._kwargs)
        return out.logits[:, -1, :].float()

    def _record(self, prompt_cache: Any, prompt_length: int) -> None:
        import torch

        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(WARMUP_STEPS):
                self.start(prompt_cache, prompt_length)
                self._forward()
        torch.cuda.current_stream().wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            self.logits = self._forward()
        self.graph = graph


class StepGraphs:
    """The captured steps per candidate count (the last KEEP_GRAPHS of them), for one model.

    A capture that fails, or whose steps do not match the eager model's, turns the graphs off
    for this model: `steps` then answers None and the backend decodes eagerly as before.
    """

    def __init__(
        self, model: Any, cache_key: str, length: int, capture: bool = True, budget: int = GRAPH_BUDGET
    ) -> None:
        self.model = model
        self.cache_key = cache_key
        self.length = length
        self.capture = capture
        self.budget = budget
        self.broken: str | None = None
        self._graphs: OrderedDict[int, GraphedSteps] = OrderedDict()

    def steps(self, rows: int, prompt_cache: Any, prompt_length: int, new_tokens: int) -> GraphedSteps | None:
        """Steps for `rows` candidates, holding the prompt's state; None where graphs can't serve."""
        if self.broken is not None or prompt_length + new_tokens > self.length:
            return None
        found = self._graphs.pop(rows, None)
        if found is None and static_bytes(prompt_cache, rows, self.length) > self.budget:
            return None
        try:
            if found is None:
                found = GraphedSteps(self.model, self.cache_key, rows, self.length, self.capture)
                found.start(prompt_cache, prompt_length)
                self._check(found, prompt_cache, prompt_length)
            found.start(prompt_cache, prompt_length)
        except Exception as error:  # noqa: BLE001 - any failure means: decode eagerly
            self.broken = f"{type(error).__name__}: {error}"
            self._graphs.clear()
            return None
        self._graphs[rows] = found
        while len(self._graphs) > KEEP_GRAPHS:
            self._graphs.popitem(last=False)
        return found

    def _check(self, steps: GraphedSteps, prompt_cache: Any, prompt_length: int) -> None:
        """Three steps against the eager model on a dynamic cache; raise if they differ."""
        import torch

        from worldforge.engines.text.torch_prefill import fork

        eager = fork(prompt_cache)
        eager.batch_repeat_interleave(steps.rows)
        token = torch.arange(steps.rows, device=self.model.device) + 11
        for _ in range(3):
            graphed = steps.step(token)
            out = self.model(
                input_ids=token[:, None], use_cache=True, logits_to_keep=1, **{self.cache_key: eager}
            )
            expected = out.logits[:, -1, :].float()
            scale = float(expected.abs().max()) + 1.0
            if not torch.allclose(graphed, expected, rtol=0.0, atol=1e-2 * scale):
                worst = float((graphed - expected).abs().max())
                raise RuntimeError(f"graphed steps differ from the eager model by {worst:.3g}")
            token = expected.argmax(dim=-1)
