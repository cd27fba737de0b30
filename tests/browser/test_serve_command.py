"""`worldforge serve` as a command: what it asks textual-serve to run, and where it listens."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from worldforge.cli import cli


class RecordingServer:
    """Stands in for textual_serve.server.Server: records what it was given, serves nothing."""

    made: list[dict] = []

    def __init__(self, command: str, **kwargs) -> None:
        RecordingServer.made.append({"command": command, **kwargs})

    def serve(self) -> None:
        pass


@pytest.fixture
def server(monkeypatch) -> list[dict]:
    import textual_serve.server

    RecordingServer.made = []
    monkeypatch.setattr(textual_serve.server, "Server", RecordingServer)
    return RecordingServer.made


def run(*args: str):
    return CliRunner().invoke(cli, ["serve", *args], catch_exceptions=False)


def test_loopback_by_default_and_the_studio_command_quoted(server, story_dir: Path, tmp_path: Path):
    hostile = tmp_path / "a story; touch pwned $(id) `id`"
    story_dir.rename(hostile)
    result = run(str(hostile), "--engine", "tiny")
    assert result.exit_code == 0, result.output
    [made] = server
    assert (made["host"], made["port"], made["public_url"]) == ("127.0.0.1", 8000, "http://127.0.0.1:8000")
    assert shlex.split(made["command"]) == [
        sys.executable,
        "-m",
        "worldforge",
        "open",
        str(hostile.resolve()),
        "--engine",
        "tiny",
    ]
    assert "warning" not in result.output


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_no_warning_on_loopback(server, story_dir: Path, host: str):
    result = run(str(story_dir), "--host", host, "--port", "8123")
    assert result.exit_code == 0 and "warning" not in result.output
    assert server[0]["host"] == host and server[0]["port"] == 8123


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.7", "studio.example", "::"])
def test_another_interface_is_served_only_with_a_warning(server, story_dir: Path, host: str):
    result = CliRunner().invoke(cli, ["serve", str(story_dir), "--host", host], catch_exceptions=False)
    assert result.exit_code == 0
    assert "anyone who can reach this port can read and edit the story" in result.stderr
    assert "no login" in result.stderr and "ssh -L 8000:127.0.0.1:8000" in result.stderr
    assert server[0]["host"] == host
    assert "0.0.0.0" not in server[0]["public_url"]  # browsers are told a name they can reach


def test_public_url_for_a_proxy_or_a_tunnel_on_another_port(server, story_dir: Path):
    assert run(str(story_dir), "--public-url", "http://localhost:9000").exit_code == 0
    assert server[0]["public_url"] == "http://localhost:9000"


def test_a_folder_that_is_not_a_story_is_refused(server, tmp_path: Path):
    result = run(str(tmp_path))
    assert result.exit_code == 2 and "not a story folder" in result.output
    assert server == []


def test_without_textual_serve_it_says_what_to_install(monkeypatch, story_dir: Path):
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    result = run(str(story_dir))
    assert result.exit_code == 2 and "pip install 'worldforge[serve]'" in result.output
