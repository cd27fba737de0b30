"""The remote text engine against a real llama-cpp-python server: streaming, K candidates
with their own seeds, the context budget, provenance, cancel, and a server that changes."""

from __future__ import annotations

import time

import pytest

from worldforge.conductor.expand import context_for, expand, provenance_from
from worldforge.engines.cancel import Cancelled, CancelToken
from worldforge.engines.text.protocol import PartialGeneration, TextSettings
from worldforge.engines.text.remote.engine import RemoteTextEngine
from worldforge.engines.text.remote.tokens import local_counter

from .conftest import ALIAS

pytestmark = pytest.mark.usefixtures("no_api_key")


def settings(**values) -> TextSettings:
    return TextSettings(**({"max_new_tokens": 16, "stop": "tokens", "seed": 11, "candidates": 3} | values))


def test_candidates_stream_and_each_has_its_own_seed(llama_server, story):
    engine = RemoteTextEngine(llama_server.url)
    pieces: dict[int, str] = {}

    def on_token(index: int, piece: str) -> None:
        pieces[index] = pieces.get(index, "") + piece

    expansion = expand(story, "start", engine, settings(), on_token=on_token)
    results = expansion.results
    assert [r.seed for r in results] == [11, 12, 13]
    # what streamed is exactly each candidate (stop rule "tokens": nothing trimmed)
    assert {r.index: r.text for r in results} == pieces
    # this server reports no usage when streaming: one token per streamed piece (a piece may
    # hold two tokens that together make one character)
    assert all(12 <= r.tokens <= 16 and r.record.stop_reason == "max tokens" for r in results)
    assert len({r.text for r in results}) == 3
    # llama-cpp-python answers n: 2 with one choice: detected, so K requests were sent
    assert engine._honours_n is False
    record = story.scene("start").provenance[0]
    assert (record.engine, record.model, record.server) == ("openai-completions", ALIAS, llama_server.url)
    assert record.settings["n"] == 1 and record.settings["temperature"] == 0.9
    # a remote model's size is not told by this server: no FLOP or energy estimate
    assert record.flops is None and record.energy_wh is None and record.device == "remote"


def test_one_candidate_rerun_alone_with_its_seed_gives_the_same_text(llama_server):
    engine = RemoteTextEngine(llama_server.url)
    batch = engine.generate("The harbour woke", settings())
    alone = engine.generate("The harbour woke", settings(seed=batch[2].seed, candidates=1))
    assert alone[0].text == batch[2].text and alone[0].seed == 13


def test_context_is_counted_by_the_servers_tokenizer(llama_server, story, served_files):
    engine = RemoteTextEngine(llama_server.url, window=256)
    report = context_for(story, "left-hall", engine, settings(max_new_tokens=40))
    gpt2 = local_counter(served_files[0])
    assert report.tokens == engine.count_tokens(report.context) == gpt2(report.context)
    assert report.window == 256
    assert report.notes[-1] == (
        "tokens counted with the server's tokenizer (/extras/tokenize); "
        "window 256 (models.text_window of the story)"
    )


def test_a_context_that_fills_the_servers_window_exactly_is_accepted(llama_server, story):
    """The server's count is exact: context + new tokens = its window, and it serves it."""
    engine = RemoteTextEngine(llama_server.url, window=llama_server.n_ctx)
    story.scene("start").text = "The furnace sang of iron and of salt. " * 200
    report = context_for(story, "start", engine, settings(max_new_tokens=32))
    assert report.budget - 8 <= report.tokens <= report.budget
    results = engine.generate(report.context, settings(max_new_tokens=32, candidates=1))
    assert results[0].record.prompt_tokens == report.tokens


def test_local_count_keeps_a_stated_margin(llama_server, story, served_files):
    engine = RemoteTextEngine(
        llama_server.url, window=llama_server.n_ctx, local_tokenizer=served_files[0], server_tokenizer=False
    )
    assert engine.context_window == llama_server.n_ctx - llama_server.n_ctx // 10
    report = context_for(story, "start", engine, settings())
    assert "GPT-2's BPE on this machine, 10% of the window kept free" in report.notes[-1]
    bytes_engine = RemoteTextEngine(llama_server.url, server_tokenizer=False)
    assert bytes_engine.count_tokens("héllo") == 6
    assert "UTF-8 bytes" in bytes_engine.counting


def test_cancel_closes_the_streams_at_once(llama_server):
    engine = RemoteTextEngine(llama_server.url)
    cancel = CancelToken()
    fired: list[float] = []

    def on_token(index: int, piece: str) -> None:
        if not fired:
            fired.append(time.perf_counter())
            cancel.cancel()

    with pytest.raises(Cancelled):
        engine.generate("The harbour woke", settings(max_new_tokens=400), on_token=on_token, cancel=cancel)
    assert time.perf_counter() - fired[0] < 0.5
    # the server is fine and answers the next call in full
    assert engine.generate("The harbour woke", settings(candidates=1))[0].record.stop_reason == "max tokens"


def test_a_server_that_changes_model_between_calls_is_reported(own_server, tmp_path):
    own_server.start()
    engine = RemoteTextEngine(own_server.url)
    engine.generate("The harbour woke", settings(candidates=1))
    own_server.stop()
    own_server.alias = "another-model"
    own_server.start()
    with pytest.raises(Exception, match="now serves 'another-model', not 'tiny-gpt2'") as caught:
        engine.generate("The harbour woke", settings(candidates=1))
    assert "nothing was generated" in str(caught.value)
    again = engine.generate("The harbour woke", settings(candidates=1))
    assert again[0].record.model == "another-model"


def test_killing_the_server_mid_stream_keeps_what_arrived(own_server, story):
    from worldforge.conductor.expand import ExpansionInterrupted

    own_server.start()
    engine = RemoteTextEngine(own_server.url)
    streamed: dict[int, str] = {}

    def on_token(index: int, piece: str) -> None:
        streamed[index] = streamed.get(index, "") + piece
        if sum(len(t) for t in streamed.values()) > 30:
            own_server.kill()

    with pytest.raises(ExpansionInterrupted) as caught:
        expand(story, "start", engine, settings(max_new_tokens=400, candidates=2), on_token=on_token)
    message = str(caught.value)
    assert "stopped answering half-way" in message or "ended the stream" in message
    scene = story.scene("start")
    assert scene.candidates and all(c.partial for c in scene.candidates)
    assert {i: c.text for i, c in enumerate(scene.candidates)} == {
        i: streamed[r.index] for i, r in enumerate(caught.value.expansion.results)
    }
    records = {p.id: p for p in scene.provenance}
    assert all(records[c.provenance].seed is not None for c in scene.candidates)
    assert provenance_from(caught.value.expansion.results[0]).server == own_server.url


def test_a_window_the_server_did_not_tell_and_that_is_too_big_is_explained(llama_server, story):
    """llama-cpp-python says nothing of its window and refuses a longer request inside the stream."""
    engine = RemoteTextEngine(llama_server.url)  # assumes 1024; this server has 512
    story.scene("start").text = "The furnace sang of iron and of salt. " * 200
    report = context_for(story, "start", engine, settings(max_new_tokens=32))
    assert report.tokens > llama_server.n_ctx
    with pytest.raises(Exception, match="closed the stream without sending any text") as caught:
        engine.generate(report.context, settings(max_new_tokens=32))
    assert "set models.text_window in story.yaml" in str(caught.value)


def test_a_generate_call_killed_mid_stream_returns_what_arrived_even_uncounted(own_server):
    """The prompt is counted before streaming: a dead server cannot count it afterwards."""
    own_server.start()
    engine = RemoteTextEngine(own_server.url)
    arrived: list[str] = []

    def on_token(index: int, piece: str) -> None:
        arrived.append(piece)
        if len(arrived) == 5:
            own_server.kill()

    with pytest.raises(PartialGeneration) as caught:
        engine.generate(
            "A prompt nobody counted before.", settings(max_new_tokens=400, candidates=1), on_token
        )
    (result,) = caught.value.results
    assert result.partial and result.text == "".join(arrived) and result.record.prompt_tokens == 6
