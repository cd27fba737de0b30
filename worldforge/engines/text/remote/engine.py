"""A TextEngine whose model runs on a server speaking OpenAI's raw-completion API
(`POST /v1/completions`): llama.cpp's llama-server, llama-cpp-python, vLLM, KoboldCpp, …

It behaves like the in-process engines: candidates stream piece by piece to `on_token`,
each carries the seed it was sampled with, cancel closes the streams at once (they run as
asyncio tasks; cancelling a task closes its HTTP response), and each result has a record
naming the server (public URL), the served model, its fingerprint and every setting.

K candidates: one request with `n: K` where the server honours `n` (asked once with a
one-token request); otherwise K concurrent requests seeded base, base+1, …, so each
candidate can be re-run alone with its own seed.

Before each call the served model is asked for again: a server that now serves another
model is reported instead of being credited wrongly. A stream that breaks off raises
PartialGeneration with what arrived, kept as partial candidates; nothing is re-sampled.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from worldforge.core.compute import transformer_flops
from worldforge.engines.cancel import Cancelled, CancelToken
from worldforge.engines.errors import EngineError
from worldforge.engines.record import GenerationRecord, library_versions
from worldforge.engines.text.engine import SEED_SPACE, candidate_seed
from worldforge.engines.text.protocol import PartialGeneration, TextResult, TextSettings, TokenCallback
from worldforge.engines.text.remote.address import ServerAddress
from worldforge.engines.text.remote.client import ServerClient, ServerError
from worldforge.engines.text.remote.probe import ServedModel, honours_n, served_model
from worldforge.engines.text.remote.stream import ChunkFacts, TextStream, stream_completion
from worldforge.engines.text.remote.tokens import TokenCounter, local_counter, server_counter

ENGINE_NAME = "openai-completions"
DEFAULT_TIMEOUT = 60.0
# the window assumed when the server does not say (GPT-2's)
DEFAULT_WINDOW = 1024
CANCEL_POLL_S = 0.02


class RemoteTextEngine:
    """A TextEngine over a completion server."""

    offline_tiny = False
    # the weights live with the server: nothing is ever downloaded here
    allow_download = False
    license = None

    def __init__(
        self,
        url: str,
        timeout: float = DEFAULT_TIMEOUT,
        window: int | None = None,
        local_tokenizer: Path | None = None,
        server_tokenizer: bool = True,
    ) -> None:
        try:
            self.address = ServerAddress.parse(url)
        except ValueError as err:
            raise EngineError(str(err)) from None
        if timeout <= 0:
            raise EngineError("the server timeout must be more than 0 seconds")
        self.name = ENGINE_NAME
        self.model_id = self.address.public
        self.server = self.address.public
        self.fallback_window = window or DEFAULT_WINDOW
        self.window_given = window is not None
        self.local_tokenizer = local_tokenizer
        self.server_tokenizer = server_tokenizer
        self.client = ServerClient(self.address, timeout)
        self._served: ServedModel | None = None
        self._counter: TokenCounter | None = None
        self._honours_n: bool | None = None

    # -- loading: asking the server what it is ------------------------------------------
    @property
    def label(self) -> str:
        """Short, for a status line: the model (once known) and the server's host."""
        host = urlsplit(self.server).netloc
        return f"{self._served.id} @ {host}" if self._served else f"server {host}"

    @property
    def loaded(self) -> bool:
        return self._served is not None

    def wanted_download(self) -> str | None:
        return None

    def load(self, progress: Callable[[str], None] | None = None) -> None:
        if self._served is not None:
            return
        if progress:
            progress(f"asking {self.server} which model it serves")
        self._served = served_model(self.client)
        self.model_id = self._served.id
        counter = server_counter(self.client, self.model_id) if self.server_tokenizer else None
        self._counter = counter or local_counter(self.local_tokenizer)

    def _facts(self) -> tuple[ServedModel, TokenCounter]:
        self.load()
        assert self._served is not None and self._counter is not None  # load() set them
        return self._served, self._counter

    @property
    def window(self) -> int:
        """The server's window as it says, else the one assumed."""
        served, _ = self._facts()
        return served.window or self.fallback_window

    @property
    def context_window(self) -> int:
        """The window the context may fill: the server's less the margin of a local count."""
        _, counter = self._facts()
        return self.window - counter.margin(self.window)

    @property
    def counting(self) -> str:
        """How tokens are counted and where the window comes from, for the context report."""
        served, counter = self._facts()
        source = served.window_source or (
            "models.text_window of the story" if self.window_given else "assumed: the server does not say"
        )
        return f"tokens counted with {counter.how}; window {self.window} ({source})"

    def count_tokens(self, text: str) -> int:
        _, counter = self._facts()
        return counter(text)

    # -- generating ----------------------------------------------------------------------
    def warm_up(self, settings: TextSettings, context: str | None = None) -> None:
        """Nothing to do here: the server keeps its own model ready."""

    def generate(
        self,
        context: str,
        settings: TextSettings,
        on_token: TokenCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> list[TextResult]:
        """K candidates continuing `context`, streamed; see the module's docstring."""
        if settings.candidates < 1 or settings.max_new_tokens < 1:
            raise EngineError("candidates and max_new_tokens must be at least 1")
        served, counter = self._facts()
        self._same_model(served)
        if settings.candidates > 1 and self._honours_n is None:
            self._honours_n = honours_n(self.client, served.id)
        together = settings.candidates > 1 and bool(self._honours_n)
        base = settings.seed if settings.seed is not None else secrets.randbelow(SEED_SPACE)
        seeds = [base if together else candidate_seed(base, i) for i in range(settings.candidates)]
        streams = [TextStream(i, settings, on_token) for i in range(settings.candidates)]
        facts = ChunkFacts()
        prompt_tokens = counter(context)  # now: a server that dies mid-stream cannot count after
        started = time.perf_counter()
        error = asyncio.run(self._run(context, settings, seeds, together, streams, facts, cancel))
        wall = time.perf_counter() - started
        n = settings.candidates if together else 1
        results = [
            self._result(s, seeds[s.index], base, n, settings, prompt_tokens, wall, facts, error is not None)
            for s in streams
        ]
        if error is not None:
            kept = [r for r in results if r.text or not r.partial]
            raise PartialGeneration(str(error) + self._window_hint(served, kept), kept)
        return results

    def _window_hint(self, served: ServedModel, kept: list[TextResult]) -> str:
        """Why a server may refuse everything: a window it did not tell, and we guessed too big."""
        if kept or served.window:
            return ""
        return (
            f"; the context was fitted to a window of {self.window} tokens the server did not confirm: "
            "if its window is smaller, set models.text_window in story.yaml to it"
        )

    def _same_model(self, served: ServedModel) -> None:
        now = served_model(self.client)
        if now.id != served.id:
            self._served, self.model_id = now, now.id
            raise ServerError(
                f"the model server at {self.server} now serves {now.id!r}, not {served.id!r} as before; "
                "nothing was generated — ask again to continue with the new model"
            )

    async def _run(
        self,
        context: str,
        settings: TextSettings,
        seeds: list[int],
        together: bool,
        streams: list[TextStream],
        facts: ChunkFacts,
        cancel: CancelToken | None,
    ) -> ServerError | None:
        """Run the streams; the first error among them, or None. Raises Cancelled."""
        async with self.client.stream_client() as http:
            if together:
                bodies = [(self._body(context, settings, seeds[0], len(streams)), streams)]
            else:
                bodies = [(self._body(context, settings, seeds[s.index], 1), [s]) for s in streams]
            tasks = [
                asyncio.create_task(stream_completion(http, self.client, body, group, facts))
                for body, group in bodies
            ]
            everything = asyncio.gather(*tasks, return_exceptions=True)
            try:
                while not everything.done():
                    if cancel is not None and cancel.cancelled:
                        raise Cancelled()
                    await asyncio.wait({everything}, timeout=CANCEL_POLL_S)
            finally:
                # cancelled (Escape, or Ctrl-C cancelling this coroutine): close every stream now
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
            outcomes = everything.result()
        for outcome in outcomes:
            if isinstance(outcome, ServerError):
                return outcome
            if isinstance(outcome, BaseException):
                raise outcome
        return None

    def _body(self, context: str, settings: TextSettings, seed: int, n: int) -> dict[str, Any]:
        return {
            "model": self.model_id,
            "prompt": context,
            "max_tokens": settings.max_new_tokens,
            "temperature": settings.temperature,
            "top_p": settings.top_p,
            "seed": seed,
            "n": n,
            "stream": True,
            # not in OpenAI's API; llama.cpp, vLLM and KoboldCpp read them (llama.cpp and
            # llama-cpp-python call the penalty repeat_penalty, vLLM repetition_penalty)
            "top_k": settings.top_k,
            "repetition_penalty": settings.repetition_penalty,
            "repeat_penalty": settings.repetition_penalty,
        }

    def _result(
        self,
        stream: TextStream,
        seed: int,
        base: int,
        n: int,
        settings: TextSettings,
        prompt_tokens: int,
        wall: float,
        facts: ChunkFacts,
        broken: bool,
    ) -> TextResult:
        served, _ = self._facts()
        partial = broken and not stream.done
        tokens = stream.tokens
        flops = transformer_flops(served.parameters, prompt_tokens + tokens) if served.parameters else None
        record = GenerationRecord(
            engine=self.name,
            model=self.model_id,
            revision=None,
            license=None,
            settings=settings.as_dict() | {"seed": base, "candidate": stream.index, "n": n},
            seed=seed,
            versions=library_versions("httpx", "httpx-sse"),
            device="remote",
            wall_s=wall / settings.candidates,
            flops=flops,
            parameters=served.parameters,
            prompt_tokens=prompt_tokens,
            tokens=tokens,
            stop_reason="stream broke off" if partial else stream.stop_reason or "end of text",
            server=self.server,
            fingerprint=facts.fingerprint,
        )
        text = stream.text if partial else stream.final_text()
        return TextResult(
            index=stream.index, text=text, seed=seed, tokens=tokens, record=record, partial=partial
        )

    def describe(self) -> str:
        served = self._served
        parts = [served.id if served else "", self.server, "remote completion server"]
        return " · ".join(p for p in parts if p)
