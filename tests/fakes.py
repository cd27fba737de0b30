"""Deterministic stand-in engines for UI tests: configurable delay, honour cancel.

They implement the whole protocols (tests/test_engine_protocols.py checks it), and report
full records, so the conductor and the studio run their real code paths on them; the real
engines are tested on tiny models elsewhere (and in the studio test that uses them end to end).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PIL import Image

from worldforge.engines.cancel import Cancelled, CancelToken
from worldforge.engines.errors import ModelUnavailable
from worldforge.engines.image.protocol import ImageResult, ImageSettings, Reference, StepCallback
from worldforge.engines.record import GenerationRecord
from worldforge.engines.text.protocol import TextResult, TextSettings, TokenCallback
from worldforge.prompting.image_prompt import CLIP_CONTENT_TOKENS, approx_clip_token_list, approx_clip_tokens

VERSIONS = {"worldforge": "test"}

WORDS = [
    "the",
    "red",
    "crane",
    "sang",
    "over",
    "the",
    "dock",
    "and",
    "the",
    "crowd",
    "answered",
    "in",
    "one",
    "voice",
]


class FakeTextEngine:
    name = "fake"
    model_id = "fake/echo"
    label = "fake/echo"
    offline_tiny = False

    def __init__(
        self, delay: float = 0.0, words: int = 6, load_delay: float = 0.0, missing: str | None = None
    ) -> None:
        self.delay = delay
        self.words = words
        self.load_delay = load_delay
        self.calls = 0
        self.loaded = False
        self.allow_download = False
        self.missing = missing  # a hub id whose weights "are not here": loading needs a download
        self.downloaded = False
        self.warmed: list[tuple[TextSettings, str | None]] = []
        self.contexts: list[str] = []  # what generate was sent, in order

    def warm_up(self, settings: TextSettings, context: str | None = None) -> None:
        self.warmed.append((settings, context))

    def wanted_download(self) -> str | None:
        return None if self.downloaded else self.missing

    def load(self, progress: Callable[[str], None] | None = None) -> None:
        if self.wanted_download() is not None:
            if not self.allow_download:
                raise ModelUnavailable(f"the weights of {self.missing!r} are not on this machine")
            self.downloaded = True
        time.sleep(self.load_delay)
        self.loaded = True

    @property
    def context_window(self) -> int:
        return 1024

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def describe(self) -> str:
        return f"{self.model_id} · {self.name}"

    def generate(
        self,
        context: str,
        settings: TextSettings,
        on_token: TokenCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> list[TextResult]:
        self.calls += 1
        self.contexts.append(context)
        seed = settings.seed if settings.seed is not None else 1000 + self.calls
        results = []
        for index in range(settings.candidates):
            pieces = []
            for n in range(self.words):
                if cancel is not None and cancel.cancelled:
                    raise Cancelled()
                time.sleep(self.delay)
                piece = " " + WORDS[(seed + index * 3 + n) % len(WORDS)]
                pieces.append(piece)
                if on_token:
                    on_token(index, piece)
            record = GenerationRecord(
                engine=self.name,
                model=self.model_id,
                revision=None,
                license=None,
                settings=settings.as_dict(),
                seed=seed + index,
                versions=VERSIONS,
                device="cpu",
                wall_s=0.01,
                flops=2000.0 * self.words,
                parameters=1000,
                prompt_tokens=self.count_tokens(context),
                tokens=self.words,
                stop_reason="max tokens",
            )
            text = "".join(pieces) + "."
            results.append(
                TextResult(index=index, text=text, seed=seed + index, tokens=self.words, record=record)
            )
        return results


class FakeImageEngine:
    name = "fake"
    model_id = "fake/gradient"
    label = "fake/gradient"
    offline_tiny = False
    init_steps: int | None = None
    ip_adapter: str | None = None

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.defaults = ImageSettings()
        self.loaded = False
        self.allow_download = False

    def wanted_download(self) -> str | None:
        return None

    def load(self, progress: Callable[[str], None] | None = None) -> None:
        self.loaded = True

    def count_tokens(self, text: str) -> int:
        return approx_clip_tokens(text)

    def tokens(self, text: str) -> list[str]:
        return approx_clip_token_list(text)

    @property
    def token_limit(self) -> int:
        return CLIP_CONTENT_TOKENS

    def generate(
        self,
        prompt: str,
        settings: ImageSettings,
        init_image: bytes | None = None,
        on_step: StepCallback | None = None,
        cancel: CancelToken | None = None,
        references: tuple[Reference, ...] = (),
    ) -> list[ImageResult]:
        results = []
        base = settings.seed if settings.seed is not None else 7
        for index in range(settings.candidates):
            seed = base + index
            for step in range(1, settings.steps + 1):
                if cancel is not None and cancel.cancelled:
                    raise Cancelled()
                time.sleep(self.delay)
                if on_step:
                    on_step(index, step, settings.steps, None)
            picture = Image.new("RGB", (32, 32), ((seed * 40) % 256, 80, 160))
            used = {
                "width": 32,
                "height": 32,
                "steps": settings.steps,
                "guidance": settings.guidance,
                "scheduler": "EulerDiscreteScheduler",
            }
            if not settings.hide_prompt:
                used = {"prompt": prompt, "negative_prompt": settings.negative_prompt, **used}
            record = GenerationRecord(
                engine=self.name,
                model=self.model_id,
                revision=None,
                license=None,
                settings=used,
                seed=seed,
                versions=VERSIONS,
                device="cpu",
                wall_s=0.01,
                prompt_hidden=settings.hide_prompt,
            )
            results.append(ImageResult(index=index, image=picture, seed=seed, record=record))
        return results
