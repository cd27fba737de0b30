"""Fast CPU backend: CTranslate2 with int8 weights, converted once and cached.

Measured on a 2-core CPU (bench/text.py): GPT-2 small, 4 candidates x 128 tokens, ~150
tokens/s from a 64-token prompt. All candidates run as one batch; a callback streams each
token as it is sampled.

The prompt is read once per call, at batch 1, as CTranslate2's static prompt (all of it but
its last token), and its state is copied to the K candidates.

Seeding: CTranslate2 samples from one random generator per worker thread, seeded when the
thread first samples. So every call gets a fresh Generator (loading int8 GPT-2 small from
the page cache takes ~0.05 s), seeded just before it runs. The candidates of a call share
that one seed: re-running the call with the same seed and candidate count gives the same
texts.

Re-roll: after each call, the next Generator is loaded in the background and, READ_AHEAD_DELAY
later, reads the call's prompt there, with greedy decoding (which draws no random numbers, so its seeding is
untouched); CTranslate2 keeps that prompt's state in the Generator. A re-roll of the same
context then starts sampling at once. The read runs one greedy step for as many rows as the
call had candidates: CTranslate2 copies the remembered state to every row at the start of
each call (226 MB for 4 rows of a 768-token prompt), and doing so once ahead, on the same
worker thread, leaves that memory mapped in its heap (see engines.heap) for the re-roll's
copy. Measured on 2 cores, a 768-token re-roll's first token came after 0.15-0.2 s, most
of it 65,000 page faults, and after 0.07 s with the memory already mapped.

What is remembered is one prompt's state (float32 keys and values: 72 MiB for GPT-2 small's
full 1024-token window), held by the one waiting Generator and dropped with it. Its numbers
are the same as a cold read's: the static prompt is read in one piece either way. A context
that changed, even only at its end, is read again in full (CTranslate2 matches static
prompts exactly). The delay lets a process that exits right after its one call (`worldforge
expand`) skip the read instead of waiting for it: once the interpreter is shutting down,
the pool refuses the read.

Warm-up: a fresh process's first call also pays for mapping the memory it needs (0.59-0.63
s to the first token of a 768-token first expand here, against 0.43-0.49 s once mapped).
`warm_up` has the waiting Generator read a prompt of that size for that many rows right
after loading, without keeping its state, so the memory is mapped and free when the first
call comes. The studio does this after loading; a one-shot command does not, since the
read would only add to its time.

Reading ahead: `warm_up(..., keep=True)` is the re-roll's read-ahead for a prompt that has
not been sent yet (the studio sends the context of the scene on screen once the conductor
pauses there): a fresh Generator reads it at once, and the first expand of that scene then
starts as a re-roll does. The prompt the waiting Generator holds is noted, so asking again
for the same one reads nothing.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from worldforge.engines.cancel import Cancelled, CancelToken
from worldforge.engines.heap import keep_large_buffers
from worldforge.engines.quiet import quiet
from worldforge.engines.source import weight_files
from worldforge.engines.text.ct2_isa import built_with_avx512
from worldforge.engines.text.protocol import TextSettings
from worldforge.engines.text.streams import CandidateStream
from worldforge.locations import converted_dir

READ_AHEAD_DELAY = 0.2  # seconds after a call before the next Generator reads its prompt


def ct2_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("ctranslate2") is not None


def cpu_threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def converted_path(model_id: str, revision: str, quantization: str) -> Path:
    """Cache key: model id + revision + quantization, so new weights never reuse old ones."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", model_id).strip("-.")[-64:]
    rev = re.sub(r"[^A-Za-z0-9]+", "-", revision)[:40]
    return converted_dir() / f"{name}--{rev}--ct2-{quantization}"


def ensure_converted(
    folder: Path,
    model_id: str,
    revision: str,
    quantization: str = "int8",
    progress: Callable[[str], None] | None = None,
) -> Path:
    """The CTranslate2 copy of the model in `folder`, converted on first use.

    The conversion loads the weights through transformers with `use_safetensors=True`, so a
    pickled `pytorch_model.bin` in the folder is never read (without it, transformers falls
    back to the pickle when there is no `model.safetensors`)."""
    target = converted_path(model_id, revision, quantization)
    if (target / "model.bin").is_file():
        return target
    weight_files(folder)  # refuses a folder whose weights are not safetensors, clearly
    from ctranslate2.converters import TransformersConverter

    class SafetensorsConverter(TransformersConverter):
        def load_model(self, model_class: Any, model_name_or_path: str, **kwargs: Any) -> Any:
            return super().load_model(model_class, model_name_or_path, use_safetensors=True, **kwargs)

    if progress:
        progress(f"converting {model_id} to CTranslate2 {quantization} (once)")
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        with quiet():
            SafetensorsConverter(str(folder), trust_remote_code=False).convert(
                str(work / "model"), quantization=quantization, force=True
            )
        if target.exists():
            shutil.rmtree(target)
        os.replace(work / "model", target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


class CTranslate2Backend:
    """A TextBackend on CTranslate2 (CPU, int8). It reads token strings, not ids."""

    name = "ctranslate2-int8"
    per_candidate_seeds = False
    device = "cpu"
    dtype = "int8"
    libraries: tuple[str, ...] = ("ctranslate2",)

    def __init__(
        self,
        folder: Path,
        model_id: str,
        revision: str,
        tokens_of: Callable[[list[int]], list[str]],
        eos_token: str | None,
        progress: Callable[[str], None] | None = None,
        threads: int | None = None,
    ) -> None:
        self.path = ensure_converted(folder, model_id, revision, "int8", progress)
        keep_large_buffers()
        self.threads = threads or cpu_threads()
        self.tokens_of = tokens_of
        self.eos_token = eos_token
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ct2-load")
        self._guard = threading.Lock()  # who may use the waiting Generator: a call or the read
        self._next: Future[Any] | None = self._pool.submit(self._fresh_generator)
        self._held: tuple[list[str], int] | None = None  # (static prompt, rows) read ahead

    def _fresh_generator(self) -> Any:
        import ctranslate2

        return built_with_avx512(
            lambda: ctranslate2.Generator(
                str(self.path), device="cpu", compute_type="int8", intra_threads=self.threads
            )
        )

    def _prepare_next(self, static_prompt: list[str], rows: int, delay: float = READ_AHEAD_DELAY) -> None:
        """Load the next Generator now; have it read `static_prompt` for `rows` `delay` s later."""
        loading = self._pool.submit(self._fresh_generator)
        with self._guard:
            self._next = loading
            self._held = (static_prompt, rows) if static_prompt else None
        if static_prompt and delay <= 0:
            self._read_ahead(loading, static_prompt, rows)
        elif static_prompt:
            timer = threading.Timer(delay, self._read_ahead, (loading, static_prompt, rows))
            timer.daemon = True  # it only schedules; the reading itself runs on the pool
            timer.start()

    def _read_ahead(self, loading: Future[Any], static_prompt: list[str], rows: int) -> None:
        with self._guard:
            if self._next is not loading:  # a call has taken this Generator already
                return
            try:
                self._next = self._pool.submit(self._read, loading, static_prompt, rows)
            except RuntimeError:  # the interpreter is shutting down: no call will come
                return

    @staticmethod
    def _read(loading: Future[Any], static_prompt: list[str], rows: int, keep: bool = True) -> Any:
        generator = loading.result()
        generator.generate_batch(
            [static_prompt[-1:]] * rows,
            max_length=1,
            sampling_topk=1,  # greedy: draws nothing from the generator's random numbers
            static_prompt=static_prompt,
            cache_static_prompt=keep,
            include_prompt_in_result=False,
        )
        return generator

    @classmethod
    def _warm_read(cls, loading: Future[Any], static_prompt: list[str], rows: int) -> Any:
        try:
            return cls._read(loading, static_prompt, rows, keep=False)
        except Exception:  # noqa: BLE001 - a failed warm-up only loses its speed-up
            return loading.result()  # (a Generator that failed to load still says so)

    def warm_up(self, prompt_ids: list[int], rows: int, keep: bool) -> None:
        """Without `keep`: the waiting Generator reads a prompt like `prompt_ids` for `rows`
        rows, keeping nothing, so its memory is mapped for the first call. With it: a fresh
        Generator reads this prompt and keeps it for the next call. Runs on the pool."""
        static_prompt = self.tokens_of(prompt_ids)[:-1]
        if not static_prompt:
            return
        with self._guard:
            if self._next is None:  # a call is running: it maps the memory itself
                return
            if keep and self._held == (static_prompt, rows):
                return  # read ahead already
            if not keep:
                with contextlib.suppress(RuntimeError):  # the interpreter is shutting down
                    self._next = self._pool.submit(self._warm_read, self._next, static_prompt, rows)
                return
        self._prepare_next(static_prompt, rows, delay=0)

    def run(
        self,
        prompt_ids: list[int],
        streams: list[CandidateStream],
        settings: TextSettings,
        seeds: list[int],
        cancel: CancelToken | None,
    ) -> None:
        import ctranslate2

        prompt_tokens = self.tokens_of(prompt_ids)
        static_prompt = prompt_tokens[:-1]
        with self._guard:
            waiting, self._next, self._held = self._next, None, None
        assert waiting is not None  # one call at a time: the engine holds its lock
        generator = waiting.result()
        failure: list[BaseException] = []

        def on_step(step: Any) -> bool:
            # runs on CTranslate2's worker thread; returning True ends that candidate
            if failure or (cancel is not None and cancel.cancelled):
                return True
            try:
                return streams[int(step.batch_id)].push(int(step.token_id))
            except BaseException as exc:  # raised by the caller's on_token: stop, re-raise below
                failure.append(exc)
                return True

        greedy = settings.temperature <= 0
        try:
            ctranslate2.set_random_seed(seeds[0])
            generator.generate_batch(
                [prompt_tokens[-1:]] * len(streams),
                max_length=settings.max_new_tokens,
                sampling_topk=1 if greedy else max(settings.top_k, 0),
                sampling_topp=1.0 if greedy else settings.top_p,
                sampling_temperature=1.0 if greedy else settings.temperature,
                repetition_penalty=settings.repetition_penalty,
                end_token=self.eos_token,
                static_prompt=static_prompt or None,
                cache_static_prompt=True,
                include_prompt_in_result=False,
                callback=on_step,
            )
        finally:
            del generator
            self._prepare_next(static_prompt, len(streams))
        if failure:
            raise failure[0]
        if cancel is not None and cancel.cancelled:
            raise Cancelled()
