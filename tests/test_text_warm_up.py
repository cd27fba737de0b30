"""Warm-up after loading: the first expand finds its memory mapped (CTranslate2) or its GPU
graph captured (transformers on CUDA), and samples exactly what it would have without; a
warm-up that fails costs nothing but its speed; the studio warms the text engine with the
story's own settings once it has loaded. Reading ahead: given a context, the engine reads it
now and the expand that sends it reads nothing again; the studio reads ahead the context of
the scene the conductor pauses on, exactly the one the expand then sends."""

from __future__ import annotations

from pathlib import Path

import pytest

from worldforge import conductor
from worldforge.conductor.expand import context_for, text_settings
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


@pytest.fixture
def reads(monkeypatch) -> list[tuple[int, int, bool]]:
    """(prompt length, rows, kept) of every prompt CTranslate2 reads ahead, from now on (the
    reads run on the backend's pool: look once a call has waited for them)."""
    seen: list[tuple[int, int, bool]] = []
    real = CTranslate2Backend._read

    def spy(loading, static_prompt, rows, keep=True):
        seen.append((len(static_prompt), rows, keep))
        return real(loading, static_prompt, rows, keep)

    monkeypatch.setattr(CTranslate2Backend, "_read", staticmethod(spy))
    return seen


def test_ctranslate2_warm_up_reads_a_full_window_and_keeps_nothing(tiny_ct2_engine, reads):
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
    assert engine.warmed[0] == (text_settings(StoryFolder.open(story_dir).story), None)


def test_ctranslate2_reads_a_context_ahead_once_and_the_expand_starts_from_it(tiny_ct2_engine, reads):
    other = "The lighthouse keeper counted gulls on the rocks at dawn, and wrote each one down, "
    expected = [r.text for r in tiny_ct2_engine.generate(other, SETTINGS)]
    texts(tiny_ct2_engine)  # now the re-roll of STORY is what is read ahead
    reads.clear()
    tiny_ct2_engine.warm_up(SETTINGS, other)
    tiny_ct2_engine.warm_up(SETTINGS, other)  # read ahead already: nothing more
    assert [r.text for r in tiny_ct2_engine.generate(other, SETTINGS)] == expected
    length = len(tiny_ct2_engine.tokenizer().encode(other)) - 1
    assert [r for r in reads if r[0] == length] == [(length, 3, True)]


def test_transformers_reads_a_context_ahead_and_the_expand_reads_nothing_again(tiny_torch_engine):
    backend = tiny_torch_engine._backend
    backend.prompts.states.clear()
    before = texts(tiny_torch_engine)
    backend.prompts.states.clear()
    read = backend.prompts.tokens_read
    tiny_torch_engine.warm_up(SETTINGS, STORY)
    assert backend.prompts.tokens_read - read == len(tiny_torch_engine.tokenizer().encode(STORY))
    read = backend.prompts.tokens_read
    assert texts(tiny_torch_engine) == before
    assert backend.prompts.tokens_read == read
    backend.prompts.states.clear()


def test_prepare_expand_reads_ahead_what_the_expand_sends(story):
    engine = FakeTextEngine()
    settings = text_settings(story)
    assert conductor.prepare_expand(story, "start", engine, settings) is None  # loads nothing
    assert engine.warmed == [] and not engine.loaded
    engine.load()
    report = conductor.prepare_expand(story, "start", engine, settings)
    assert report is not None and engine.warmed == [(settings, report.context)]
    conductor.expand(story, "start", engine, settings)
    assert engine.contexts == [report.context]


@pytest.mark.asyncio
async def test_the_studio_reads_ahead_the_scene_the_conductor_pauses_on(story_dir: Path, monkeypatch):
    monkeypatch.setattr("worldforge.tui.screens.studio.PREPARE_DELAY", 0.05)
    engine = FakeTextEngine()
    app = studio(story_dir, engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        story = StoryFolder.open(story_dir).story
        settings = text_settings(story)
        # once loaded, the scene on screen (the start) is read ahead
        assert engine.warmed[1:] == [(settings, context_for(story, "start", engine, settings).context)]
        app.studio.go_to("left-hall")
        app.studio.go_to("right-hall")  # passing through: only the scene it stays on is read
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        expected = context_for(story, "right-hall", engine, settings).context
        assert engine.warmed[2:] == [(settings, expected)]
        await pilot.press("ctrl+g")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert engine.contexts == [expected]
