"""Talking to a model server over HTTP: one place that turns every way a request can fail
into a message a writer can act on.

httpx does the HTTP. Its transports retry a request only when the connection could not be
made (connect errors and connect timeouts, with exponential backoff): such a request never
reached the server, so retrying it cannot sample twice. Nothing else is retried.

No message built here holds the API key or the URL's credentials: they name the server by
its public URL, and text the server sent back goes through `ServerAddress.redact`.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from worldforge.engines.errors import EngineError
from worldforge.engines.text.remote.address import ServerAddress

CONNECT_RETRIES = 2  # after the first try: waits of 0.5 s and 1 s
# an endpoint a server does not have answers one of these (and some answer 400 or 422 to a
# body meant for another server's endpoint of the same name)
ABSENT = frozenset({400, 404, 405, 422, 501})


class ServerError(EngineError):
    """The model server could not be reached, refused, or answered something unusable."""


class ServerClient:
    """Plain JSON requests to one server, and the async client its streams go through."""

    def __init__(self, address: ServerAddress, timeout: float) -> None:
        self.address = address
        self.timeout = timeout
        self._headers = {"Authorization": f"Bearer {address.key}"} if address.key else {}
        self._http = httpx.Client(
            headers=self._headers,
            timeout=self._timeouts(),
            transport=httpx.HTTPTransport(retries=CONNECT_RETRIES),
        )

    def _timeouts(self) -> httpx.Timeout:
        return httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0))

    def stream_client(self) -> httpx.AsyncClient:
        """A client for one generation's streams (an async client belongs to one event loop)."""
        return httpx.AsyncClient(
            headers=self._headers,
            timeout=self._timeouts(),
            transport=httpx.AsyncHTTPTransport(retries=CONNECT_RETRIES),
        )

    def url(self, path: str) -> str:
        """`path` under the API (`/v1/…`) or, starting with `~`, under the server's root."""
        return self.address.root + path[1:] if path.startswith("~") else self.address.api + path

    def get(self, path: str) -> Any:
        return self._json(self._send("GET", path, None), path)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self._json(self._send("POST", path, body), path)

    def optional(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any | None:
        """The JSON reply, or None where the server has no such endpoint."""
        response = self._send(method, path, body)
        return None if response.status_code in ABSENT else self._json(response, path)

    def _send(self, method: str, path: str, body: dict[str, Any] | None) -> httpx.Response:
        try:
            return self._http.request(method, self.url(path), json=body)
        except httpx.HTTPError as err:
            raise self.explain(err, path) from None

    def _json(self, response: httpx.Response, path: str) -> Any:
        if response.status_code >= 400:
            raise self.refused(response.status_code, response.text, path)
        try:
            return response.json()
        except ValueError:
            raise self.malformed(path, "a reply that is not JSON") from None

    # -- messages ------------------------------------------------------------------
    def where(self, path: str) -> str:
        return f"the model server at {self.address.public}" + (f" ({path.lstrip('~')})" if path else "")

    def explain(self, err: Exception, path: str) -> ServerError:
        """What went wrong with a request, in words; never a traceback, never a secret."""
        where = self.where(path)
        if isinstance(err, httpx.ConnectTimeout):
            text = f"cannot reach {where}: no connection within {self.timeout:g} s"
        elif isinstance(err, httpx.ConnectError):
            text = f"cannot reach {where}: {_reason(err)} — is the server running on that address?"
        elif isinstance(err, httpx.TimeoutException):
            text = f"{where} sent nothing for {self.timeout:g} s (raise the limit with --timeout)"
        elif isinstance(err, (httpx.RemoteProtocolError, httpx.ReadError)):
            text = f"{where} stopped answering half-way ({_reason(err)})"
        else:
            text = f"request to {where} failed: {_reason(err)}"
        return ServerError(self.address.redact(text))

    def refused(self, status: int, body: str, path: str) -> ServerError:
        detail = _detail(body)
        hint = ""
        if status in (401, 403):
            hint = " — set WORLDFORGE_API_KEY (or OPENAI_API_KEY) to the server's key"
        text = f"{self.where(path)} answered HTTP {status}" + (f": {detail}" if detail else "") + hint
        return ServerError(self.address.redact(text))

    def malformed(self, path: str, what: str) -> ServerError:
        return ServerError(f"{self.where(path)} sent {what}; is it an OpenAI-compatible completion server?")

    def close(self) -> None:
        self._http.close()


def _reason(err: Exception) -> str:
    text = str(err).strip()
    if "refused" in text.lower():
        return "connection refused"
    return text.splitlines()[0][:200] if text else type(err).__name__


def _detail(body: str) -> str:
    """The error message in a server's reply: OpenAI's `error.message`, FastAPI's `detail`."""
    try:
        data = json.loads(body)
    except ValueError:
        return body.strip().splitlines()[0][:200] if body.strip() else ""
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])[:300]
        if isinstance(error, str):
            return error[:300]
        if data.get("detail"):
            return str(data["detail"])[:300]
        if data.get("message"):
            return str(data["message"])[:300]
    return body.strip()[:200]
