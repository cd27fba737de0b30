"""The text engine: any causal LM (hub id or local folder) behind the TextEngine protocol.

Nothing heavy happens at construction: files are resolved, weights loaded and (for the
fast CPU path) converted in `load()`, so building an engine never imports torch.

Backends (each a TextBackend): "transformers" (torch; any device) and "ctranslate2" (int8,
CPU, ~2.9x faster here). "auto" picks CTranslate2 on CPU when it is installed and no dtype
is asked for (argument or WORLDFORGE_DTYPE), transformers otherwise.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from worldforge.core.compute import transformer_flops
from worldforge.engines.cancel import CancelToken
from worldforge.engines.device import pick_device, pick_dtype, requested_dtype
from worldforge.engines.errors import EngineError
from worldforge.engines.quiet import quiet
from worldforge.engines.record import GenerationRecord, library_versions
from worldforge.engines.source import ModelSource, context_window, parameter_count
from worldforge.engines.text.backend import TextBackend
from worldforge.engines.text.bpe import gpt2_tokenizer
from worldforge.engines.text.protocol import TextResult, TextSettings, TokenCallback
from worldforge.engines.text.streams import CandidateStream

Backend = Literal["auto", "transformers", "ctranslate2"]
BACKENDS = ("auto", "transformers", "ctranslate2")
SEED_SPACE = 2**31


def candidate_seed(base: int, index: int) -> int:
    """Seed of candidate `index` of a call seeded `base` (base, base+1, ... as in A1111)."""
    return (base + index) % SEED_SPACE


class CausalTextEngine:
    """A TextEngine over a causal language model."""

    def __init__(
        self,
        source: ModelSource,
        backend: Backend = "auto",
        device: str | None = None,
        dtype: str | None = None,
        offline_tiny: bool = False,
        threads: int | None = None,
        allow_download: bool = False,
    ) -> None:
        if backend not in BACKENDS:
            raise EngineError(f"unknown text backend {backend!r}: choose one of {', '.join(BACKENDS)}")
        self.source = source
        self.model_id = source.model_id
        self.license = source.license
        self.offline_tiny = offline_tiny
        self.allow_download = allow_download
        self.requested_backend = backend
        self.name: str = backend
        self.device = device
        self.dtype = dtype
        self.threads = threads
        self.revision: str | None = None
        self.parameters = 0
        self._folder: Path | None = None
        self._tokenizer: Any = None
        self._backend: TextBackend | None = None
        self._lock = threading.Lock()

    # -- loading ---------------------------------------------------------------
    @property
    def label(self) -> str:
        return self.model_id

    @property
    def loaded(self) -> bool:
        return self._backend is not None

    def files(self) -> Path:
        """The model's folder (a hub id not cached yet is downloaded only if allowed)."""
        if self._folder is None:
            self._folder, self.revision = self.source.resolve(download=self.allow_download)
        return self._folder

    def wanted_download(self) -> str | None:
        return self.source.wanted_download()

    def tokenizer(self) -> Any:
        if self._tokenizer is None:
            self._tokenizer = gpt2_tokenizer(self.files())
        if self._tokenizer is None:
            from transformers import AutoTokenizer

            with quiet():
                self._tokenizer = AutoTokenizer.from_pretrained(self.files(), trust_remote_code=False)
        return self._tokenizer

    def load(self, progress: Callable[[str], None] | None = None) -> None:
        if self._backend is not None:
            return
        with self._lock:
            if self._backend is not None:
                return
            say = progress or (lambda _msg: None)
            say(f"finding {self.model_id}")
            folder = self.files()
            tokenizer = self.tokenizer()
            self.parameters = parameter_count(folder)
            self._backend = self._make_backend(folder, tokenizer, say)
            # what was asked for until now; what runs from here on
            self.device = self._backend.device
            self.dtype = self._backend.dtype
            self.name = self._backend.name

    def _make_backend(self, folder: Path, tokenizer: Any, say: Callable[[str], None]) -> TextBackend:
        device = pick_device(self.device)
        dtype = requested_dtype(self.dtype)
        backend = self.requested_backend
        if backend == "auto":
            from worldforge.engines.text.backend_ctranslate2 import ct2_available

            use_ct2 = device == "cpu" and dtype is None and ct2_available()
            backend = "ctranslate2" if use_ct2 else "transformers"
        if backend == "ctranslate2":
            if device != "cpu":
                raise EngineError("the ctranslate2 backend runs on CPU here; use --backend transformers")
            from worldforge.engines.text.backend_ctranslate2 import CTranslate2Backend

            say(f"loading {self.model_id} (CTranslate2 int8)")
            return CTranslate2Backend(
                folder,
                self.model_id,
                self.revision or "",
                tokenizer.convert_ids_to_tokens,
                tokenizer.eos_token,
                say,
                self.threads,
            )
        from worldforge.engines.text.backend_transformers import TorchBackend

        say(f"loading {self.model_id} on {device}")
        return TorchBackend(folder, device, pick_dtype(device, dtype, bf16_on_cpu=False))

    # -- the protocol ----------------------------------------------------------
    @property
    def context_window(self) -> int:
        return context_window(self.files())

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer().encode(text, add_special_tokens=False))

    def warm_up(self, settings: TextSettings, context: str | None = None) -> None:
        """Get the loaded backend ready for calls with these settings: for `context` itself
        (read now and remembered), or else for any context filling the window. Does nothing
        before load() or for a bad size."""
        backend = self._backend
        room = self.context_window - settings.max_new_tokens if backend is not None else 0
        if backend is None or room < 2 or settings.candidates < 1:
            return
        # without a context, any ids the vocabulary has: only the sizes matter
        ids = [i % 256 for i in range(room)] if context is None else self._prompt_ids(context, room)
        with self._lock:
            backend.warm_up(ids, settings.candidates, keep=context is not None)

    def _prompt_ids(self, context: str, room: int) -> list[int]:
        """The ids the model reads for `context`: its last `room` tokens (one end-of-text
        token for an empty context)."""
        tokenizer = self.tokenizer()
        ids: list[int] = tokenizer.encode(context, add_special_tokens=False) or [tokenizer.eos_token_id]
        return ids[-room:]

    def generate(
        self,
        context: str,
        settings: TextSettings,
        on_token: TokenCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> list[TextResult]:
        """K candidates continuing `context`; each token streams to `on_token(index, piece)`.

        Raises Cancelled when `cancel` fires (within one token). The seed actually used is
        recorded in each result, so a call with `seed=None` can still be re-run exactly.
        """
        if settings.candidates < 1 or settings.max_new_tokens < 1:
            raise EngineError("candidates and max_new_tokens must be at least 1")
        self.load()
        backend = self._backend
        assert backend is not None  # load() set it
        tokenizer = self.tokenizer()
        window = self.context_window
        room = window - settings.max_new_tokens
        if room < 1:
            raise EngineError(
                f"max_new_tokens {settings.max_new_tokens} leaves no room in the {window}-token window"
            )
        prompt_ids = self._prompt_ids(context, room)
        base = settings.seed if settings.seed is not None else secrets.randbelow(SEED_SPACE)
        per_candidate = backend.per_candidate_seeds
        seeds = [candidate_seed(base, i) if per_candidate else base for i in range(settings.candidates)]

        def decode(ids: list[int]) -> str:
            return str(tokenizer.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False))

        streams = [
            CandidateStream(i, decode, settings, tokenizer.eos_token_id, on_token)
            for i in range(settings.candidates)
        ]
        with self._lock:
            started = time.perf_counter()
            backend.run(prompt_ids, streams, settings, seeds, cancel)
            wall = time.perf_counter() - started
        return [
            self._result(backend, stream, seeds[stream.index], base, settings, len(prompt_ids), wall)
            for stream in streams
        ]

    def _result(
        self,
        backend: TextBackend,
        stream: CandidateStream,
        seed: int,
        base: int,
        settings: TextSettings,
        prompt_tokens: int,
        wall: float,
    ) -> TextResult:
        tokens = len(stream.ids)
        record = GenerationRecord(
            engine=backend.name,
            model=self.model_id,
            revision=self.revision,
            license=self.license,
            settings=settings.as_dict() | {"seed": base, "candidate": stream.index},
            seed=seed,
            versions=library_versions("torch", "transformers", "tokenizers", *backend.libraries),
            device=backend.device,
            # one batch makes all candidates: each is charged an equal share of its wall time
            wall_s=wall / settings.candidates,
            test_model=self.offline_tiny,
            flops=transformer_flops(self.parameters, prompt_tokens + tokens) if self.parameters else None,
            parameters=self.parameters,
            prompt_tokens=prompt_tokens,
            tokens=tokens,
            stop_reason=stream.stop_reason or "end of text",
        )
        return TextResult(
            index=stream.index, text=stream.final_text(), seed=seed, tokens=tokens, record=record
        )

    def describe(self) -> str:
        what = "tiny offline test model (random weights: noise, not writing)" if self.offline_tiny else ""
        parts = [self.model_id, self.revision or "", self.name, self.device or "", what]
        return " · ".join(p for p in parts if p)
