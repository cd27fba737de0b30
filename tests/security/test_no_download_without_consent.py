"""A story names its models; opening it must not make this machine download one. Commands
refuse (naming the model, who asked, and the two ways to agree); the studio asks first."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import huggingface_hub
import pytest
from click.testing import CliRunner
from textual_image.widget import HalfcellImage

from worldforge.cli import cli
from worldforge.conductor import choose_image_engine, choose_text_engine
from worldforge.conductor.session import Session
from worldforge.engines.errors import ModelUnavailable
from worldforge.engines.revision import folder_revision
from worldforge.prompting.presets import load_presets
from worldforge.store import StoryFolder
from worldforge.tui.app import make_app
from worldforge.tui.screens.dialogs import ConfirmScreen

from ..fakes import FakeImageEngine, FakeTextEngine
from ..tui_support import Notes, finish

WANTED_TEXT = "stranger/huge-text-model"
WANTED_IMAGE = "stranger/huge-image-model"


@pytest.fixture
def downloads(monkeypatch) -> list[str]:
    """Every hub download asked for (a cache lookup is not one); the network is never reached."""
    asked: list[str] = []
    real = huggingface_hub.snapshot_download

    def snapshot_download(repo_id, *args, local_files_only=False, **kwargs):
        if local_files_only:
            return real(repo_id, *args, local_files_only=True, **kwargs)
        asked.append(repo_id)
        raise ConnectionError("no network in this test")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot_download)
    return asked


@pytest.fixture
def shared_story(story_dir: Path) -> Path:
    """A story from someone else, naming hub models this machine does not have."""
    folder = StoryFolder.open(story_dir)
    folder.story.meta.models.text = WANTED_TEXT
    folder.story.meta.models.image = WANTED_IMAGE
    folder.save()
    return story_dir


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_choosing_the_story_model_asks_instead_of_downloading(shared_story, downloads):
    story = StoryFolder.open(shared_story).story
    text = choose_text_engine(story)
    assert text.download == WANTED_TEXT and "story.yaml" in text.reason
    with pytest.raises(ModelUnavailable, match="--allow-download"):
        text.engine.load()
    image = choose_image_engine(story)
    assert image.download == WANTED_IMAGE
    with pytest.raises(ModelUnavailable):
        image.engine.load()
    assert downloads == []
    assert choose_text_engine(story, allow_download=True).download is None


@pytest.mark.parametrize(
    ("command", "wanted"),
    [
        (("expand", "start"), WANTED_TEXT),
        (("context", "start"), WANTED_TEXT),
        (("render", "start"), WANTED_IMAGE),
    ],
)
def test_commands_refuse_to_download_a_model_the_story_names(shared_story, downloads, command, wanted):
    before = (shared_story / "story.yaml").read_bytes()
    result = run(command[0], str(shared_story), *command[1:])
    assert result.exit_code == 2, result.output
    assert wanted in result.output
    assert "models.text" in result.output or "models.image" in result.output
    assert "worldforge models pull" in result.output and "--allow-download" in result.output
    assert "Traceback" not in result.output
    assert downloads == []
    assert (shared_story / "story.yaml").read_bytes() == before


def test_allow_download_is_the_users_consent(shared_story, downloads):
    result = run("expand", str(shared_story), "start", "--allow-download")
    assert downloads == [WANTED_TEXT]  # it tried, as agreed; offline it says so, no traceback
    assert result.exit_code == 2 and "cannot download" in result.output


def test_a_model_named_on_the_command_line_needs_consent_too(story_dir, downloads):
    result = run("expand", str(story_dir), "start", "--engine", WANTED_TEXT)
    assert result.exit_code == 2 and f"{WANTED_TEXT} was asked for" in result.output
    assert downloads == []


async def _studio_asks(story_dir: Path, answer: str) -> tuple[FakeTextEngine, Notes]:
    text = FakeTextEngine(missing=WANTED_TEXT)
    app, notes = (
        make_app(Session.open(story_dir), text, FakeImageEngine(), image_widget=HalfcellImage),
        Notes(),
    )
    async with app.run_test(size=(100, 30), message_hook=notes) as pilot:
        await finish(pilot, app)
        assert isinstance(app.screen, ConfirmScreen)
        assert WANTED_TEXT in app.screen.question
        assert not text.loaded  # nothing fetched before the answer
        await pilot.click(answer)
        await finish(pilot, app)
        await pilot.press("ctrl+q")
    return text, notes


@pytest.mark.asyncio
async def test_the_studio_downloads_only_after_the_writer_agrees(story_dir):
    text, _ = await _studio_asks(story_dir, "#yes")
    assert text.downloaded and text.loaded


@pytest.mark.asyncio
async def test_the_studio_keeps_working_when_the_writer_declines(story_dir):
    text, notes = await _studio_asks(story_dir, "#no")
    assert not text.downloaded and not text.loaded
    assert notes.any(WANTED_TEXT)  # the failure names the model it would have needed


def test_a_stray_safetensors_file_is_not_the_models_revision(tiny_text_model, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(tiny_text_model, folder)
    engine = choose_text_engine(None, str(folder)).engine
    engine.files()
    before = engine.revision
    (folder / "notes.safetensors").write_bytes(b"\x02\x00\x00\x00\x00\x00\x00\x00{}")
    again = choose_text_engine(None, str(folder)).engine
    again.files()
    assert again.revision == before
    assert folder_revision(folder) != before  # the generic hash would have changed


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_among_user_presets_is_reported_not_read(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "huge.yaml").write_bytes(b"a" * (70 * 1024))
    catalog = load_presets(tmp_path)
    problems = "\n".join(catalog.problems)
    assert "pipe.yaml" in problems and "not a regular file" in problems
    assert "huge.yaml" in problems and "limit" in problems
    assert catalog.presets  # the built-ins still load
