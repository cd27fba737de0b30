"""How the remote engine fails: each fault a clear message (no secrets, no traceback text),
nothing re-sampled. Replies no real server sends come from a tiny local HTTP server."""

from __future__ import annotations

import threading
import time
from http.server import ThreadingHTTPServer

import pytest

from worldforge.engines.errors import EngineError
from worldforge.engines.text.protocol import PartialGeneration, TextSettings
from worldforge.engines.text.remote.engine import RemoteTextEngine

from .fake import _Handler, chunk, fake_server, models, silent, sse
from .llama import free_port

pytestmark = pytest.mark.usefixtures("no_api_key")

ONE = TextSettings(max_new_tokens=8, candidates=1, seed=1, stop="tokens")


def stream_reply(*parts: bytes | None):
    return lambda body: (200, "text/event-stream", list(parts))


def test_a_dead_port_says_the_server_cannot_be_reached():
    engine = RemoteTextEngine(f"http://127.0.0.1:{free_port()}/v1")
    with pytest.raises(EngineError, match=r"cannot reach the model server at http://127\.0\.0\.1:\d+/v1 "):
        engine.load()


def test_connect_errors_are_retried_with_backoff_but_nothing_else_is():
    port = free_port()
    handler = type("Handler", (_Handler,), {"replies": {"GET /v1/models": models}, "seen": []})

    def late_server() -> None:
        time.sleep(0.2)  # up after the first try, before the retry half a second later
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()

    threading.Thread(target=late_server).start()
    engine = RemoteTextEngine(f"http://127.0.0.1:{port}/v1")
    engine.load()
    assert engine.model_id == "fake-model"

    failing = {
        "GET /v1/models": models,
        "POST /v1/completions": lambda body: (
            500,
            "application/json",
            [b'{"error": {"message": "out of memory"}}'],
        ),
    }
    with fake_server(failing) as (url, seen):
        engine = RemoteTextEngine(url, server_tokenizer=False)
        with pytest.raises(EngineError, match=r"answered HTTP 500: out of memory"):
            engine.generate("x", ONE)
        assert seen.count("POST /v1/completions") == 1  # a request that reached the server: never again


@pytest.mark.parametrize(
    ("replies", "message"),
    [
        (
            {"GET /v1/models": lambda body: (200, "text/html", [b"<html>welcome</html>"])},
            "a reply that is not JSON",
        ),
        ({"GET /v1/models": lambda body: (200, "application/json", [b'{"models": []}'])}, "no model list"),
        (
            {"GET /v1/models": lambda body: (404, "text/plain", [b"Not Found"])},
            "answered HTTP 404: Not Found",
        ),
    ],
)
def test_a_server_that_is_not_a_completion_server(replies, message):
    with fake_server(replies) as (url, _), pytest.raises(EngineError, match=message):
        RemoteTextEngine(url).load()


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (sse("{not json"), "an event that is not JSON"),
        (sse('{"choices": "none"}'), "a chunk without choices"),
        (
            sse(chunk("a"), '{"choices": [{"text": "b", "index": 7}]}'),
            "a choice that belongs to no candidate",
        ),
    ],
)
def test_malformed_events_are_reported_and_what_came_before_is_kept(parts, message):
    replies = {"GET /v1/models": models, "POST /v1/completions": stream_reply(*parts)}
    with fake_server(replies) as (url, _):
        engine = RemoteTextEngine(url, server_tokenizer=False)
        with pytest.raises(PartialGeneration, match=message) as caught:
            engine.generate("x", ONE)
    assert all(r.partial for r in caught.value.results)


def test_a_stream_that_breaks_off_keeps_what_arrived_as_partial():
    broken = stream_reply(*sse(chunk("The"), chunk(" harbour")), None)
    with fake_server({"GET /v1/models": models, "POST /v1/completions": broken}) as (url, _):
        engine = RemoteTextEngine(url, server_tokenizer=False)
        with pytest.raises(PartialGeneration) as caught:
            engine.generate("x", ONE)
    (result,) = caught.value.results
    assert (result.text, result.partial, result.record.stop_reason) == (
        "The harbour",
        True,
        "stream broke off",
    )


def test_a_finished_stream_without_done_is_whole():
    whole = stream_reply(*sse(chunk("The"), chunk(" end.", "stop")))
    with fake_server({"GET /v1/models": models, "POST /v1/completions": whole}) as (url, _):
        (result,) = RemoteTextEngine(url, server_tokenizer=False).generate("x", ONE)
    assert (result.text, result.partial, result.record.stop_reason) == ("The end.", False, "end of text")


def test_a_silent_server_times_out_with_the_limit_named():
    with fake_server({"GET /v1/models": silent(2.0)}) as (url, _):
        engine = RemoteTextEngine(url, timeout=0.3)
        started = time.monotonic()
        with pytest.raises(EngineError, match=r"sent nothing for 0\.3 s \(raise the limit with --timeout\)"):
            engine.load()
    assert time.monotonic() - started < 1.5


def test_a_server_that_honours_n_gets_one_request_for_all_candidates():
    two = b'{"choices": [{"text": "a", "index": 0}, {"text": "b", "index": 1}]}'
    both = sse(chunk("A", "length"), '{"choices": [{"text": "B", "index": 1, "finish_reason": "length"}]}')

    def completions(body: dict):
        return (200, "text/event-stream", both) if body["stream"] else (200, "application/json", [two])

    replies = {"GET /v1/models": models, "POST /v1/completions": completions}
    with fake_server(replies) as (url, seen):
        engine = RemoteTextEngine(url, server_tokenizer=False)
        results = engine.generate("x", TextSettings(max_new_tokens=1, candidates=2, seed=5, stop="tokens"))
    assert [r.text for r in results] == ["A", "B"]
    assert [r.seed for r in results] == [5, 5] and results[0].record.settings["n"] == 2
    assert seen.count("POST /v1/completions") == 2  # the n probe, then one request for both


def test_the_remote_engine_satisfies_the_text_engine_protocol(llama_server):
    from tests.test_engine_protocols import missing_or_different
    from worldforge.engines.text.protocol import TextEngine

    RemoteTextEngine(f"http://127.0.0.1:{free_port()}/v1")  # building one asks no server
    engine = RemoteTextEngine(llama_server.url)
    assert isinstance(engine, TextEngine)
    assert missing_or_different(engine, TextEngine) == []


@pytest.mark.parametrize(
    ("url", "public"),
    [
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/v1"),
        ("https://user:pw@models.example:443/base/v1/?key=1", "https://models.example:443/base/v1"),
        ("http://[::1]:8080", "http://[::1]:8080/v1"),
    ],
)
def test_the_public_url_has_no_credentials_and_ends_in_v1(url, public):
    assert RemoteTextEngine(url).server == public


def test_a_url_that_is_not_a_server_is_refused():
    with pytest.raises(EngineError, match="is not an http"):
        RemoteTextEngine("ftp://user:pw@host/v1")


def test_a_url_as_engine_or_in_the_story_chooses_the_server(story):
    from worldforge.conductor.engines import choose_text_engine

    url = f"http://writer:pw@127.0.0.1:{free_port()}/v1"
    asked = choose_text_engine(story, url, timeout=5)
    assert isinstance(asked.engine, RemoteTextEngine) and asked.origin == "asked"
    assert asked.engine.client.timeout == 5 and "pw" not in asked.reason
    story.meta.models.text = url
    story.meta.models.text_window = 2048
    remembered = choose_text_engine(story)
    assert isinstance(remembered.engine, RemoteTextEngine) and remembered.origin == "story"
    assert remembered.engine.fallback_window == 2048 and remembered.warning is None
