"""Render on a Ray cluster: workers make the pixels, this process alone writes the story.

Each candidate is one request, so the 16 candidates of one scene spread over the workers as
well as the scenes of a book do. Every request is asked of the engine exactly as a local
`render` asks it: `render` itself runs twice per scene through a relay engine, first to
learn the prompt, settings and init picture it would send (it stops there, having written
nothing), then with the workers' pictures, which it stores, credits and signs exactly as it
would its own. So a picture made on a worker has the bytes of the same render made here.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from worldforge.conductor.render import RenderBatch, choose, render, scene_start, unillustrated
from worldforge.core.errors import StoryError
from worldforge.core.graph import StoryGraph
from worldforge.engines.cancel import CancelToken
from worldforge.engines.image.cluster import (
    LOCAL,
    RenderQueue,
    RenderRequest,
    WorkerPool,
    connect,
    disconnect,
)
from worldforge.engines.image.protocol import ImageEngine, ImageResult, ImageSettings, Reference, StepCallback
from worldforge.store.folder import StoryFolder

# pictures done, pictures in the whole job
ProgressCallback = Callable[[int, int], None]


@contextmanager
def cluster_pool(
    engine: ImageEngine, address: str = LOCAL, workers: int | None = None
) -> Iterator[WorkerPool]:
    """Ray workers with `engine` loaded, on the cluster at `address` ("local": one started
    here for this job and stopped after it); ended when the block ends."""
    started = connect(address)
    try:
        # this process composes the prompts with the engine's tokenizer: resolving it first
        # fails early when the model is missing here, and builds the tiny model once
        engine.count_tokens("")
        pool = WorkerPool(engine, workers)
        try:
            yield pool
        finally:
            pool.close()
    finally:
        if started:
            disconnect()


@dataclass(frozen=True)
class _Call:
    """What `render` asked the engine for."""

    prompt: str
    settings: ImageSettings
    init_image: bytes | None
    references: tuple[Reference, ...] = ()


class _Asked(Exception):
    def __init__(self, call: _Call):
        super().__init__("render asked for pictures")
        self.call = call


class _Relay:
    """An ImageEngine for `render`: the local engine's names, defaults and tokenizer, with
    pictures made elsewhere. Without `results`, `generate` stops `render` with what it asked."""

    def __init__(
        self, engine: ImageEngine, results: list[ImageResult] | None = None, asked: _Call | None = None
    ):
        self.name = engine.name
        self.model_id = engine.model_id
        self.label = engine.label
        self.offline_tiny = engine.offline_tiny
        self.defaults = engine.defaults
        self.init_steps = engine.init_steps
        self.allow_download = False  # the workers load the model; this relay loads nothing
        self.ip_adapter = engine.ip_adapter
        self._engine = engine
        self._results = results
        self._asked = asked

    @property
    def loaded(self) -> bool:
        return True

    def load(self, progress: Callable[[str], None] | None = None) -> None:
        return None

    def wanted_download(self) -> str | None:
        return None

    def count_tokens(self, text: str) -> int:
        return self._engine.count_tokens(text)

    def tokens(self, text: str) -> list[str]:
        return self._engine.tokens(text)

    @property
    def token_limit(self) -> int:
        return self._engine.token_limit

    def generate(
        self,
        prompt: str,
        settings: ImageSettings,
        init_image: bytes | None = None,
        on_step: StepCallback | None = None,
        cancel: CancelToken | None = None,
        references: tuple[Reference, ...] = (),
    ) -> list[ImageResult]:
        call = _Call(prompt, settings, init_image, references)
        if self._results is None:
            raise _Asked(call)
        if call != self._asked:
            raise StoryError("the scene changed while the cluster rendered it; run the command again")
        return self._results


@dataclass
class _Scene:
    scene_id: str
    settings: ImageSettings
    init: str | None
    call: _Call
    results: dict[int, ImageResult] = field(default_factory=dict)


class _Job:
    """The scenes of one job, their requests in the queue, and the pictures that came back."""

    def __init__(
        self,
        pool: WorkerPool,
        folder: StoryFolder,
        engine: ImageEngine,
        preset: str | None,
        hide_prompt: bool,
        total: int,
        on_picture: ProgressCallback | None,
        use_references: bool = True,
    ):
        self.use_references = use_references
        self.queue = RenderQueue(pool)
        self.folder = folder
        self.engine = engine
        self.preset = preset
        self.hide_prompt = hide_prompt
        self.total = total
        self.done = 0
        self.on_picture = on_picture
        self.scenes: dict[str, _Scene] = {}

    def _render(self, scene: str, settings: ImageSettings, init: str | None, relay: _Relay) -> RenderBatch:
        return render(
            self.folder,
            scene,
            relay,
            settings,
            self.preset,
            init,
            hide_prompt=self.hide_prompt,
            use_references=self.use_references,
        )

    def ask(self, scene_id: str, settings: ImageSettings, init: str | None) -> None:
        """Queue one request per candidate of the scene, seeded as a local render seeds them."""
        if settings.seed is None:
            settings = dataclasses.replace(settings, seed=secrets.randbelow(2**31))
        try:
            self._render(scene_id, settings, init, _Relay(self.engine))
        except _Asked as asked:
            call = asked.call
        self.scenes[scene_id] = _Scene(scene_id, settings, init, call)
        base = call.settings.seed
        assert base is not None
        for k in range(call.settings.candidates):
            one = dataclasses.replace(call.settings, seed=base + k, candidates=1)
            self.queue.put(RenderRequest((scene_id, k), call.prompt, one, call.init_image, call.references))

    def next_scene(self) -> RenderBatch:
        """Wait for pictures until a scene has all its candidates; store them in the story."""
        while True:
            request, [result] = self.queue.next()
            scene_id, k = request.key
            scene = self.scenes[scene_id]
            scene.results[k] = dataclasses.replace(result, index=k)
            self.done += 1
            if self.on_picture is not None:
                self.on_picture(self.done, self.total)
            if len(scene.results) == scene.call.settings.candidates:
                del self.scenes[scene_id]
                results = [scene.results[k] for k in sorted(scene.results)]
                relay = _Relay(self.engine, results, scene.call)
                return self._render(scene_id, scene.settings, scene.init, relay)


def render_on_cluster(
    pool: WorkerPool,
    folder: StoryFolder,
    scene_id: str,
    engine: ImageEngine,
    settings: ImageSettings,
    preset: str | None = None,
    init: str | None = None,
    hide_prompt: bool = False,
    on_picture: ProgressCallback | None = None,
    use_references: bool = True,
) -> RenderBatch:
    """`render` with the candidates spread over the pool's workers (attached, not saved)."""
    job = _Job(pool, folder, engine, preset, hide_prompt, settings.candidates, on_picture, use_references)
    job.ask(scene_id, settings, init)
    return job.next_scene()


def render_all_on_cluster(
    pool: WorkerPool,
    folder: StoryFolder,
    engine: ImageEngine,
    settings: ImageSettings,
    preset: str | None = None,
    continuity: bool = False,
    hide_prompt: bool = False,
    on_picture: ProgressCallback | None = None,
) -> list[RenderBatch]:
    """`render_all` on the pool: every scene without a picture, candidate 1 chosen, each
    scene saved as soon as its last candidate is in, so a stopped job resumes where it
    stopped. With `continuity` a scene waits for the parents rendered before it in this job
    and starts from their picture, as it would here."""
    story = folder.story
    graph = StoryGraph(story)
    todo = unillustrated(story)
    job = _Job(pool, folder, engine, preset, hide_prompt, len(todo) * settings.candidates, on_picture)
    earlier = {sid: set(todo[:number]) for number, sid in enumerate(todo)}
    waiting = {sid: earlier[sid] & set(graph.parents(sid)) if continuity else set() for sid in todo}
    batches = []

    def ask_ready() -> None:
        for sid in [sid for sid, parents in waiting.items() if not parents]:
            del waiting[sid]
            init, scene_settings = scene_start(story, graph, sid, engine, settings, continuity)
            job.ask(sid, scene_settings, init)

    ask_ready()
    while job.scenes:
        batch = job.next_scene()
        choose(story, batch.scene_id, batch.renders[0].image)
        folder.save()
        batches.append(batch)
        for parents in waiting.values():
            parents.discard(batch.scene_id)
        ask_ready()
    return batches
