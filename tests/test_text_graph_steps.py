"""The static-cache decoding steps that CUDA graphs replay, run eagerly on the CPU: the prompt's
state copied into every row gives the model's own logits, an earlier call's leftovers never
leak into the next, a mismatch turns the graphs off, and the backend samples the same text
for the same seeds through them as without."""

from __future__ import annotations

import pytest
import torch

from worldforge.engines.text.backend_transformers import attention_kernels
from worldforge.engines.text.graph_steps import GraphedSteps, StepGraphs, static_bytes
from worldforge.engines.text.protocol import TextSettings
from worldforge.engines.text.torch_prefill import cache_name

STORY = (
    "Mara kept the lamps lit in the workshop by the harbour. Every night the cranes sang over "
    "the dock and the tram wires hummed under the rain, and the crew climbed in one by one, "
)


@pytest.fixture
def backend(tiny_torch_engine):
    backend = tiny_torch_engine._backend
    backend.prompts.states.clear()
    yield backend
    backend.graphs = None
    backend.prompts.states.clear()


@pytest.fixture
def read(tiny_torch_engine, backend):
    def prompt_state(text: str):
        ids = tiny_torch_engine.tokenizer().encode(text)
        cache, logits = backend.prompts.read(ids)
        return ids, cache, logits

    return prompt_state


def eager_logits(backend, prompt_cache, rows: int, tokens: list[torch.Tensor]) -> list[torch.Tensor]:
    from worldforge.engines.text.torch_prefill import fork

    cache = fork(prompt_cache)
    cache.batch_repeat_interleave(rows)
    out = []
    for token in tokens:
        result = backend.model(
            input_ids=token[:, None], use_cache=True, logits_to_keep=1, **{cache_name(backend.model): cache}
        )
        out.append(result.logits[:, -1, :].float())
    return out


def test_static_steps_give_the_models_own_logits(backend, read):
    ids, cache, _ = read(STORY)
    steps = GraphedSteps(backend.model, cache_name(backend.model), 3, 256, capture=False)
    tokens = [torch.tensor([5, 17, 230]), torch.tensor([9, 9, 1]), torch.tensor([40, 41, 42])]
    with torch.inference_mode():
        steps.start(cache, len(ids))
        got = [steps.step(t) for t in tokens]
        expected = eager_logits(backend, cache, 3, tokens)
    for a, b in zip(got, expected, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4)
    assert not torch.equal(got[0][0], got[0][1])  # the rows really are separate candidates


def test_a_shorter_prompt_after_a_longer_one_sees_nothing_of_it(backend, read):
    long_ids, long_cache, _ = read(STORY * 2)
    short_ids, short_cache, _ = read("The lighthouse keeper counted gulls.")
    token = torch.tensor([7, 8])
    with torch.inference_mode():
        used = GraphedSteps(backend.model, cache_name(backend.model), 2, 256, capture=False)
        used.start(long_cache, len(long_ids))
        for _ in range(5):
            used.step(token)
        used.start(short_cache, len(short_ids))
        after = used.step(token)
        fresh = GraphedSteps(backend.model, cache_name(backend.model), 2, 256, capture=False)
        fresh.start(short_cache, len(short_ids))
        torch.testing.assert_close(after, fresh.step(token), rtol=0, atol=1e-5)


def test_steps_that_do_not_match_the_model_turn_the_graphs_off(backend, read, monkeypatch):
    ids, cache, _ = read(STORY)
    graphs = StepGraphs(backend.model, cache_name(backend.model), 256, capture=False)
    real_step = GraphedSteps.step
    monkeypatch.setattr(GraphedSteps, "step", lambda self, chosen: real_step(self, chosen) + 1.0)
    with torch.inference_mode():
        assert graphs.steps(2, cache, len(ids), 16) is None
    assert graphs.broken is not None and "differ" in graphs.broken
    monkeypatch.setattr(GraphedSteps, "step", real_step)
    with torch.inference_mode():
        assert graphs.steps(2, cache, len(ids), 16) is None  # off for good on this model


def test_no_steps_when_their_cache_would_be_too_big(backend, read):
    ids, cache, _ = read(STORY)
    size = static_bytes(cache, 2, 256)
    assert size == 2 * 256 * sum(k.shape[1] * k.shape[-1] * 4 * 2 for k in (layer.keys for layer in cache.layers))
    with torch.inference_mode():
        small = StepGraphs(backend.model, cache_name(backend.model), 256, capture=False, budget=size - 1)
        assert small.steps(2, cache, len(ids), 16) is None and small.broken is None
        assert small.steps(1, cache, len(ids), 16) is not None  # half the rows fit


def test_no_steps_when_the_window_is_too_short(backend, read):
    ids, cache, _ = read(STORY)
    graphs = StepGraphs(backend.model, cache_name(backend.model), len(ids) + 8, capture=False)
    with torch.inference_mode():
        assert graphs.steps(2, cache, len(ids), 16) is None
        assert graphs.broken is None
        assert graphs.steps(2, cache, len(ids), 8) is not None


def test_backend_samples_the_same_text_through_the_static_steps(tiny_torch_engine, backend, monkeypatch):
    settings = TextSettings(max_new_tokens=16, candidates=3, seed=21, stop="tokens")
    eager = [r.text for r in tiny_torch_engine.generate(STORY, settings)]
    eager_grown = [r.text for r in tiny_torch_engine.generate(STORY + "and", settings)]
    backend.graphs = StepGraphs(backend.model, cache_name(backend.model), 256, capture=False)
    calls: list[int] = []
    real_step = GraphedSteps.step

    def counting(self, chosen):
        calls.append(self.rows)
        return real_step(self, chosen)

    monkeypatch.setattr(GraphedSteps, "step", counting)
    graphed = [r.text for r in tiny_torch_engine.generate(STORY, settings)]
    grown = [r.text for r in tiny_torch_engine.generate(STORY + "and", settings)]
    assert backend.graphs.broken is None
    assert graphed == eager
    assert grown == eager_grown  # the same steps, refilled with a longer prompt
    assert calls.count(3) >= 2 * 15  # both calls decoded through the static steps


def test_attention_on_cuda_leaves_out_cudnn_and_only_while_generating():
    assert torch.backends.cuda.cudnn_sdp_enabled()
    with attention_kernels("cuda:0"):
        assert not torch.backends.cuda.cudnn_sdp_enabled()
        assert torch.backends.cuda.mem_efficient_sdp_enabled()
    assert torch.backends.cuda.cudnn_sdp_enabled()
    with attention_kernels("cpu"):
        assert torch.backends.cuda.cudnn_sdp_enabled()
