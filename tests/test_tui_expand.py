"""Expanding in the studio: streaming candidates, accept, branch, cancel, a UI that never blocks."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from worldforge.store import StoryFolder
from worldforge.tui.messages import CandidateProgress
from worldforge.tui.screens.dialogs import PickSceneScreen
from worldforge.tui.screens.edit_candidate import EditCandidateScreen
from worldforge.tui.widgets.candidates import CandidateCard, CandidatesPanel
from worldforge.tui.widgets.scene_editor import SceneEditor

from .fakes import FakeTextEngine
from .tui_support import Notes, finish, studio


async def ready(pilot, app) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause(0.1)


@pytest.mark.asyncio
async def test_expand_streams_candidates_then_accept_and_branch(story_dir: Path):
    seen: list[CandidateProgress] = []
    app = studio(story_dir, FakeTextEngine(delay=0.005))

    def hook(message):
        if isinstance(message, CandidateProgress):
            seen.append(message)

    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await ready(pilot, app)
        await pilot.press("ctrl+g")
        await finish(pilot, app)
        story = StoryFolder.open(story_dir).story
        scene = story.scene("start")
        assert [c.status for c in scene.candidates] == ["pending"] * 4
        assert len(scene.provenance) == 4 and scene.provenance[0].model == "fake/echo"
        assert set(seen[-1].texts) == {0, 1, 2, 3}
        assert len(app.query(CandidateCard)) == 4

        app.query_one(CandidatesPanel).focus()
        await pilot.press("2", "a")
        await finish(pilot, app)
        scene = StoryFolder.open(story_dir).story.scene("start")
        accepted = scene.candidates[1].text
        assert scene.text.endswith(accepted.strip())
        assert scene.model_spans and scene.text[scene.model_spans[-1][0] :].strip() == accepted.strip()
        assert [c.status for c in scene.candidates] == ["rejected", "accepted", "rejected", "rejected"]

        await pilot.press("3", "v", "b")
        await finish(pilot, app)
        story = StoryFolder.open(story_dir).story
        child_ids = [link.to for link in story.scene("start").links]
        assert len(child_ids) == 3
        child = story.scene(child_ids[-1])
        assert child.text == scene.candidates[2].text.strip()
        assert child.model_spans == [(0, len(child.text))]


@pytest.mark.asyncio
async def test_escape_cancels_and_keeps_nothing(story_dir: Path):
    app, notes = studio(story_dir, FakeTextEngine(delay=0.05, words=200)), Notes()
    async with app.run_test(size=(100, 30), message_hook=notes) as pilot:
        await ready(pilot, app)
        await pilot.press("ctrl+g")
        await pilot.pause(0.3)
        assert app.studio.models.busy == "expanding"
        app.query_one(SceneEditor).text_area.focus()  # Escape reaches the studio from the editor too
        await pilot.press("escape")
        await finish(pilot, app)
        assert app.studio.models.busy is None
        assert notes.any("cancelled")
    assert StoryFolder.open(story_dir).story.scene("start").candidates == []


@pytest.mark.asyncio
async def test_ui_answers_while_a_slow_model_runs(story_dir: Path):
    engine = FakeTextEngine(delay=0.05, words=200)
    app = studio(story_dir, engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await pilot.press("ctrl+g")
        await pilot.pause(0.2)
        area = app.query_one(SceneEditor).text_area
        area.focus()
        area.move_cursor(area.document.end)
        await pilot.press(*"Still here.")
        await pilot.pause(0.2)
        assert app.studio.models.busy == "expanding"
        assert app.studio.session.story.scene("start").text.endswith("Still here.")
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, PickSceneScreen)
        await pilot.press("escape")
        await pilot.press("escape")
        await finish(pilot, app)


@pytest.mark.asyncio
async def test_edit_then_accept_marks_the_changes_as_human(story_dir: Path):
    app = studio(story_dir, FakeTextEngine())
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await pilot.press("ctrl+g")
        await finish(pilot, app)
        app.query_one(CandidatesPanel).focus()
        await pilot.press("1", "e")
        await pilot.pause()
        area = app.screen.query_one("#candidate-text")
        area.move_cursor(area.document.end)
        await pilot.press(*" HUMAN")
        await pilot.press("ctrl+s")
        await finish(pilot, app)
    scene = StoryFolder.open(story_dir).story.scene("start")
    assert scene.text.endswith(" HUMAN")
    end_of_model = max(e for _, e in scene.model_spans)
    assert end_of_model <= len(scene.text) - len(" HUMAN")


@pytest.mark.asyncio
async def test_edit_then_accept_on_a_used_candidate_is_refused_not_a_crash(story_dir: Path):
    app, notes = studio(story_dir, FakeTextEngine()), Notes()
    async with app.run_test(size=(100, 30), message_hook=notes) as pilot:
        await ready(pilot, app)
        await pilot.press("ctrl+g")
        await finish(pilot, app)
        app.query_one(CandidatesPanel).focus()
        await pilot.press("1", "a")
        await finish(pilot, app)
        text_after_accept = app.studio.scene.text
        await pilot.press("1", "e")
        await pilot.pause()
        assert not isinstance(app.screen, EditCandidateScreen)
        assert notes.any("candidate 1 is accepted")
        await pilot.press("2", "v", "b")
        await finish(pilot, app)
        await pilot.press("2", "e")
        await pilot.pause()
        assert not isinstance(app.screen, EditCandidateScreen)
        assert notes.any("candidate 2 is branched")
        assert app.is_running and app.studio.scene.text == text_after_accept


class BrokenEngine(FakeTextEngine):
    def load(self, progress=None) -> None:
        raise RuntimeError("CUDA out of memory")


@pytest.mark.asyncio
async def test_a_model_that_fails_to_load_is_a_notification_not_a_crash(story_dir: Path):
    app, notes = studio(story_dir, BrokenEngine()), Notes()
    async with app.run_test(size=(100, 30), message_hook=notes) as pilot:
        await ready(pilot, app)
        assert notes.any("out of memory")
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert app.is_running and app.studio.models.busy is None
        assert "restart with another --engine" in notes.messages[-1]


class FailingGeneration(FakeTextEngine):
    def generate(self, *args, **kwargs):
        raise MemoryError("not enough memory for 4 candidates")


@pytest.mark.asyncio
async def test_a_generation_error_is_a_notification(story_dir: Path):
    app, notes = studio(story_dir, FailingGeneration()), Notes()
    async with app.run_test(size=(100, 30), message_hook=notes) as pilot:
        await ready(pilot, app)
        await pilot.press("ctrl+g")
        await finish(pilot, app)
        assert app.is_running and app.studio.models.busy is None
        assert notes.any("expansion failed")


@pytest.mark.asyncio
async def test_streaming_stays_with_its_scene(story_dir: Path):
    app = studio(story_dir, FakeTextEngine(delay=0.03, words=200))
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await pilot.press("ctrl+g")
        await pilot.pause(0.3)
        app.studio.go_to("finale")
        await pilot.pause(0.3)
        assert len(app.query(CandidateCard)) == 0
        app.studio.go_to("start")
        await pilot.pause(0.3)
        cards = list(app.query(CandidateCard))
        assert len(cards) == 4 and "writing" in str(cards[0].render())
        await pilot.press("escape")
        await finish(pilot, app)


def test_progress_messages_coalesce_without_losing_state():
    from worldforge.tui.messages import RenderProgress

    older = CandidateProgress("start", {0: "a", 1: "b"})
    assert older.can_replace(CandidateProgress("start", {0: "a b", 1: "b"}))
    assert not older.can_replace(CandidateProgress("finale", {0: "x"}))
    with_preview = RenderProgress("start", 0, 1, 4, b"png")
    plain = RenderProgress("start", 0, 2, 4, None)
    assert not with_preview.can_replace(plain)
    assert plain.can_replace(with_preview)
    assert plain.can_replace(RenderProgress("start", 0, 3, 4, None))


@pytest.mark.asyncio
async def test_context_inspector_shows_what_the_model_reads(story_dir: Path):
    app = studio(story_dir, FakeTextEngine())
    async with app.run_test(size=(110, 36)) as pilot:
        await ready(pilot, app)
        await pilot.press("f3")
        await pilot.pause()
        assert "context for scene 'start'" in str(app.screen.query_one("#context-summary").render())
        table = app.screen.query_one("#context-table", DataTable)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert any(row[:2] == ["memory", "memory"] for row in rows)
        assert any(row[0] == "scene" and row[1] == "start" for row in rows)
        assert "The furnace woke." in str(app.screen.query_one("#context-text").render())
