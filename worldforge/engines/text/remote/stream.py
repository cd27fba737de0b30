"""Reading a completion as it streams: server-sent events (httpx-sse) of OpenAI completion
chunks, fed piece by piece into one `TextStream` per candidate.

A stream ends well with `data: [DONE]` or when every candidate it carries has a
`finish_reason`. One that ends without either, or breaks off (the server died, the network
went), raises ServerError; what arrived so far stays in its TextStreams, so the engine can
keep it as a partial candidate.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from httpx_sse import SSEError, aconnect_sse

from worldforge.engines.text.protocol import TextSettings, TokenCallback
from worldforge.engines.text.remote.client import ServerClient, ServerError
from worldforge.engines.text.stops import finish, stop_now

COMPLETIONS = "/completions"
FINISH_REASONS = {"length": "max tokens", "stop": "end of text"}


class TextStream:
    """One candidate's text as it arrives, its stop rule, and how it ended."""

    def __init__(self, index: int, settings: TextSettings, on_token: TokenCallback | None) -> None:
        self.index = index
        self.text = ""
        self.pieces = 0
        self.usage_tokens: int | None = None
        self.done = False
        self.stop_reason = ""
        self._settings = settings
        self._on_token = on_token

    def push(self, piece: str) -> None:
        if self.done or not piece:
            return
        self.text += piece
        self.pieces += 1
        if self._on_token is not None:
            self._on_token(self.index, piece)
        if stop_now(self._settings.stop, self.text):
            self.end("paragraph end")

    def end(self, reason: str) -> None:
        if not self.done:
            self.done, self.stop_reason = True, reason

    @property
    def tokens(self) -> int:
        """Tokens written: as the server counted them where it said, else one per piece."""
        return self.usage_tokens if self.usage_tokens is not None else self.pieces

    def final_text(self) -> str:
        return finish(self._settings.stop, self.text, self._settings.trim)


class ChunkFacts:
    """What the chunks of a stream say about the run: the server's fingerprint."""

    def __init__(self) -> None:
        self.fingerprint: str | None = None

    def note(self, chunk: dict[str, Any]) -> None:
        if isinstance(chunk.get("system_fingerprint"), str):
            self.fingerprint = chunk["system_fingerprint"]


async def stream_completion(
    http: httpx.AsyncClient,
    client: ServerClient,
    body: dict[str, Any],
    streams: list[TextStream],
    facts: ChunkFacts,
) -> None:
    """POST one streaming completion; choice i of it feeds `streams[i]`. Returns when all
    of them are done; raises ServerError on a failed, malformed or broken stream."""
    url = client.url(COMPLETIONS)
    events = 0
    try:
        async with aconnect_sse(http, "POST", url, json=body) as source:
            response = source.response
            if response.status_code >= 400:
                text = (await response.aread()).decode("utf-8", "replace")
                raise client.refused(response.status_code, text, COMPLETIONS)
            async for event in source.aiter_sse():
                if event.data.strip() == "[DONE]":
                    break
                events += 1
                _take(_chunk(client, event.data), streams, facts, client)
                if all(s.done for s in streams):
                    return
    except SSEError:
        raise client.malformed(COMPLETIONS, "a reply that is not an event stream") from None
    except httpx.HTTPError as err:
        raise client.explain(err, COMPLETIONS) from None
    if not all(s.done for s in streams) and not events:
        raise ServerError(
            f"{client.where(COMPLETIONS)} closed the stream without sending any text "
            "(did it refuse the request? its log says why)"
        )
    if not all(s.done for s in streams):
        raise ServerError(
            f"{client.where(COMPLETIONS)} ended the stream before the text was finished (a server that "
            "runs one request at a time may cut it short when the next arrives: llama-cpp-python does "
            "unless started with --interrupt_requests False)"
        )


def _chunk(client: ServerClient, data: str) -> dict[str, Any]:
    try:
        chunk = json.loads(data)
    except ValueError:
        raise client.malformed(COMPLETIONS, "an event that is not JSON") from None
    if not isinstance(chunk, dict):
        raise client.malformed(COMPLETIONS, "an event that is not a completion chunk")
    if "error" in chunk:
        raise client.refused(500, data, COMPLETIONS)
    return chunk


def _take(chunk: dict[str, Any], streams: list[TextStream], facts: ChunkFacts, client: ServerClient) -> None:
    facts.note(chunk)
    choices = chunk.get("choices")
    if not isinstance(choices, list):
        raise client.malformed(COMPLETIONS, "a chunk without choices")
    usage = chunk.get("usage")
    if isinstance(usage, dict) and isinstance(usage.get("completion_tokens"), int) and len(streams) == 1:
        streams[0].usage_tokens = usage["completion_tokens"]
    for choice in choices:
        index = choice.get("index", 0) if isinstance(choice, dict) else None
        if not isinstance(index, int) or not 0 <= index < len(streams) or not isinstance(choice, dict):
            raise client.malformed(COMPLETIONS, "a choice that belongs to no candidate")
        stream = streams[index]
        text = choice.get("text")
        if text is not None and not isinstance(text, str):
            raise client.malformed(COMPLETIONS, "a choice whose text is not text")
        stream.push(text or "")
        reason = choice.get("finish_reason")
        if reason:
            stream.end(FINISH_REASONS.get(str(reason), str(reason)))
