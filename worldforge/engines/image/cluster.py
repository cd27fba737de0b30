"""Pictures rendered by Ray workers: connecting, one loaded pipeline per worker, a work queue.

Ray is an optional dependency (the `cluster` extra) imported only inside these functions,
so nothing else in worldforge loads it. Each worker is a Ray actor that builds the same
engine the driver chose, loads it once, and renders one candidate per request; it returns
pixels and a record, never files: the driver alone writes the story. The queue sends each
worker at most `WINDOW` requests at a time (so it always has the next one), hands results
back as they finish, and gives the requests of a worker that died to the others.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import socket
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from worldforge.engines.errors import EngineError
from worldforge.engines.image.protocol import ImageEngine, ImageResult, ImageSettings, Reference
from worldforge.engines.tiny import TINY

INSTALL_HINT = 'pip install "worldforge[cluster]"'
LOCAL = "local"
# Ray's switch for "one machine only": its node address becomes loopback, so every server
# of a private cluster (GCS, raylet, object manager, workers) listens on 127.0.0.1 alone
LOOPBACK_ONLY = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
# requests queued on one worker: one rendering, one waiting, so no worker idles between them
WINDOW = 2


class ClusterError(EngineError):
    """Ray is missing, the cluster cannot be reached, or no worker is left to render."""


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ClusterError(f"rendering on a Ray cluster needs Ray: {INSTALL_HINT}") from None
    return ray


def connect(address: str = LOCAL, cpus: int | None = None) -> bool:
    """Join the cluster at `address` (`ray://host:10001`, `auto`), or with "local" start a
    private one limited to `cpus` (default: this machine's CPUs); returns whether a cluster
    was started here, so the caller knows to `disconnect`. A process already connected
    keeps its connection.
    """
    ray = _ray()
    if ray.is_initialized():
        return False
    options: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.ERROR}
    if address == LOCAL:
        # no dashboard: it starts a dozen processes a render job never looks at
        options.update(num_cpus=cpus or os.cpu_count() or 1, include_dashboard=False)
    try:
        if address == LOCAL:
            with _loopback_only(ray):
                ray.init(**options)
        else:
            ray.init(address=address, **options)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ClusterError(f"cannot reach the Ray cluster at {address}: {exc}") from None
    return address == LOCAL


@contextmanager
def _loopback_only(ray: Any) -> Iterator[None]:
    """Start a private cluster reachable from this machine only. On Linux Ray otherwise
    takes the interface address as the node's and its servers listen there, open to the
    network with no login; `_node_ip_address="127.0.0.1"` does not help, as Ray swaps a
    loopback address for the interface's. Ray reads the switch when it is imported (this
    process may have imported it already) and its processes read it from the environment,
    so both are set while the cluster starts, then put back for a later `connect("auto")`.
    """
    from ray._private import ray_constants

    saved_env, saved_flag = os.environ.get(LOOPBACK_ONLY), ray_constants.ENABLE_RAY_CLUSTER
    os.environ[LOOPBACK_ONLY] = "0"
    ray_constants.ENABLE_RAY_CLUSTER = False
    try:
        yield
    finally:
        ray_constants.ENABLE_RAY_CLUSTER = saved_flag
        if saved_env is None:
            os.environ.pop(LOOPBACK_ONLY, None)
        else:
            os.environ[LOOPBACK_ONLY] = saved_env


def disconnect() -> None:
    _ray().shutdown()


def worker_choice(engine: ImageEngine) -> str:
    """What a worker passes to `image_engine` to build the driver's engine on its machine."""
    return TINY if engine.offline_tiny else engine.model_id


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class RenderWorker:
    """The body of one Ray actor: one loaded pipeline, renders on request."""

    def __init__(self, choice: str, threads: int, allow_download: bool = False):
        self.host = socket.gethostname()
        self.problem: str | None = None
        from worldforge.engines.image.registry import image_engine

        # a worker fetches the model only where the user agreed to it for the driver
        self.engine = image_engine(choice, allow_download=allow_download)
        try:
            self.engine.load()
        except EngineError as exc:
            # kept, not raised: a failed actor start would reach the driver as a traceback
            self.problem = str(exc)
            return
        import torch

        torch.set_num_threads(threads)

    def place(self) -> tuple[str, str, str | None]:
        """Host, device, and why the model could not load (None when it did)."""
        return self.host, self.engine.device, self.problem

    def render(
        self,
        prompt: str,
        settings: ImageSettings,
        init_image: bytes | None,
        references: tuple[Reference, ...] = (),
    ) -> list[ImageResult]:
        results = self.engine.generate(prompt, settings, init_image, references=references)
        return [
            dataclasses.replace(result, record=dataclasses.replace(result.record, host=self.host))
            for result in results
        ]


@dataclass(frozen=True)
class Worker:
    actor: Any
    host: str
    device: str


def _shares(workers: int | None) -> tuple[int, dict[str, float]]:
    """How many workers to start and what each reserves: one per GPU when the cluster has
    GPUs, else one per machine with its CPUs; `workers` splits the cluster evenly instead."""
    ray = _ray()
    total = ray.cluster_resources()
    gpus = int(total.get("GPU", 0))
    cpus = int(total.get("CPU", 1))
    nodes = [node for node in ray.nodes() if node.get("Alive")]
    count = workers or gpus or max(1, len(nodes))
    if gpus:
        # Ray takes whole GPUs, or fractions of one: several workers then share each GPU
        return count, {"num_gpus": 1 / math.ceil(count / gpus), "num_cpus": 1}
    smallest = min((int(n["Resources"].get("CPU", 1)) for n in nodes), default=cpus)
    per = min(smallest, cpus // count) if count <= cpus else 0
    # Ray takes whole CPUs above one and fractions below it
    return count, {"num_cpus": per if per >= 1 else round(cpus / count, 4)}


class WorkerPool:
    """Ray actors, each with the engine loaded; `close` ends them."""

    def __init__(self, engine: ImageEngine, workers: int | None = None):
        ray = _ray()
        count, resources = _shares(workers)
        threads = max(1, int(resources["num_cpus"]))
        remote = ray.remote(max_restarts=0, scheduling_strategy="SPREAD", **resources)(RenderWorker)
        actors = [remote.remote(worker_choice(engine), threads, engine.allow_download) for _ in range(count)]
        self.workers: list[Worker] = []
        try:
            self.workers = self._placed(actors, engine.label)
        except BaseException:
            for actor in actors:
                ray.kill(actor)
            raise

    @staticmethod
    def _placed(actors: list[Any], label: str) -> list[Worker]:
        ray = _ray()
        try:
            places = ray.get([actor.place.remote() for actor in actors])
        except ray.exceptions.RayActorError as exc:
            raise ClusterError(f"a Ray worker failed to start: {_first_line(exc)}") from None
        workers = []
        for actor, (host, device, problem) in zip(actors, places, strict=True):
            if problem:
                raise ClusterError(f"a worker on {host} cannot load {label}: {problem}")
            workers.append(Worker(actor, host, device))
        return workers

    def close(self) -> None:
        ray = _ray()
        for worker in self.workers:
            ray.kill(worker.actor)
        self.workers = []


@dataclass(frozen=True)
class RenderRequest:
    """One picture to render; `key` (the caller's label, a candidate number) tells the caller
    what the result is for."""

    key: tuple[str, int]
    prompt: str
    settings: ImageSettings
    init_image: bytes | None = None
    references: tuple[Reference, ...] = ()


class RenderQueue:
    """One job's requests over a pool: results as they finish, lost requests sent again."""

    def __init__(self, pool: WorkerPool):
        self.pool = pool
        self.alive = list(pool.workers)
        self.waiting: deque[RenderRequest] = deque()
        self.running: dict[Any, tuple[RenderRequest, Worker]] = {}
        # requests sent again because their worker died (for reports and tests)
        self.resent = 0

    def put(self, request: RenderRequest) -> None:
        self.waiting.append(request)
        self._dispatch()

    @property
    def pending(self) -> int:
        return len(self.waiting) + len(self.running)

    def _dispatch(self) -> None:
        if not self.alive and self.waiting:
            raise ClusterError("every Ray worker died; the scenes saved so far are kept, run again to go on")
        for worker in self.alive:
            busy = sum(1 for _request, w in self.running.values() if w is worker)
            while busy < WINDOW and self.waiting:
                request = self.waiting.popleft()
                ref = worker.actor.render.remote(
                    request.prompt, request.settings, request.init_image, request.references
                )
                self.running[ref] = (request, worker)
                busy += 1

    def _lose(self, worker: Worker) -> None:
        """The worker is gone: its requests go back to the front of the queue."""
        _ray().kill(worker.actor)  # an unreachable one too, so it cannot hold resources
        self.alive = [w for w in self.alive if w is not worker]
        lost = [ref for ref, (_request, w) in self.running.items() if w is worker]
        for ref in reversed(lost):
            request, _worker = self.running.pop(ref)
            self.waiting.appendleft(request)
            self.resent += 1

    def next(self) -> tuple[RenderRequest, list[ImageResult]]:
        """The next request to finish, with its pictures (waits; raises if none is pending)."""
        ray = _ray()
        while True:
            if not self.running:
                raise ClusterError("nothing is being rendered")
            [ref], _rest = ray.wait(list(self.running), num_returns=1)
            request, worker = self.running[ref]
            try:
                results: list[ImageResult] = ray.get(ref)
            except ray.exceptions.RayActorError:
                self._lose(worker)
                self._dispatch()
                continue
            except ray.exceptions.RayTaskError as exc:
                # the engine's own error (bad settings, cancel) as if it had run here
                raise exc.cause from None
            del self.running[ref]
            self._dispatch()
            return request, results
