"""Time a function as a user meets it: once, with the CPU caches holding someone else's data.

A story of a few hundred scenes fits in the CPU's caches, one of thousands does not; timing
the small one again and again with its data still cached makes every larger size look
super-linear. Walking a buffer larger than the caches before each run puts both sizes on the
same footing: the growth left is the program's own.
"""

from __future__ import annotations

import time
from collections.abc import Callable

_BUFFER = bytearray(256 * 1024 * 1024)


def evict_caches() -> None:
    """Touch one byte per cache line of a buffer far larger than any CPU cache."""
    view = memoryview(_BUFFER)
    view[::64] = bytes(len(view[::64]))


def cold_seconds(fn: Callable[[], object], runs: int = 3) -> float:
    """The best of `runs` timings of `fn`, each started with evicted caches (CPU time)."""
    best = float("inf")
    for _ in range(runs):
        evict_caches()
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best
