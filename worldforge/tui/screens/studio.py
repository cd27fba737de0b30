"""The studio screen: story map, scene editor, candidates, picture, status — and its keys.

Story edits go through `Session.change` (undoable) and are autosaved after a short pause.
Model work is owned by a `ModelController`; this screen reacts to what it posts. What the
graph-edit keys do is in `graph_actions`, what the model keys do in `model_actions`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import TypeVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Header, Static

from worldforge.conductor.expand import text_settings
from worldforge.conductor.session import Session
from worldforge.core.authorship import edit_text
from worldforge.core.errors import StoryError
from worldforge.core.graph import GraphError, StoryGraph
from worldforge.core.model import Scene
from worldforge.engines.cancel import CancelToken
from worldforge.engines.image.protocol import ImageEngine
from worldforge.engines.text.protocol import TextEngine
from worldforge.tui.credential_line import credential_line
from worldforge.tui.messages import (
    CandidateProgress,
    CredentialChecked,
    DownloadWanted,
    EngineStatus,
    Generated,
    ProblemsCounted,
    RenderProgress,
    WorkFailed,
)
from worldforge.tui.model_controller import ModelController
from worldforge.tui.problems import Shape, problem_summary, story_shape
from worldforge.tui.screens import graph_actions, model_actions, reference_actions, save_actions
from worldforge.tui.screens.dialogs import ConfirmScreen
from worldforge.tui.screens.ledger import LedgerScreen
from worldforge.tui.screens.palette import binding_commands
from worldforge.tui.widgets.candidates import CandidatesPanel
from worldforge.tui.widgets.image_panel import ImagePanel
from worldforge.tui.widgets.scene_editor import SceneEditor
from worldforge.tui.widgets.status_bar import StatusBar
from worldforge.tui.widgets.story_map import StoryMap

T = TypeVar("T")

OFFLINE_BANNER = (
    "OFFLINE: running on tiny random-weight models — their words and pictures are "
    "test noise, not art. Get real models with:  worldforge models pull gpt2  "
    "and  worldforge models pull sd-turbo"
)
CHECK_DELAY = 0.5  # seconds of quiet after an edit before the story's shape is checked again
PREPARE_DELAY = 1.0  # seconds on a scene before the text engine reads its context ahead


def banner_text(warnings: Sequence[str]) -> str:
    """The offline banner: why each tiny model runs, when the engines' chooser said so."""
    return "\n".join(f"OFFLINE: {w}" for w in warnings) if warnings else OFFLINE_BANNER


class StudioScreen(Screen):
    BINDINGS = [
        Binding("ctrl+g", "expand", "Expand"),
        Binding("ctrl+r", "illustrate", "Illustrate"),
        Binding("ctrl+o", "render_options", "Picture options"),
        Binding("ctrl+b", "branch", "Branch"),
        Binding("ctrl+l", "link", "Link"),
        Binding("ctrl+t", "jump", "Jump"),
        # priority: the editor and the title field take ctrl+e for "end of line" first
        Binding("ctrl+e", "world", "World", priority=True),
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+z", "undo", "Undo"),
        Binding("ctrl+y", "redo", "Redo"),
        Binding("escape", "cancel_work", "Cancel"),
        Binding("f2", "rename", "Rename id", show=False),
        Binding("f3", "context", "Context", show=False),
        Binding("f4", "export", "Export", show=False),
        Binding("f5", "unlink", "Unlink", show=False),
        # priority: the editor takes F6 for "select line" first
        Binding("f6", "reading_path", "Reading path", show=False, priority=True),
        Binding("f8", "new_scene", "New scene", show=False),
        Binding("f9", "delete", "Delete scene", show=False),
        # not F7: the editor takes that for "select all"
        Binding("f10", "ledger", "Energy ledger", show=False),
        Binding("f12", "reload", "Reload story from disk", show=False),
        Binding("alt+v", "vary_subtle", "Vary subtle", show=False),
        Binding("alt+s", "vary_strong", "Vary strong", show=False),
        Binding("alt+r", "picture_reference", "Use picture as a lore reference", show=False),
    ]

    def __init__(
        self,
        session: Session,
        text_engine: TextEngine | None,
        image_engine: ImageEngine | None,
        image_widget: type[Widget],
        autosave_seconds: float,
        engine_warnings: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self.session = session
        self.models = ModelController(self, text_engine, image_engine)
        self.engine_warnings = tuple(engine_warnings)
        self.image_widget = image_widget
        self.autosave_seconds = autosave_seconds
        self.current = session.story.meta.start
        self.sub_title = session.story.title
        # (scene id, candidate index -> text so far) while an expansion streams
        self.streaming: tuple[str, dict[int, str]] | None = None
        self.render_options: dict = {"candidates": 1, "preset": None, "init": None, "hide_prompt": False}
        self._autosave: Timer | None = None
        self._checks: Timer | None = None
        self._prepare: Timer | None = None
        self._problems: tuple[int, str] = (-1, "")  # (revision checked, summary)

    # -- layout ------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(banner_text(self.engine_warnings), id="banner", markup=False)
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield StoryMap(id="map")
                yield ImagePanel(self.image_widget, id="image")
            with Vertical(id="center"):
                yield SceneEditor(id="editor")
                yield CandidatesPanel(id="candidates")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#banner").display = self.models.offline_tiny or bool(self.engine_warnings)
        self._show_panels()
        self.query_one("#map", StoryMap).focus()
        # the first frame shows the scene; the map, the status and the checks follow it
        self.call_after_refresh(self._after_first_frame)

    def _after_first_frame(self) -> None:
        self.query_one("#map", StoryMap).show(self.session.graph, self.current)
        self.refresh_status()
        self.schedule_checks()
        self.models.load_engines(text_settings(self.session.story))

    # -- showing the story -----------------------------------------------------------
    @property
    def scene(self) -> Scene:
        return self.session.story.scenes[self.current]

    def refresh_all(self) -> None:
        """Redraw after the graph changed: the map's open part, and the current scene."""
        if self.current not in self.session.story.scenes:
            self.current = self.session.story.meta.start
        self.query_one("#map", StoryMap).show(self.session.graph, self.current)
        self.show_scene()

    def show_scene(self) -> None:
        """Editor, candidates, picture and status for the current scene (the map untouched)."""
        self._show_panels()
        self.refresh_status()
        self.prepare_soon()

    def prepare_soon(self) -> None:
        """Once the conductor pauses on a scene, have the text engine read its context ahead,
        so expanding it starts writing at once."""
        if self._prepare is not None:
            self._prepare.stop()
        self._prepare = self.set_timer(PREPARE_DELAY, self._prepare_now)

    def _prepare_now(self) -> None:
        story = self.session.story
        if self.current in story.scenes:
            self.models.prepare(story, self.current, text_settings(story))

    def _show_panels(self) -> None:
        self.query_one("#editor", SceneEditor).show(self.scene)
        self.show_candidates()
        self.show_picture()

    def show_candidates(self) -> None:
        streaming = self.streaming[1] if self.streaming and self.streaming[0] == self.current else None
        self.query_one("#candidates", CandidatesPanel).show(self.scene.candidates, streaming)

    def refresh_status(self) -> None:
        m = self.models
        status = self.query_one("#status", StatusBar)
        status.show(self.session, self.current, m.busy, m.spent_flops, m.spent_wh, self._problems[1])

    def show_picture(self) -> None:
        scene = self.scene
        panel = self.query_one("#image", ImagePanel)
        if scene.image is None:
            panel.show(None, "no picture yet: ctrl+r illustrates this scene")
            return
        caption = f"“{scene.image_title or scene.title}”"
        credit = self.credit_for(scene.image)
        if credit:
            caption += f" · {credit}"
        refers = [e.id for e in self.session.story.meta.lore if e.reference == scene.image]
        if refers:  # the scenes mentioning these entries are drawn after this picture
            caption += f" · reference of {', '.join(refers)}"
        try:
            png = self.session.folder.read_image(scene.image)
            panel.show(png, caption)
            self.run_worker(
                partial(self._read_credential, scene.image, png),
                thread=True,
                group="credential",
                exclusive=True,
                exit_on_error=False,
            )
        except StoryError as err:  # read_image also refuses what is not a sane picture
            there = (self.session.folder.root / scene.image).exists()
            panel.show(None, f"{'unreadable' if there else 'missing'} picture: {err.message}")
        except OSError as err:  # PIL's UnidentifiedImageError is an OSError
            panel.show(None, f"unreadable picture {scene.image}: {err}")

    def _read_credential(self, image: str, png: bytes) -> None:
        state, line = credential_line(image, png)
        self.post_message(CredentialChecked(image, state, line))

    def on_credential_checked(self, event: CredentialChecked) -> None:
        if self.scene.image == event.image:  # the scene may have changed meanwhile
            self.query_one("#image", ImagePanel).credential(event.line, event.state)

    def credit_for(self, image: str) -> str:
        render = next((r for r in self.scene.renders if r.image == image), None)
        record = next((p for p in self.scene.provenance if render and p.id == render.provenance), None)
        if record is None:
            return ""
        noise = " (test noise)" if record.test_model else ""
        return f"{record.model}{noise}"

    def go_to(self, scene_id: str) -> None:
        self.current = scene_id
        self.query_one("#map", StoryMap).select(scene_id)
        self.show_scene()

    @on(StoryMap.SceneChosen)
    def _chosen(self, event: StoryMap.SceneChosen) -> None:
        self.go_to(event.scene_id)
        self.query_one("#editor", SceneEditor).text_area.focus()

    # -- graph checks, off the edit path (see tui.problems) -------------------------------
    def schedule_checks(self) -> None:
        """Count the story's problems once the editing pauses."""
        if self._checks is not None:
            self._checks.stop()
        self._checks = self.set_timer(CHECK_DELAY, self._check)

    def _check(self) -> None:
        shape, revision = story_shape(self.session.story), self.session.revision
        self.run_worker(
            partial(self._count, shape, revision), thread=True, group="checks", exit_on_error=False
        )

    def _count(self, shape: Shape, revision: int) -> None:
        self.post_message(ProblemsCounted(revision, problem_summary(shape)))

    def on_problems_counted(self, event: ProblemsCounted) -> None:
        if event.revision >= self._problems[0]:  # a slow older count never hides a newer one
            self._problems = (event.revision, event.summary)
            self.refresh_status()

    # -- editing -------------------------------------------------------------------
    @on(SceneEditor.Edited)
    def _edited(self, event: SceneEditor.Edited) -> None:
        scene = self.session.story.scenes.get(event.scene_id)
        if scene is None or (scene.text == event.text and scene.title == event.title):
            return
        title_changed = scene.title != event.title and event.title.strip()
        try:
            with self.session.change(
                "Edit scene", coalesce=("edit", event.scene_id), touches=[event.scene_id]
            ):
                if event.text != scene.text:
                    edit_text(scene, event.text)
                    scene.model_spans = event.spans
                if title_changed:
                    scene.title = event.title.strip()
        except ValueError as err:
            self.notify(str(err), severity="error", markup=False)
            return
        if title_changed:
            self.query_one("#map", StoryMap).relabel(event.scene_id)
        self.changed(refresh=False)

    def changed(self, refresh: bool = True) -> None:
        """After any story edit: redraw (unless the editor itself is the source) and autosave soon."""
        if refresh:
            self.refresh_all()
        else:
            self.refresh_status()
        self.save_soon(self.autosave_seconds)
        self.schedule_checks()

    def save_soon(self, seconds: float) -> None:
        if self._autosave is not None:
            self._autosave.stop()
        self._autosave = self.set_timer(seconds, self.autosave)

    def autosave(self) -> None:
        save_actions.autosave(self)

    def edit(self, label: str, fn: Callable[[StoryGraph], T]) -> T | None:
        """Run one undoable story edit; a refused edit becomes a notification."""
        try:
            with self.session.change(label) as graph:
                result = fn(graph)
        except (GraphError, ValueError, IndexError) as err:
            self.notify(str(err), severity="error", markup=False)
            return None
        self.changed()
        return result

    def action_undo(self) -> None:
        label = self.session.undo()
        self.notify(f"undid: {label}" if label else "nothing to undo")
        if label:
            self.changed()

    def action_redo(self) -> None:
        label = self.session.redo()
        self.notify(f"redid: {label}" if label else "nothing to redo")
        if label:
            self.changed()

    def action_save(self) -> None:
        self.autosave()
        self.notify("saved" if not self.session.dirty else "not saved", timeout=2)

    def action_reload(self) -> None:
        save_actions.reload(self)

    # -- graph keys (graph_actions) ---------------------------------------------------
    def action_branch(self) -> None:
        graph_actions.branch(self)

    def action_new_scene(self) -> None:
        graph_actions.new_scene(self)

    def action_link(self) -> None:
        graph_actions.link(self)

    def action_unlink(self) -> None:
        graph_actions.unlink(self)

    def action_jump(self) -> None:
        graph_actions.jump(self)

    def action_rename(self) -> None:
        graph_actions.rename(self)

    def action_delete(self) -> None:
        graph_actions.delete(self)

    def action_reading_path(self) -> None:
        graph_actions.reading_path(self)

    def action_export(self) -> None:
        graph_actions.export(self)

    def action_world(self) -> None:
        graph_actions.world(self)

    def action_ledger(self) -> None:
        # a copy: the sums run in a thread, and the story may change under the screen
        self.app.push_screen(LedgerScreen(self.session.story.copy()))

    # -- model keys (model_actions) and what the controller posts ------------------------
    def action_expand(self) -> None:
        model_actions.expand(self)

    def action_illustrate(self) -> None:
        model_actions.illustrate(self)

    def action_vary_subtle(self) -> None:
        model_actions.illustrate(self, vary="subtle")

    def action_vary_strong(self) -> None:
        model_actions.illustrate(self, vary="strong")

    def action_picture_reference(self) -> None:
        reference_actions.from_picture(self)

    def action_render_options(self) -> None:
        model_actions.render_options(self)

    def action_context(self) -> None:
        model_actions.context(self)

    def on_candidates_panel_act(self, event: CandidatesPanel.Act) -> None:
        model_actions.act_on_candidate(self, event)

    def begin(self, what: str, kind: str) -> CancelToken | None:
        cancel = self.models.begin(what, kind)
        if cancel is not None:
            self.refresh_bindings()
            self.refresh_status()
        return cancel

    def _end(self) -> None:
        self.models.end()
        self.streaming = None
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Escape cancels only while a job runs; otherwise it is not shown and not taken
        return self.models.busy is not None if action == "cancel_work" else True

    def action_cancel_work(self) -> None:
        self.models.cancel()
        self.notify(f"cancelling {self.models.busy}…", timeout=2)

    def on_download_wanted(self, event: DownloadWanted) -> None:
        question = (
            f"This story's {event.kind} model, {event.model}, is not on this machine. "
            "Download it from the Hugging Face hub now? (It can be several gigabytes; "
            f"or later: worldforge models pull {event.model})"
        )
        self.app.push_screen(
            ConfirmScreen(question, yes="Download"),
            lambda answer: self.models.load_engine(
                event.kind, bool(answer), text_settings(self.session.story)
            ),
        )

    def on_engine_status(self, event: EngineStatus) -> None:
        self.models.engine_status(event)
        if event.failed:
            self.notify(event.text, severity="error", timeout=10, markup=False)
        self.query_one("#status", StatusBar).engine_note(event.kind, event.text)
        self.refresh_status()
        if event.ready and event.kind == "text":
            self.prepare_soon()

    def on_candidate_progress(self, event: CandidateProgress) -> None:
        if self.streaming is None or self.streaming[0] != event.scene_id:
            return
        texts = {**self.streaming[1], **event.texts}
        self.streaming = (event.scene_id, texts)
        if self.current == event.scene_id:
            self.query_one("#candidates", CandidatesPanel).stream(texts)

    def on_render_progress(self, event: RenderProgress) -> None:
        if event.scene_id != self.current:
            return
        count = int(self.render_options.get("candidates") or 1)
        panel = self.query_one("#image", ImagePanel)
        panel.progress(event.candidate, count, event.step, event.total, event.preview)

    def on_work_failed(self, event: WorkFailed) -> None:
        self._end()
        self.notify(event.text, severity=event.severity, timeout=6, markup=False)
        self.refresh_all()

    def on_generated(self, event: Generated) -> None:
        self._end()
        model_actions.merge_results(self, event)

    # -- the app around the screen -------------------------------------------------------
    def system_commands(self) -> Iterator[SystemCommand]:
        """Every key of the studio, by name, for the command palette."""
        yield from binding_commands(self)

    def quit(self) -> None:
        """Stop the model, save, and leave; if the story cannot be saved, ask first."""
        self.models.cancel()
        self.autosave()
        if not self.session.dirty:
            self.app.exit()
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.app.exit()

        self.app.push_screen(
            ConfirmScreen(
                "The story could not be saved (see the message). Quit anyway and lose the unsaved changes?",
                "Quit without saving",
            ),
            confirmed,
        )
