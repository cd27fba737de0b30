"""Keep the model libraries' progress bars, notices and warnings off the screen while they
work: printed into a terminal UI they corrupt it. Both engines use this one switch.

Nested and concurrent uses (the text and the image model load in parallel workers) share
one silence: the first to enter saves the libraries' settings, the last to leave restores
them, so a caller outside the studio gets its own logging back.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import threading
import warnings
from collections.abc import Iterator
from typing import Any

_lock = threading.Lock()
_depth = 0
_saved: list[tuple[Any, int, bool]] = []
_warnings: Any = None


def _loggers(diffusers: bool) -> list[Any]:
    names = ["transformers.utils.logging"] + (["diffusers.utils.logging"] if diffusers else [])
    return [importlib.import_module(name) for name in names]


@contextlib.contextmanager
def quiet(*, diffusers: bool = False) -> Iterator[None]:
    """Silence transformers (and diffusers, when asked) for the duration of the block."""
    global _depth, _warnings
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    loggers = _loggers(diffusers)
    with _lock:
        if _depth == 0:
            _warnings = warnings.catch_warnings()
            _warnings.__enter__()
            warnings.simplefilter("ignore")
        _depth += 1
        for log in loggers:
            if all(saved is not log for saved, _, _ in _saved):
                _saved.append((log, log.get_verbosity(), log.is_progress_bar_enabled()))
            log.set_verbosity_error()
            log.disable_progress_bar()
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                for log, level, bars in _saved:
                    log.set_verbosity(level)
                    if bars:
                        log.enable_progress_bar()
                _saved.clear()
                _warnings.__exit__(None, None, None)
                _warnings = None
