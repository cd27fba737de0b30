"""The studio's model work: the engines, their loading, and the thread workers that run them.

One controller belongs to one studio screen. A worker gets a copy of the story, runs the
conductor's use case on it, and posts messages up to the screen (progress, done, failed);
the screen merges results into the live story as one undoable change. Escape fires the
running worker's cancel token. This module never touches widgets and never imports torch.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from textual.message import Message
from textual.widget import Widget

from worldforge.conductor import energy
from worldforge.conductor.engines import download_needed
from worldforge.core.model import Provenance, Story
from worldforge.engines.cancel import Cancelled, CancelToken
from worldforge.engines.image.protocol import ImageEngine, ImageSettings
from worldforge.engines.text.protocol import TextEngine, TextSettings
from worldforge.store import StoryFolder
from worldforge.tui.messages import (
    CandidateProgress,
    DownloadWanted,
    EngineStatus,
    Generated,
    RenderProgress,
    WorkFailed,
)

EngineT = TypeVar("EngineT", TextEngine, ImageEngine)
PREVIEW_INTERVAL = 0.05  # seconds between progress messages of steps without a preview


class ModelController:
    """Engines plus the state of the one model job that may run at a time."""

    def __init__(
        self, host: Widget, text_engine: TextEngine | None, image_engine: ImageEngine | None
    ) -> None:
        self.host = host  # runs the workers and receives their messages
        self.text_engine = text_engine
        self.image_engine = image_engine
        self.cancel_token: CancelToken | None = None
        self.busy: str | None = None
        self.ready: dict[str, bool] = {"text": False, "image": False}
        self.load_errors: dict[str, str] = {}
        self.declined: set[str] = set()  # kinds whose model download the user refused
        self.spent_flops = 0.0
        self.spent_wh = 0.0

    @property
    def offline_tiny(self) -> bool:
        return any(e is not None and e.offline_tiny for e in (self.text_engine, self.image_engine))

    # -- engines -------------------------------------------------------------------
    def load_engines(self, warm: TextSettings | None = None) -> None:
        """Load the engines in a worker; then get the text engine ready for calls with `warm`."""
        engines = [(k, e) for k, e in (("text", self.text_engine), ("image", self.image_engine)) if e]
        self.host.run_worker(
            partial(self._load, engines, warm), thread=True, group="load", exit_on_error=False
        )

    def load_engine(self, kind: str, allow_download: bool, warm: TextSettings | None = None) -> None:
        """Load one engine after the user answered whether it may download its model (no:
        loading then fails with the message saying how to get the model)."""
        engine = self.text_engine if kind == "text" else self.image_engine
        if engine is not None:
            engine.allow_download = allow_download
            if not allow_download:
                self.declined.add(kind)
            self.host.run_worker(
                partial(self._load, [(kind, engine)], warm), thread=True, group="load", exit_on_error=False
            )

    def _load(self, engines: list[tuple[str, TextEngine | ImageEngine]], warm: TextSettings | None) -> None:
        # one after the other: transformers' and diffusers' lazy modules are not safe to
        # import from two threads at once
        post = self.host.post_message
        energy.warm()  # the meter detects the hardware while the models load
        for kind, engine in engines:
            name = engine.label or engine.model_id
            # a model the story names but this machine lacks: ask before fetching it
            wanted = download_needed(engine)
            if wanted is not None and kind not in self.declined:
                post(DownloadWanted(kind, wanted))
                continue
            post(EngineStatus(kind, f"loading {name}…"))
            try:
                engine.load(partial(_say, post, kind))
            except Exception as err:  # a model that fails to load must not take the app down
                post(EngineStatus(kind, f"{kind} model failed: {err}", failed=True))
                continue
            if warm is not None and self.text_engine is not None and engine is self.text_engine:
                # the first expand then starts as fast as the next (memory mapped, GPU graphs
                # captured); the engine's lock makes an expand asked meanwhile wait for it
                self.text_engine.warm_up(warm)
            post(EngineStatus(kind, f"{name} ready", ready=True))

    def engine_status(self, event: EngineStatus) -> None:
        if event.ready:
            self.ready[event.kind] = True
        if event.failed:
            self.load_errors[event.kind] = event.text

    def prepare(self, story: Story, scene_id: str, settings: TextSettings) -> None:
        """Have the text engine read ahead the context an expand of `scene_id` would send,
        in a thread, when it is loaded and no job runs. Best effort: the worker reads the
        live story without copying it (a copy of a story of thousands of scenes costs the UI
        thread more than the read saves), so an edit made meanwhile, or any failure, only
        wastes the read; the expand always assembles its own context."""
        if self.text_engine is None or not self.ready["text"] or self.busy is not None:
            return
        job = partial(self._prepare, self.text_engine, story, scene_id, settings)
        self.host.run_worker(job, thread=True, exclusive=True, group="prepare", exit_on_error=False)

    @staticmethod
    def _prepare(engine: TextEngine, story: Story, scene_id: str, settings: TextSettings) -> None:
        from worldforge.conductor.expand import prepare_expand

        with contextlib.suppress(Exception):  # a read-ahead that fails costs only its speed-up
            prepare_expand(story, scene_id, engine, settings)

    # -- one job at a time -------------------------------------------------------------
    def begin(self, what: str, kind: str) -> CancelToken | None:
        """Claim the models for a job, or say (as a notification) why not."""
        engine = self.text_engine if kind == "text" else self.image_engine
        notify = self.host.notify
        if engine is None:
            notify(f"no {kind} model configured", severity="warning")
        elif kind in self.load_errors:
            notify(
                f"{self.load_errors[kind]} — restart with another --engine", severity="error", markup=False
            )
        elif not self.ready[kind]:
            notify(f"the {kind} model is still loading — try again in a moment", severity="warning")
        elif self.busy:
            notify(f"busy {self.busy}; press Escape to cancel it", severity="warning")
        else:
            self.busy = what
            self.cancel_token = CancelToken()
            return self.cancel_token
        return None

    def end(self) -> None:
        self.busy = None
        self.cancel_token = None

    def cancel(self) -> None:
        if self.cancel_token is not None:
            self.cancel_token.cancel()

    def account(self, records: list[Provenance]) -> None:
        for record in records:
            self.spent_flops += record.flops or 0.0
            self.spent_wh += record.energy_wh or 0.0

    # -- expand ----------------------------------------------------------------------
    def expand(self, story: Story, scene_id: str, settings: TextSettings, cancel: CancelToken) -> None:
        """Expand `scene_id` of `story` (a copy: the worker writes into it) in a thread."""
        job = partial(self._expand, story, scene_id, settings, cancel)
        self.host.run_worker(job, thread=True, exclusive=True, group="model", exit_on_error=False)

    def _expand(self, story: Story, scene_id: str, settings: TextSettings, cancel: CancelToken) -> None:
        from worldforge.conductor.expand import ExpansionInterrupted, expand

        texts: dict[int, str] = {}

        def on_token(index: int, piece: str) -> None:
            texts[index] = texts.get(index, "") + piece
            self.host.post_message(CandidateProgress(scene_id, dict(texts)))

        def job() -> Generated:
            try:
                expand(
                    story,
                    scene_id,
                    _needed(self.text_engine, "text"),
                    settings,
                    on_token=on_token,
                    cancel=cancel,
                )
            except ExpansionInterrupted:
                # what arrived is on the scene: keep it, then report why it stopped
                self.host.post_message(Generated(story, scene_id, "Expand (broke off)"))
                raise
            return Generated(story, scene_id, "Expand")

        self._report("expansion", job)

    # -- illustrate ------------------------------------------------------------------
    def render(
        self, folder: StoryFolder, scene_id: str, settings: ImageSettings, options: dict, cancel: CancelToken
    ) -> None:
        """Render pictures for `scene_id` of `folder` (a snapshot: the worker writes into it)."""
        job = partial(self._render, folder, scene_id, settings, options, cancel)
        self.host.run_worker(job, thread=True, exclusive=True, group="model", exit_on_error=False)

    def _render(
        self, folder: StoryFolder, scene_id: str, settings: ImageSettings, options: dict, cancel: CancelToken
    ) -> None:
        from worldforge.conductor.render import render

        last = 0.0

        def on_step(candidate: int, step: int, total: int, preview: bytes | None) -> None:
            nonlocal last
            now = time.monotonic()
            if preview is None and now - last < PREVIEW_INTERVAL and step != total:
                return
            last = now
            self.host.post_message(RenderProgress(scene_id, candidate, step, total, preview))

        def job() -> Generated:
            batch = render(
                folder,
                scene_id,
                _needed(self.image_engine, "image"),
                settings,
                preset=options.get("preset"),
                init=options.get("init"),
                on_step=on_step,
                cancel=cancel,
                hide_prompt=bool(options.get("hide_prompt")),
                vary=options.get("vary"),
            )
            return Generated(folder.story, scene_id, "Illustrate", [r.image for r in batch.renders])

        self._report("rendering", job)

    def _report(self, what: str, job: Callable[[], Generated]) -> None:
        """Run a job (in its worker thread) and post what came of it: results, or why none."""
        try:
            message: Generated | WorkFailed = job()
        except Cancelled:
            message = WorkFailed(f"{what} cancelled", "information")
        except Exception as err:  # a failed job is reported, never fatal to the studio
            message = WorkFailed(f"{what} failed: {err}", "error")
        self.host.post_message(message)


def _say(post: Callable[[Message], bool], kind: str, text: str) -> None:
    post(EngineStatus(kind, text))


def _needed(engine: EngineT | None, kind: str) -> EngineT:
    """The engine a job claimed in `begin` (which refuses jobs without one)."""
    if engine is None:
        raise RuntimeError(f"no {kind} model configured")
    return engine
