"""Cancelling a model call: the UI sets a flag, the engine polls it between tokens or steps."""

from __future__ import annotations

import threading


class Cancelled(Exception):
    """Raised by an engine when its cancel token fired; partial results are discarded."""


class CancelToken:
    """A flag the UI sets and the engine polls between tokens or denoising steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()
