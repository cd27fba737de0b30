"""Warm-up after loading: the first expand finds its memory mapped (CTranslate2) or its GPU
graph captured (transformers on CUDA), and samples exactly what it would have without; a
warm-up that fails costs nothing but its speed; the studio warms the text engine with the
story's own settings once it has loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from worldforge.conductor.expand import text_settings
from worldforge.engines.text.backend_ctranslate2 import CTranslate2Backend
from worldforge.engines.text.graph_steps import StepGraphs
from worldforge.engines.text.protocol import TextSettings
from worldforge.engines.text.registry import text_engine
from worldforge.engines.text.torch_prefill import cache_name
from worldforge.store import StoryFolder

from .fakes import FakeTextEngine
from .tui_support import studio

STORY = (
    "Mara kept the lamps lit in the workshop by the harbour. Every night the cranes sang over "
    "the dock and the tram wires hummed under the rain, and the crew climbed in one by one, "
)
SETTINGS = TextSettings(max_new_tokens=12, candidates=3, seed=8, stop="tokens")


def texts(engine) -> list[str]:
    return [r.text for r in engine.generate(STORY, SETTINGS)]


def test_ctranslate2_warm_up_reads_a_full_window_and_keeps_nothing(tiny_ct2_engine, monkeypatch):
    reads: list[tuple[int, int, bool]] = []
    real = CTranslate2Backend._read

    def spy(loading, static_prompt, rows, keep=True):
        reads.append((len(static_prompt), rows, keep))
        return real(loading, static_prompt, rows, keep)

    monkeypatch.setattr(CTranslate2Backend, "_read", staticmethod(spy))
    before = texts(tiny_ct2_engine)
    tiny_ct2_engine.warm_up(SETTINGS)
    after = texts(tiny_ct2_engine)
    window = tiny_ct2_engine.context_window
    # the context the studio sends fills the window but for the new tokens
    assert (window - SETTINGS.max_new_tokens - 1, 3, False) in reads
    assert after == before  # same seed, same text: the warm-up changed nothing sampled


def test_a_failed_warm_up_leaves_the_next_call_working(tiny_ct2_engine, monkeypatch):
    before = texts(tiny_ct2_engine)
    real = CTranslate2Backend._read

    def broken(loading, static_prompt, rows, keep=True):
        if not keep:
            raise MemoryError("no room to warm up")
        return real(loading, static_prompt, rows, keep)

    monkeypatch.setattr(CTranslate2Backend, "_read", staticmethod(broken))
    tiny_ct2_engine.warm_up(SETTINGS)
    assert texts(tiny_ct2_engine) == before


def test_warm_up_before_loading_loads_nothing(tiny_text_model):
    engine = text_engine("tiny", backend="transformers")
    engine.warm_up(SETTINGS)
    assert not engine.loaded


def test_transformers_warm_up_captures_the_steps_and_forgets_its_prompt(tiny_torch_engine):
    backend = tiny_torch_engine._backend
    backend.prompts.states.clear()
    tiny_torch_engine.warm_up(SETTINGS)  # on the CPU: nothing to capture
    assert len(backend.prompts.states) == 0 and backend.graphs is None
    before = texts(tiny_torch_engine)
    backend.prompts.states.clear()
    # the CUDA path, with the steps run eagerly (no graph capture on a CPU)
    backend.graphs = StepGraphs(backend.model, cache_name(backend.model), tiny_torch_engine.context_window, False)
    try:
        tiny_torch_engine.warm_up(SETTINGS)
        assert list(backend.graphs._graphs) == [3] and backend.graphs.broken is None
        assert len(backend.prompts.states) == 0  # the warm-up's own prompt is not remembered
        assert texts(tiny_torch_engine) == before
    finally:
        backend.graphs = None
        backend.prompts.states.clear()


@pytest.mark.asyncio
async def test_the_studio_warms_the_text_engine_with_the_storys_settings(story_dir: Path):
    engine = FakeTextEngine()
    app = studio(story_dir, engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
    assert engine.loaded
    assert engine.warmed == [text_settings(StoryFolder.open(story_dir).story)]
