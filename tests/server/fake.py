"""A tiny local HTTP server for replies a real model server never sends: malformed JSON,
an event stream that breaks off, silence, HTTP 500. Each test hands it the replies."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODELS = b'{"object": "list", "data": [{"id": "fake-model", "object": "model"}]}'

# (status, content type, body parts sent one after the other; None: drop the connection)
Reply = tuple[int, str, list[bytes | None]]
# each reply is made from the request's JSON body ({} without one)
Replies = dict[str, Callable[[dict], Reply]]


def sse(*events: str) -> list[bytes | None]:
    return [f"data: {event}\n\n".encode() for event in events]


def chunk(text: str, finish: str | None = None) -> str:
    return json.dumps({"choices": [{"text": text, "index": 0, "finish_reason": finish}]})


class _Handler(BaseHTTPRequestHandler):
    replies: Replies
    seen: list[str]

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length)) if length else {}
        self.seen.append(f"{self.command} {self.path}")
        make = self.replies.get(f"{self.command} {self.path}")
        if make is None:
            self.send_error(404)
            return
        status, content_type, parts = make(body)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.end_headers()
        for part in parts:
            if part is None:  # break off: no more bytes, connection closed
                self.close_connection = True
                self.wfile.flush()
                self.connection.shutdown(2)
                return
            self.wfile.write(part)
            self.wfile.flush()

    do_GET = do_POST = _answer


@contextmanager
def fake_server(replies: Replies) -> Iterator[tuple[str, list[str]]]:
    """(base URL, requests seen) of a server answering `replies` by "METHOD /path"."""
    seen: list[str] = []
    handler = type("Handler", (_Handler,), {"replies": replies, "seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", seen
    finally:
        server.shutdown()
        server.server_close()


def models(body: dict) -> Reply:
    return 200, "application/json", [MODELS]


def silent(seconds: float) -> Callable[[dict], Reply]:
    def reply(body: dict) -> Reply:
        time.sleep(seconds)
        return 200, "application/json", [MODELS]

    return reply
