"""Everything the studio asks of the models, run in thread workers so the screen never freezes.

A worker gets a copy of the story, runs the conductor's use case on it, and hands the new
candidates, renders and provenance back to the UI thread, which merges them into the live
story as one undoable change. Escape fires the worker's cancel token.
"""

from __future__ import annotations

import time

from textual import work

from worldforge.conductor.expand import text_settings
from worldforge.conductor.merge import merge_generated
from worldforge.core.model import Story
from worldforge.engines.cancel import Cancelled, CancelToken
from worldforge.engines.image.protocol import ImageSettings
from worldforge.engines.text.protocol import TextSettings
from worldforge.store import StoryFolder
from worldforge.tui.messages import CandidateProgress, EngineStatus, RenderProgress
from worldforge.tui.widgets.candidates import CandidatesPanel
from worldforge.tui.widgets.image_panel import ImagePanel


class ModelWork:
    """Mixin for WorldforgeApp: engine loading, expand, illustrate, cancel.

    Handlers here are named `on_<message>`: Textual finds those through the MRO, while `@on`
    decorators are only collected on Textual classes themselves.
    """

    def init_model_work(self) -> None:
        self.cancel_token: CancelToken | None = None
        # (scene id, candidate index -> text so far) while an expansion streams
        self.streaming: tuple[str, dict[int, str]] | None = None
        self.busy: str | None = None
        self.ready: dict[str, bool] = {"text": False, "image": False}
        self.load_errors: dict[str, str] = {}
        self.render_options: dict = {"candidates": 1, "preset": None, "init": None, "hide_prompt": False}
        self.spent_flops = 0.0
        self.spent_wh = 0.0

    # -- engines -------------------------------------------------------------------
    def start_engines(self) -> None:
        tiny = [e for e in (self.text_engine, self.image_engine) if e is not None and e.offline_tiny]
        if tiny:
            self.query_one("#banner").update(
                "OFFLINE: running on tiny random-weight models — their words and pictures are "
                "test noise, not art. Get real models with:  worldforge models pull gpt2  "
                "and  worldforge models pull sd-turbo"
            )
            self.query_one("#banner").display = True
        else:
            self.query_one("#banner").display = False
        self.load_engines(
            [(k, e) for k, e in (("text", self.text_engine), ("image", self.image_engine)) if e]
        )

    @work(thread=True, group="load", exit_on_error=False)
    def load_engines(self, engines: list) -> None:
        # one after the other: transformers' and diffusers' lazy modules are not safe to
        # import from two threads at once
        for kind, engine in engines:
            name = getattr(engine, "label", None) or engine.model_id
            self.post_message(EngineStatus(kind, f"loading {name}…"))
            try:
                engine.load(lambda text, kind=kind: self.post_message(EngineStatus(kind, text)))
            except Exception as err:  # a model that fails to load must not take the app down
                self.post_message(EngineStatus(kind, f"{kind} model failed: {err}", failed=True))
                continue
            self.post_message(EngineStatus(kind, f"{name} ready", ready=True))

    def on_engine_status(self, event: EngineStatus) -> None:
        if event.ready:
            self.ready[event.kind] = True
        if event.failed:
            self.load_errors[event.kind] = event.text
            self.notify(event.text, severity="error", timeout=10)
        self.query_one("#status").engine_note(event.kind, event.text)

    # -- cancel ----------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "cancel_work":
            return self.busy is not None and self.screen is self.screen_stack[0]
        if action in self.STUDIO_ACTIONS:
            # the studio's keys belong to the main screen; dialogs and the world screen keep theirs
            return self.screen is self.screen_stack[0]
        return True

    def cancel_work(self) -> None:
        if self.cancel_token is not None:
            self.cancel_token.cancel()

    def action_cancel_work(self) -> None:
        self.cancel_work()
        self.notify(f"cancelling {self.busy}…", timeout=2)

    def _begin(self, what: str, kind: str) -> CancelToken | None:
        engine = self.text_engine if kind == "text" else self.image_engine
        if engine is None:
            self.notify(f"no {kind} model configured", severity="warning")
            return None
        if kind in self.load_errors:
            self.notify(f"{self.load_errors[kind]} — restart with another --engine", severity="error")
            return None
        if not self.ready[kind]:
            self.notify(f"the {kind} model is still loading — try again in a moment", severity="warning")
            return None
        if self.busy:
            self.notify(f"busy {self.busy}; press Escape to cancel it", severity="warning")
            return None
        self.busy = what
        self.cancel_token = CancelToken()
        self.refresh_bindings()
        self.refresh_status()
        return self.cancel_token

    def _end(self) -> None:
        self.busy = None
        self.streaming = None
        self.cancel_token = None
        self.refresh_bindings()
        self.refresh_status()

    # -- expand ----------------------------------------------------------------------
    def action_expand(self) -> None:
        cancel = self._begin("expanding", "text")
        if cancel is None:
            return
        settings = text_settings(self.session.story)
        self.streaming = (self.current, {i: "" for i in range(settings.candidates)})
        self.query_one("#candidates", CandidatesPanel).show(self.scene.candidates, self.streaming[1])
        self.expand_worker(self.session.story.copy(), self.current, settings, cancel)

    @work(thread=True, exclusive=True, group="model", exit_on_error=False)
    def expand_worker(self, story: Story, scene_id: str, settings: TextSettings, cancel: CancelToken) -> None:
        from worldforge.conductor.expand import expand

        texts: dict[int, str] = {}

        def on_token(index: int, piece: str) -> None:
            texts[index] = texts.get(index, "") + piece
            self.post_message(CandidateProgress(scene_id, dict(texts)))

        try:
            expand(story, scene_id, self.text_engine, settings, on_token=on_token, cancel=cancel)
        except Cancelled:
            self.call_from_thread(self._work_failed, "expansion cancelled", "information")
            return
        except Exception as err:
            self.call_from_thread(self._work_failed, f"expansion failed: {err}", "error")
            return
        self.call_from_thread(self._generated, story, scene_id, "Expand")

    def on_candidate_progress(self, event: CandidateProgress) -> None:
        if self.streaming is None or self.streaming[0] != event.scene_id:
            return
        texts = {**self.streaming[1], **event.texts}
        self.streaming = (event.scene_id, texts)
        if self.current == event.scene_id:
            self.query_one("#candidates", CandidatesPanel).stream(texts)

    def _work_failed(self, message: str, severity: str) -> None:
        self._end()
        self.notify(message, severity=severity, timeout=6)
        self.refresh_all()

    def _generated(self, worked: Story, scene_id: str, label: str) -> None:
        self._end()
        if scene_id not in self.session.story.scenes:
            self.notify("the scene was deleted while the model worked; results dropped", severity="warning")
            return
        with self.session.change(label):
            added = merge_generated(self.session.story.scenes[scene_id], worked.scenes[scene_id])
        for record in added:
            self.spent_flops += record.flops or 0.0
            self.spent_wh += record.energy_wh or 0.0
        self.changed()

    def action_context(self) -> None:
        from worldforge.conductor.expand import context_for
        from worldforge.tui.screens.context import ContextScreen

        if self.busy:
            # the tokenizer is in use by the running worker; fast tokenizers are not shareable
            self.notify(f"busy {self.busy}: the context inspector opens when it is done", severity="warning")
            return
        if self.text_engine is None or not self.ready["text"]:
            self.notify(
                "the context is counted in the text model's tokens: wait until it is loaded",
                severity="warning",
            )
            return
        settings = text_settings(self.session.story)
        report = context_for(self.session.story, self.current, self.text_engine, settings)
        self.push_screen(ContextScreen(report, f"Next expansion of “{self.scene.title}”"))

    # -- candidates --------------------------------------------------------------------
    def on_candidates_panel_act(self, event: CandidatesPanel.Act) -> None:
        from worldforge import conductor as use

        story, scene_id, index = self.session.story, self.current, event.index
        if event.action == "edit":
            self._edit_then_accept(index)
            return
        try:
            with self.session.change(event.action.capitalize()):
                if event.action == "accept":
                    use.accept(story, scene_id, index)
                elif event.action == "branch":
                    use.branch(story, scene_id, [index])
                elif event.action == "reject":
                    use.reject(story, scene_id, index)
                elif event.action == "revive":
                    use.revive(story, scene_id, index)
        except (ValueError, IndexError) as err:
            self.notify(str(err), severity="error")
            return
        self.changed()

    def _edit_then_accept(self, index: int) -> None:
        from worldforge import conductor as use
        from worldforge.tui.screens.edit_candidate import EditCandidateScreen

        candidate = self.scene.candidates[index]

        def done(text: str | None) -> None:
            if text is None:
                return
            with self.session.change("Edit and accept"):
                use.accept(self.session.story, self.current, index, text=text)
            self.changed()

        self.push_screen(EditCandidateScreen(candidate.text), done)

    # -- illustrate ------------------------------------------------------------------
    def action_render_options(self) -> None:
        from worldforge.tui.screens.render_options import RenderOptionsScreen

        def chosen(options: dict | None) -> None:
            if options:
                self.render_options = options
                self.notify("picture options kept: ctrl+r renders with them", timeout=3)

        self.push_screen(RenderOptionsScreen(self.session.story, self.current, self.render_options), chosen)

    def action_illustrate(self) -> None:
        from worldforge.conductor.render import image_settings

        cancel = self._begin("rendering", "image")
        if cancel is None:
            return
        options = dict(self.render_options)
        settings = image_settings(
            self.session.story, self.image_engine, options, init=bool(options.get("init"))
        )
        folder = self.session.snapshot()
        self.render_worker(folder, self.current, settings, options, cancel)

    @work(thread=True, exclusive=True, group="model", exit_on_error=False)
    def render_worker(
        self, folder: StoryFolder, scene_id: str, settings: ImageSettings, options: dict, cancel: CancelToken
    ) -> None:
        from worldforge.conductor.render import render

        last = 0.0

        def on_step(candidate: int, step: int, total: int, preview: bytes | None) -> None:
            nonlocal last
            now = time.monotonic()
            if preview is None and now - last < 0.05 and step != total:
                return
            last = now
            self.post_message(RenderProgress(scene_id, candidate, step, total, preview))

        try:
            batch = render(
                folder,
                scene_id,
                self.image_engine,
                settings,
                preset=options.get("preset"),
                init=options.get("init"),
                on_step=on_step,
                cancel=cancel,
                hide_prompt=bool(options.get("hide_prompt")),
            )
        except Cancelled:
            self.call_from_thread(self._work_failed, "rendering cancelled", "information")
            return
        except Exception as err:
            self.call_from_thread(self._work_failed, f"rendering failed: {err}", "error")
            return
        self.call_from_thread(self._rendered, folder.story, scene_id, [r.image for r in batch.renders])

    def on_render_progress(self, event: RenderProgress) -> None:
        if event.scene_id != self.current:
            return
        count = int(self.render_options.get("candidates") or 1)
        self.query_one("#image", ImagePanel).progress(
            event.candidate, count, event.step, event.total, event.preview
        )

    def _rendered(self, worked: Story, scene_id: str, images: list[str]) -> None:
        self._generated(worked, scene_id, "Illustrate")
        scene = self.session.story.scenes.get(scene_id)
        if scene is None or not images:
            return
        renders = [r for image in images for r in scene.renders if r.image == image][: len(images)]
        if len(renders) == 1:
            self._choose(scene_id, renders[0].image)
        else:
            self._pick_render(scene_id, renders)

    def _choose(self, scene_id: str, image: str) -> None:
        from worldforge.conductor.render import choose

        with self.session.change("Choose picture"):
            choose(self.session.story, scene_id, image)
        self.changed()

    def _pick_render(self, scene_id: str, renders) -> None:
        from worldforge.tui.screens.pick_render import PickRenderScreen

        def picked(image: str | None) -> None:
            if image:
                self._choose(scene_id, image)

        self.push_screen(PickRenderScreen(self.session.folder, renders, self.image_widget), picked)
