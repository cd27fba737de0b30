"""Keep the C heap from handing big buffers back to the kernel after every use.

glibc serves an allocation above its mmap threshold (128 KiB at start) with a fresh mapping
and unmaps it on free; it raises the threshold only after freeing such a block. Decoding
grows each layer's key/value cache by a little every token, so every step asks for blocks
slightly bigger than any freed before (4 candidates x 870 tokens of GPT-2 small: 10.7 MB
per layer and tensor): all of them are mapped afresh, and touching their pages costs a
page fault each. Measured on a 2-core machine, the first 4 x 128-token expand of a process
from an 871-token context: 7.8 million faults and 19 s, against 0.26 million and 8 s. A fixed threshold at glibc's ceiling
(32 MiB), and a trim threshold above it, keep those blocks in the heap for reuse.

That covers the main heap only. A thread other than the first allocates from a heap of its
own (glibc's arenas, grown in 64 MiB pieces), and glibc unmaps each piece that falls empty
whatever the trim threshold, unless the "top pad" (memory kept spare at the top of a heap) is
larger than a piece. CTranslate2 runs each call on a fresh worker thread, whose buffers then
came back from the kernel page by page: re-rolling a 768-token context for 4 candidates took
65,000 page faults and 0.1 s before its first token. A top pad of 128 MiB keeps every
thread's heap at its peak size for the next use. The price: what a heap once held stays
mapped (for GPT-2 small, about one call's buffers per thread that ran one).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 2**20  # glibc's upper limit on 64-bit systems
TRIM_THRESHOLD = 128 * 2**20
TOP_PAD = 128 * 2**20  # above glibc's 64 MiB per-thread heap piece, so none is unmapped

_done = False


def keep_large_buffers() -> bool:
    """Set glibc's thresholds once per process; False where the C library is not glibc."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is None or not hasattr(libc, "gnu_get_libc_version"):
        return False
    _done = all(
        mallopt(option, value)
        for option, value in (
            (M_MMAP_THRESHOLD, MMAP_THRESHOLD),
            (M_TRIM_THRESHOLD, TRIM_THRESHOLD),
            (M_TOP_PAD, TOP_PAD),
        )
    )
    return _done
