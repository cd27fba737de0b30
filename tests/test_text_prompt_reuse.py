"""One prompt read per call, remembered for the next: same seeds give the same text with and
without a remembered state, and a changed context never reuses a stale one."""

from __future__ import annotations

import time

import pytest

from worldforge.engines.text.backend_ctranslate2 import READ_AHEAD_DELAY
from worldforge.engines.text.prompt_states import BLOCK, PromptStates, reusable
from worldforge.engines.text.protocol import TextSettings

STORY = (
    "Mara kept the lamps lit in the workshop by the harbour. Every night the cranes sang over "
    "the dock and the tram wires hummed under the rain. The machine in the shed had no pilot, "
    "only seven seats in a ring, and each of its arms moved when most of the lamps were lit. "
    "Tonight the water rose against the gates, and the crew climbed in one by one, "
)
OTHER = "A different tale entirely: the lighthouse keeper counted gulls on the rocks at dawn. "


def settings(**kw) -> TextSettings:
    base = {"max_new_tokens": 12, "candidates": 3, "seed": 5, "stop": "tokens"}
    return TextSettings(**(base | kw))


def texts(engine, context: str, **kw) -> list[str]:
    return [r.text for r in engine.generate(context, settings(**kw))]


@pytest.fixture
def torch_engine(tiny_torch_engine):
    backend = tiny_torch_engine._backend
    backend.prompts.states.clear()
    yield tiny_torch_engine
    backend.prompts.states.clear()
    backend.tokens_per_sync = 1


def tokens_read(engine) -> int:
    return engine._backend.prompts.tokens_read


def test_reuse_is_whole_for_the_same_prompt_and_block_aligned_otherwise():
    prompt = list(range(150))
    assert reusable(tuple(prompt), prompt) == 150
    assert reusable(tuple(prompt[:100]), prompt) == BLOCK  # grew at the end: up to a block start
    assert reusable(tuple(prompt + [7, 8]), prompt) == 2 * BLOCK  # shrank: never the last token
    changed = prompt[:70] + [999] + prompt[71:]
    assert reusable(tuple(prompt), changed) == BLOCK  # nothing at or after the change
    assert reusable(tuple(prompt), [1, *prompt[1:]]) == 0
    assert reusable((), prompt) == 0


def test_remembered_states_stay_within_the_budget():
    states: PromptStates[str] = PromptStates(budget=100)
    states.keep([1, 2, 3], "a", 40)
    states.keep([4, 5, 6], "b", 40)
    assert states.best([1, 2, 3])[0].state == "a"  # now the most recently used
    states.keep([7, 8, 9], "c", 40)  # over budget: the least recently used goes
    assert len(states) == 2 and states.size == 80
    assert states.best([4, 5, 6]) == (None, 0)
    states.keep([1, 1], "huge", 101)  # bigger than the whole budget: not kept
    assert states.best([1, 1]) == (None, 0) and states.size == 80


def test_reroll_reads_nothing_again_and_samples_the_same(torch_engine):
    first = texts(torch_engine, STORY)
    read = tokens_read(torch_engine)
    assert texts(torch_engine, STORY) == first
    assert tokens_read(torch_engine) == read, "the re-roll read the prompt again"
    torch_engine._backend.prompts.states.clear()
    assert texts(torch_engine, STORY) == first, "a cold read gives other text"


def test_grown_context_reads_only_from_its_last_block(torch_engine):
    count = torch_engine.count_tokens
    texts(torch_engine, STORY)
    grown = STORY + "and the giant lifted her arm toward the sodium lights."
    before = tokens_read(torch_engine)
    warm = texts(torch_engine, grown, seed=9)
    assert count(STORY) > BLOCK
    assert tokens_read(torch_engine) - before == count(grown) - count(STORY) // BLOCK * BLOCK
    torch_engine._backend.prompts.states.clear()
    assert texts(torch_engine, grown, seed=9) == warm


def test_changed_context_never_reuses_stale_state(torch_engine):
    changed = STORY.replace("seven seats", "nine chairs")
    texts(torch_engine, STORY)
    before = tokens_read(torch_engine)
    warm = texts(torch_engine, changed, seed=3)
    first_difference = next(
        i
        for i, (a, b) in enumerate(
            zip(*(torch_engine.tokenizer().encode(t) for t in (STORY, changed)), strict=False)
        )
        if a != b
    )
    assert (
        tokens_read(torch_engine) - before
        == torch_engine.count_tokens(changed) - first_difference // BLOCK * BLOCK
    )
    torch_engine._backend.prompts.states.clear()
    assert texts(torch_engine, changed, seed=3) == warm


def test_one_prompt_read_serves_every_candidate(torch_engine):
    before = tokens_read(torch_engine)
    texts(torch_engine, OTHER, candidates=4)
    assert tokens_read(torch_engine) - before == torch_engine.count_tokens(OTHER)


def test_tokens_copied_back_in_groups_give_the_same_candidates(torch_engine):
    one_by_one = torch_engine.generate(STORY, settings(max_new_tokens=13, stop="sentence"))
    torch_engine._backend.tokens_per_sync = 5  # as on an accelerator: 13 = 5 + 5 + 3 steps
    grouped = torch_engine.generate(STORY, settings(max_new_tokens=13, stop="sentence"))
    assert [(r.text, r.tokens) for r in grouped] == [(r.text, r.tokens) for r in one_by_one]
    assert all(r.tokens <= 13 for r in grouped)


def paused(engine, context: str) -> list[str]:
    """Texts for `context`, once the Generator waiting for this call has read the last prompt."""
    time.sleep(READ_AHEAD_DELAY + 0.1)
    engine._backend._next.result()
    return texts(engine, context)


def test_ctranslate2_reroll_and_changed_context_match_a_cold_read(tiny_ct2_engine):
    changed = STORY.replace("seven seats", "nine chairs")
    texts(tiny_ct2_engine, OTHER)
    cold = paused(tiny_ct2_engine, STORY)  # the waiting Generator read OTHER: STORY is read afresh
    assert paused(tiny_ct2_engine, STORY) == cold  # read ahead in the background, same text
    assert texts(tiny_ct2_engine, STORY) == cold  # re-rolled at once: no read ahead, same text
    after_story = paused(tiny_ct2_engine, changed)  # STORY's state waits; it must not be used
    texts(tiny_ct2_engine, OTHER)
    assert paused(tiny_ct2_engine, changed) == after_story
