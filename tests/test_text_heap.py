"""The C heap keeps a thread's freed buffers for its next use, so a re-roll's key/value
copies land on memory already mapped instead of faulting it in page by page."""

from __future__ import annotations

import ctypes
import ctypes.util
import resource
import sys
import threading

import pytest

from worldforge.engines.heap import keep_large_buffers

BLOCK = 8 * 2**20
BLOCKS = 12  # 96 MiB: more than one of glibc's 64 MiB per-thread heap pieces
PAGE = 4096


def faults_refilling_freed_buffers(libc: ctypes.CDLL) -> int:
    """Page faults a fresh thread takes to fill BLOCKS buffers again after freeing them."""
    counted: list[int] = []

    def fill() -> list[int]:
        blocks = [libc.malloc(BLOCK) for _ in range(BLOCKS)]
        assert all(blocks)
        for block in blocks:
            ctypes.memset(block, 1, BLOCK)
        return blocks

    def work() -> None:
        for block in fill():
            libc.free(block)
        before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
        again = fill()
        counted.append(resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before)
        for block in again:
            libc.free(block)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    return counted[0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_a_thread_reuses_its_freed_buffers_without_faulting_them_in_again():
    if not keep_large_buffers():
        pytest.skip("the C library is not glibc")
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    faults = faults_refilling_freed_buffers(libc)
    # unmapped and mapped again, the buffers would fault once a page: 24,576 times
    assert faults < BLOCKS * BLOCK // PAGE // 10, faults
