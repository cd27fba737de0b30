"""The remote engine from the command line and the studio, against the real server: `expand
--engine URL` streams and saves, a story's models.text remembers its server, failures exit 2
without a traceback and lose nothing, and the API key is written nowhere."""

from __future__ import annotations

import logging

import pytest
from click.testing import CliRunner

from tests.support import story_files
from worldforge.cli import cli
from worldforge.store import StoryFolder

from .fake import chunk, fake_server, models, sse
from .llama import free_port

SECRET = "sk-worldforge-test-4f1c9e"


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def expand_args(story_dir, url: str, *more: str) -> list[str]:
    return [
        "expand",
        story_dir,
        "start",
        "--engine",
        url,
        "-n",
        "2",
        "--seed",
        "3",
        "--max-tokens",
        "12",
        *more,
    ]


@pytest.mark.usefixtures("no_api_key")
def test_expand_through_the_server_keeps_candidates_with_their_seeds(llama_server, story_dir):
    result = run(*expand_args(story_dir, llama_server.url))
    assert result.exit_code == 0, result.output
    assert "candidate 1 · seed 4" in result.output and "tiny-gpt2" in result.output
    scene = StoryFolder.open(story_dir).story.scene("start")
    assert [p.seed for p in scene.provenance] == [3, 4]
    assert {(p.engine, p.model, p.server) for p in scene.provenance} == {
        ("openai-completions", "tiny-gpt2", llama_server.url)
    }


@pytest.mark.usefixtures("no_api_key")
def test_the_story_remembers_its_server(llama_server, story_dir):
    folder = StoryFolder.open(story_dir)
    folder.story.meta.models.text = llama_server.url
    folder.story.meta.models.text_window = 512
    folder.save()
    result = run("context", story_dir, "start", "--no-show")
    assert result.exit_code == 0, result.output
    assert "note: tokens counted with the server's tokenizer (/extras/tokenize); window 512" in result.output


@pytest.mark.usefixtures("no_api_key")
def test_a_dead_port_exits_2_and_changes_nothing(story_dir):
    before = story_files(story_dir)
    result = run(*expand_args(story_dir, f"http://127.0.0.1:{free_port()}/v1"))
    assert result.exit_code == 2
    assert "error: cannot reach the model server at http://127.0.0.1:" in result.stderr
    assert "Traceback" not in result.output
    assert story_files(story_dir) == before


@pytest.mark.usefixtures("no_api_key")
def test_a_stream_that_breaks_off_exits_2_and_keeps_the_partial_candidate(story_dir):
    broken = {
        "GET /v1/models": models,
        "POST /v1/completions": lambda body: (
            200,
            "text/event-stream",
            [*sse(chunk("The"), chunk(" harbour")), None],
        ),
    }
    with fake_server(broken) as (url, _):
        result = run(*expand_args(story_dir, url, "--stop", "tokens"))
    assert result.exit_code == 2, result.output
    assert "ended the stream before the text was finished" in result.stderr
    assert "kept 2 candidates on 'start', 2 of them partial" in result.stderr
    assert "partial: the stream broke off" in result.output
    scene = StoryFolder.open(story_dir).story.scene("start")
    assert [(c.text, c.partial, c.status) for c in scene.candidates] == [("The harbour", True, "pending")] * 2
    records = {p.id: p for p in scene.provenance}
    assert [records[c.provenance].seed for c in scene.candidates] == [3, 4]


def test_the_api_key_is_sent_and_written_nowhere(served_files, tmp_path, story_dir, monkeypatch, caplog):
    from .conftest import ALIAS
    from .llama import LlamaServer

    server = LlamaServer(served_files[1], ALIAS, tmp_path / "server.log", n_ctx=512).start(
        "--api_key", SECRET
    )
    caplog.set_level(logging.DEBUG)
    try:
        monkeypatch.delenv("WORLDFORGE_API_KEY", raising=False)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong")
        refused = run(*expand_args(story_dir, server.url))
        assert refused.exit_code == 2
        assert "answered HTTP 401" in refused.stderr and "WORLDFORGE_API_KEY" in refused.stderr
        assert "sk-wrong" not in refused.output

        monkeypatch.setenv("WORLDFORGE_API_KEY", SECRET)  # wins over OPENAI_API_KEY
        # credentials in a URL go as HTTP basic auth (a server behind a proxy), in place of the key
        basic = run(*expand_args(story_dir, server.url.replace("http://", "http://writer:pw-4f1c9e@")))
        assert basic.exit_code == 2 and "answered HTTP 401" in basic.stderr
        assert "pw-4f1c9e" not in basic.output and "writer" not in basic.output
        result = run(*expand_args(story_dir, server.url))
        assert result.exit_code == 0, result.output
        server.stop()
        failed = run(*expand_args(story_dir, server.url))
        assert failed.exit_code == 2 and "cannot reach" in failed.stderr
    finally:
        server.stop()
    written = b"".join(story_files(story_dir).values())
    assert b"sk-worldforge" not in written and server.url.encode() in written
    for text in (result.output, failed.output, caplog.text):
        assert SECRET not in text


@pytest.mark.usefixtures("no_api_key")
def test_ctrl_c_closes_the_stream_at_once_and_keeps_nothing(llama_server, story_dir):
    import signal
    import subprocess
    import sys
    import time

    before, logged = story_files(story_dir), len(llama_server.log.read_text())
    args = expand_args(story_dir, llama_server.url, "--stop", "tokens")
    args[args.index("-n") + 1], args[args.index("--max-tokens") + 1] = "1", "400"
    command = [sys.executable, "-m", "worldforge", *map(str, args)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.read(40)  # text is streaming
    interrupted = time.monotonic()
    process.send_signal(signal.SIGINT)
    process.wait(10)
    assert time.monotonic() - interrupted < 2.0
    assert process.returncode != 0 and b"Traceback" not in process.stderr.read()
    assert story_files(story_dir) == before
    time.sleep(0.5)  # the server notices at its next token
    assert "Disconnected from client" in llama_server.log.read_text()[logged:]
