"""The studio app: story map, scene editor, candidates, picture, status.

Built by `make_app()` from a session and two engines, so tests inject fake or tiny engines.
Story edits go through `Session.change` (undoable) and are autosaved after a short pause.
Model work lives in `ModelWork` (thread workers); this module never imports torch.
"""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Header, Static

from worldforge.conductor.session import Session
from worldforge.core.authorship import edit_text
from worldforge.core.checks import check_story
from worldforge.core.errors import StoryError
from worldforge.core.graph import GraphError
from worldforge.engines.image.protocol import ImageEngine
from worldforge.engines.text.protocol import TextEngine
from worldforge.store import StoryFolder
from worldforge.tui.model_work import ModelWork
from worldforge.tui.screens.dialogs import AskScreen, ConfirmScreen, PickSceneScreen
from worldforge.tui.screens.export import ExportScreen
from worldforge.tui.screens.help import HelpScreen
from worldforge.tui.screens.world import WorldScreen
from worldforge.tui.widgets.candidates import CandidatesPanel
from worldforge.tui.widgets.image_panel import ImagePanel
from worldforge.tui.widgets.scene_editor import SceneEditor
from worldforge.tui.widgets.status_bar import StatusBar
from worldforge.tui.widgets.story_map import StoryMap

AUTOSAVE_SECONDS = 1.0


class WorldforgeApp(ModelWork, App):
    CSS_PATH = "worldforge.tcss"
    TITLE = "worldforge"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    BINDINGS = [
        Binding("ctrl+g", "expand", "Expand", priority=True),
        Binding("ctrl+r", "illustrate", "Illustrate", priority=True),
        Binding("ctrl+o", "render_options", "Picture options", priority=True),
        Binding("ctrl+b", "branch", "Branch", priority=True),
        Binding("ctrl+l", "link", "Link", priority=True),
        Binding("ctrl+t", "jump", "Jump", priority=True),
        Binding("ctrl+e", "world", "World", priority=True),
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("ctrl+z", "undo", "Undo"),
        Binding("ctrl+y", "redo", "Redo"),
        Binding("escape", "cancel_work", "Cancel", priority=True),
        Binding("f1", "help", "Help", priority=True),
        Binding("f2", "rename", "Rename id", show=False, priority=True),
        Binding("f3", "context", "Context", show=False, priority=True),
        Binding("f4", "export", "Export", show=False, priority=True),
        Binding("f5", "unlink", "Unlink", show=False, priority=True),
        Binding("f6", "reading_path", "Reading path", show=False, priority=True),
        Binding("f8", "new_scene", "New scene", show=False, priority=True),
        Binding("f9", "delete", "Delete scene", show=False, priority=True),
        Binding("tab", "focus_next", show=False),
    ]

    STUDIO_ACTIONS = frozenset(
        b.action for b in BINDINGS if isinstance(b, Binding) and b.action not in ("help", "focus_next")
    )

    def __init__(
        self,
        session: Session,
        text_engine: TextEngine | None = None,
        image_engine: ImageEngine | None = None,
        image_widget: type[Widget] | None = None,
        autosave_seconds: float = AUTOSAVE_SECONDS,
    ) -> None:
        super().__init__()
        self.session = session
        self.text_engine = text_engine
        self.image_engine = image_engine
        self.image_widget = image_widget or _default_image_widget()
        self.autosave_seconds = autosave_seconds
        self.current = session.story.meta.start
        self._autosave: Timer | None = None
        self._problems: tuple[int, str] = (-1, "")
        self.init_model_work()

    # -- layout ------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="banner")
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
        self.sub_title = self.session.story.title
        self.refresh_all()
        self.query_one("#map", StoryMap).focus()
        self.call_after_refresh(self.start_engines)

    # -- showing the story -----------------------------------------------------------
    @property
    def scene(self):
        return self.session.story.scenes[self.current]

    def refresh_all(self) -> None:
        if self.current not in self.session.story.scenes:
            self.current = self.session.story.meta.start
        self.query_one("#map", StoryMap).show(self.session.graph, self.current)
        self.query_one("#editor", SceneEditor).show(self.scene)
        streaming = self.streaming[1] if self.streaming and self.streaming[0] == self.current else None
        self.query_one("#candidates", CandidatesPanel).show(self.scene.candidates, streaming)
        self.show_picture()
        self.refresh_status()

    def refresh_status(self) -> None:
        self.query_one("#status", StatusBar).show(self)

    def show_picture(self) -> None:
        scene = self.scene
        panel = self.query_one("#image", ImagePanel)
        if scene.image is None:
            panel.show(None, "no picture yet: ctrl+r illustrates this scene")
            return
        caption = scene.image_title or scene.title
        credit = self.credit_for(scene.image)
        try:
            png = self.session.folder.read_image(scene.image)
            panel.show(png, f"“{caption}” · {credit}" if credit else f"“{caption}”")
        except StoryError as err:
            panel.show(None, f"missing picture: {err.message}")
        except OSError as err:  # PIL's UnidentifiedImageError is an OSError
            panel.show(None, f"unreadable picture {scene.image}: {err}")

    def credit_for(self, image: str) -> str:
        render = next((r for r in self.scene.renders if r.image == image), None)
        record = next((p for p in self.scene.provenance if render and p.id == render.provenance), None)
        if record is None:
            return ""
        noise = " (test noise)" if record.test_model else ""
        return f"{record.model}{noise}"

    def go_to(self, scene_id: str) -> None:
        self.current = scene_id
        self.refresh_all()

    @on(StoryMap.SceneChosen)
    def _chosen(self, event: StoryMap.SceneChosen) -> None:
        self.go_to(event.scene_id)
        self.query_one("#editor", SceneEditor).text_area.focus()

    # -- editing -------------------------------------------------------------------
    @on(SceneEditor.Edited)
    def _edited(self, event: SceneEditor.Edited) -> None:
        scene = self.session.story.scenes.get(event.scene_id)
        if scene is None or (scene.text == event.text and scene.title == event.title):
            return
        title_changed = scene.title != event.title and event.title.strip()
        try:
            with self.session.change("Edit scene", coalesce=("edit", event.scene_id)):
                if event.text != scene.text:
                    edit_text(scene, event.text)
                    scene.model_spans = event.spans
                if title_changed:
                    scene.title = event.title.strip()
        except ValueError as err:
            self.notify(str(err), severity="error")
            return
        if title_changed:
            self.query_one("#map", StoryMap).show(self.session.graph, self.current)
        self.changed(refresh=False)

    def changed(self, refresh: bool = True) -> None:
        """After any story edit: redraw (unless the editor itself is the source) and autosave soon."""
        if refresh:
            self.refresh_all()
        else:
            self.refresh_status()
        if self._autosave is not None:
            self._autosave.stop()
        self._autosave = self.set_timer(self.autosave_seconds, self.autosave)

    def autosave(self) -> None:
        try:
            written = self.session.save()
        except (StoryError, OSError) as err:
            self.notify(f"not saved: {err}", severity="error", timeout=10)
            return
        if written:
            self.refresh_status()

    def edit(self, label: str, fn) -> object:
        """Run one undoable graph edit; a refused edit becomes a notification."""
        try:
            with self.session.change(label) as graph:
                result = fn(graph)
        except (GraphError, ValueError) as err:
            self.notify(str(err), severity="error")
            return None
        self.changed()
        return result

    # -- graph actions ---------------------------------------------------------------
    def action_branch(self) -> None:
        def made(title: str | None) -> None:
            if title:
                child = self.edit("Branch", lambda g: g.branch(self.current, title))
                if child:
                    self.go_to(child.id)

        self.push_screen(AskScreen("Title of the new branch scene", placeholder="The Ninth Gate"), made)

    def action_new_scene(self) -> None:
        def made(title: str | None) -> None:
            if title:
                scene = self.edit("New scene", lambda g: g.add_scene(title))
                if scene:
                    self.go_to(scene.id)

        self.push_screen(AskScreen("Title of the new (unlinked) scene"), made)

    def _scene_choices(self, exclude: str | None = None) -> list[tuple[str, str]]:
        return [(s.id, s.title) for s in self.session.story.scenes.values() if s.id != exclude]

    def action_link(self) -> None:
        def chosen(answer: tuple[str, str] | None) -> None:
            if answer:
                target, label = answer
                self.edit(
                    "Link", lambda g: g.link(self.current, target, label or g.story.scenes[target].title)
                )

        self.push_screen(
            PickSceneScreen(self._scene_choices(self.current), "Link this scene to…", with_label=True), chosen
        )

    def action_unlink(self) -> None:
        links = [(x.to, f"{x.label} → {x.to}") for x in self.scene.links]
        if not links:
            self.notify("this scene has no choices to remove")
            return

        def chosen(target: str | None) -> None:
            if target:
                self.edit("Unlink", lambda g: g.unlink(self.current, target))

        self.push_screen(PickSceneScreen(links, "Remove which choice?"), chosen)

    def action_jump(self) -> None:
        def chosen(scene_id: str | None) -> None:
            if scene_id:
                self.go_to(scene_id)

        self.push_screen(PickSceneScreen(self._scene_choices(), "Jump to scene"), chosen)

    def action_rename(self) -> None:
        def renamed(new_id: str | None) -> None:
            if new_id:
                scene = self.edit("Rename", lambda g: g.rename(self.current, new_id))
                if scene:
                    self.go_to(scene.id)

        self.push_screen(AskScreen("New id (used in file names and links)", self.current), renamed)

    def action_delete(self) -> None:
        graph = self.session.graph
        parents, children = graph.parents(self.current), graph.children(self.current)
        question = (
            f"Delete “{self.scene.title}”? Its {len(parents)} incoming and {len(children)} outgoing "
            "choices go with it; parents are linked straight to its children. Undo with ctrl+z."
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                gone = self.current
                removed = self.edit("Delete", lambda g: g.delete(gone, reattach=True))
                if removed is not None:
                    self.notify(f"deleted {gone} ({len(removed)} links removed or re-attached)")
                    self.go_to(parents[0] if parents else self.session.story.meta.start)

        self.push_screen(ConfirmScreen(question, "Delete"), confirmed)

    def action_reading_path(self) -> None:
        path = self.session.graph.ancestors_path(self.current)

        def set_path(g) -> None:
            g.story.meta.reading_path = path

        self.edit("Reading path", set_path)
        self.notify("reading path for the book: " + " → ".join(path))

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

    def action_export(self) -> None:
        def chosen(options: dict | None) -> None:
            if options:
                # the book is made from the story as it is on screen, saved or not
                self.export_worker(self.session.snapshot(), options)

        self.push_screen(ExportScreen(), chosen)

    @work(thread=True, group="export", exit_on_error=False)
    def export_worker(self, folder: StoryFolder, options: dict) -> None:
        from worldforge.export import default_output, export_story

        try:
            out = self.session.root.parent / default_output(folder, options["fmt"], options["gamebook"])
            done = export_story(
                folder,
                options["fmt"],
                out,
                gamebook=options["gamebook"],
                show_prompts=options["show_prompts"],
            )
        except Exception as err:  # an export failure is reported, never fatal to the studio
            self.call_from_thread(self.notify, f"export failed: {err}", severity="error", timeout=10)
            return
        warn = f" ({len(done.warnings)} warnings, e.g. {done.warnings[0]})" if done.warnings else ""
        self.call_from_thread(self.notify, f"exported {done.path}{warn}", timeout=10)

    def action_world(self) -> None:
        def done(changed: bool | None) -> None:
            if changed:
                self.changed()

        self.push_screen(WorldScreen(self.session), done)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def problems_summary(self) -> str:
        if self._problems[0] == self.session.revision:
            return self._problems[1]
        problems = check_story(self.session.graph)
        errors = sum(p.severity == "error" for p in problems)
        warnings = sum(p.severity == "warning" for p in problems)
        summary = f"{errors} errors, {warnings} warnings" if errors or warnings else ""
        self._problems = (self.session.revision, summary)
        return summary

    def get_system_commands(self, screen: Screen):
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.description and binding.action != "focus_next":
                yield SystemCommand(
                    binding.description, f"{binding.key}", getattr(self, f"action_{binding.action}")
                )

    async def action_quit(self) -> None:
        self.cancel_work()
        self.autosave()
        if not self.session.dirty:
            self.exit()
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(
            ConfirmScreen(
                "The story could not be saved (see the message). Quit anyway and lose the unsaved changes?",
                "Quit without saving",
            ),
            confirmed,
        )


def _default_image_widget() -> type[Widget]:
    from textual_image.widget import Image

    return Image


def make_app(
    story_dir: Path | str,
    text_engine: TextEngine | None = None,
    image_engine: ImageEngine | None = None,
    image_widget: type[Widget] | None = None,
    autosave_seconds: float = AUTOSAVE_SECONDS,
) -> WorldforgeApp:
    return WorldforgeApp(Session.open(story_dir), text_engine, image_engine, image_widget, autosave_seconds)
