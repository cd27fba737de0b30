"""Deterministic stand-in engines for UI tests: configurable delay, honour cancel.

They implement the same protocols as the real engines; the real ones are tested on tiny
models elsewhere (and in the studio test that uses them end to end).
"""

from __future__ import annotations

import io
import time

from PIL import Image

from worldforge.engines.cancel import Cancelled, CancelToken
from worldforge.engines.image.protocol import ImageResult, ImageSettings
from worldforge.engines.text.protocol import TextResult, TextSettings
from worldforge.prompting.image_prompt import CLIP_CONTENT_TOKENS, approx_clip_tokens

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
    offline_tiny = False

    def __init__(self, delay: float = 0.0, words: int = 6, load_delay: float = 0.0) -> None:
        self.delay = delay
        self.words = words
        self.load_delay = load_delay
        self.calls = 0

    def load(self, progress=None) -> None:
        time.sleep(self.load_delay)

    @property
    def context_window(self) -> int:
        return 1024

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def generate(
        self, context: str, settings: TextSettings, on_token=None, cancel: CancelToken | None = None
    ):
        self.calls += 1
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
            results.append(
                TextResult(
                    index=index,
                    text="".join(pieces) + ".",
                    seed=seed + index,
                    tokens=self.words,
                    record={
                        "engine": "fake",
                        "model": self.model_id,
                        "settings": settings.as_dict(),
                        "device": "cpu",
                        "wall_s": 0.01,
                        "parameters": 1000,
                    },
                )
            )
        return results


class FakeImageEngine:
    name = "fake"
    model_id = "fake/gradient"
    offline_tiny = False

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay

    def load(self, progress=None) -> None:
        pass

    def count_tokens(self, text: str) -> int:
        return approx_clip_tokens(text)

    token_limit = CLIP_CONTENT_TOKENS

    def generate(
        self,
        prompt: str,
        settings: ImageSettings,
        init_image=None,
        on_step=None,
        cancel: CancelToken | None = None,
    ):
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
            buffer = io.BytesIO()
            picture.save(buffer, format="PNG")
            results.append(
                ImageResult(
                    index=index,
                    png=buffer.getvalue(),
                    seed=seed,
                    record={"engine": "fake", "model": self.model_id, "prompt": prompt},
                )
            )
        return results
