"""What a browser tab of `worldforge serve` shows, read back as text.

xterm.js paints the studio on a canvas, so its text is not in the page. The tab's websocket
carries exactly the bytes xterm.js is given, and the sizes the tab asks for; replaying both
into pyte, a terminal emulator, gives the screen the reader sees."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs, urlparse

import pyte


class TabScreen:
    def __init__(self, page: Any) -> None:
        self.page = page
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.closed = False
        page.on("websocket", self._attach)

    def _attach(self, ws: Any) -> None:
        size = parse_qs(urlparse(ws.url).query)
        self.screen.resize(lines=int(size["height"][0]), columns=int(size["width"][0]))
        ws.on("framereceived", self._received)
        ws.on("framesent", self._sent)
        ws.on("close", lambda _ws: setattr(self, "closed", True))

    def _received(self, payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            self.stream.feed(payload)

    def _sent(self, payload: bytes | str) -> None:
        if isinstance(payload, str):
            message = json.loads(payload)  # ["resize", {...}], ["stdin", "..."], ["focus"], ...
            if message[0] == "resize":
                self.screen.resize(lines=message[1]["height"], columns=message[1]["width"])

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, found, what: str, timeout: float = 60.0) -> str:
        """Wait until `found(screen text)`; Playwright delivers the frames while it waits."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if found(self.text()):
                return self.text()
            self.page.wait_for_timeout(100)
        raise AssertionError(f"{what} never appeared; the tab showed:\n{self.text()}")
