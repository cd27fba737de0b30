"""The studio on a model server: candidates stream in from the real llama-cpp-python server,
and a server killed mid-stream is a notification, with what arrived kept and the studio
still working."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui_support import Notes, finish, studio
from worldforge.engines.text.remote.engine import RemoteTextEngine
from worldforge.store import StoryFolder
from worldforge.tui.messages import CandidateProgress
from worldforge.tui.widgets.candidates import CandidateCard

pytestmark = pytest.mark.usefixtures("no_api_key")


async def ready(pilot, app) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause(0.1)


@pytest.mark.asyncio
async def test_studio_streams_from_the_server_and_survives_its_death(own_server, story_dir: Path):
    own_server.start()
    engine = RemoteTextEngine(own_server.url)
    notes = Notes()
    progress: list[CandidateProgress] = []
    kill_after: list[int] = []

    def hook(message) -> None:
        notes(message)
        if isinstance(message, CandidateProgress):
            progress.append(message)
            if kill_after and len(progress) > kill_after[0]:
                own_server.kill()

    app = studio(story_dir, engine)
    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await ready(pilot, app)
        await pilot.press("ctrl+g")
        await finish(pilot, app)
        scene = StoryFolder.open(story_dir).story.scene("start")
        assert len(scene.candidates) == 4 and not any(c.partial for c in scene.candidates)
        assert {p.server for p in scene.provenance} == {own_server.url}
        assert len(progress) > 4 and set(progress[-1].texts) == {0, 1, 2, 3}
        assert len(app.query(CandidateCard)) == 4

        # the server dies while candidates stream: a notification, not a crash
        progress.clear()
        kill_after.append(10)
        app.studio.session.story.meta.text_settings.max_new_tokens = 400
        await pilot.press("ctrl+g")
        await finish(pilot, app)
        assert notes.any("expansion failed: the model server at")
        assert app.studio.models.busy is None
        scene = StoryFolder.open(story_dir).story.scene("start")
        assert any(c.partial for c in scene.candidates[4:])

        # and the studio still works: the next expand is a clear failure, not a hang
        await pilot.press("ctrl+g")
        await finish(pilot, app)
        assert notes.any("cannot reach the model server")


@pytest.mark.asyncio
async def test_the_context_inspector_says_how_the_server_counts(llama_server, story_dir: Path):
    from textual.widgets import Label

    app = studio(story_dir, RemoteTextEngine(llama_server.url, window=512))
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await pilot.press("f3")
        await pilot.pause(0.2)
        notes = [str(label.render()) for label in app.screen.query(Label).filter(".context-note")]
        assert notes == [
            "note: tokens counted with the server's tokenizer (/extras/tokenize); "
            "window 512 (models.text_window of the story)"
        ]
