"""Which device and number format to run diffusion in, detected rather than assumed.

bfloat16 halves a CPU step only where the CPU has native bf16 matrix units (Intel AMX or
AVX512-BF16); elsewhere it is emulated and slower than float32, so it is chosen only then.
"""

from __future__ import annotations

import os
from pathlib import Path

DTYPES = ("float32", "bfloat16", "float16")


def cpu_bf16_flags(cpuinfo: str | None = None) -> set[str]:
    """The native-bf16 flags this CPU reports in /proc/cpuinfo (empty off Linux)."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return set()
    flags: set[str] = set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[-1].split())
    return flags & {"amx_bf16", "avx512_bf16"}


def pick_device(requested: str | None = None) -> str:
    """`requested`, else $WORLDFORGE_DEVICE, else cuda, mps or cpu, whichever is present."""
    import torch

    choice = requested or os.environ.get("WORLDFORGE_DEVICE")
    if choice:
        return choice
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def pick_dtype_name(device: str, requested: str | None = None, cpuinfo: str | None = None) -> str:
    """float16 on GPUs; bfloat16 on CPUs with native bf16; float32 otherwise."""
    choice = requested or os.environ.get("WORLDFORGE_DTYPE")
    if choice:
        if choice not in DTYPES:
            raise ValueError(f"unknown dtype {choice!r}: use one of {', '.join(DTYPES)}")
        return choice
    if device.startswith(("cuda", "mps")):
        return "float16"
    return "bfloat16" if cpu_bf16_flags(cpuinfo) else "float32"


def quiet_libraries() -> None:
    """The libraries' own progress bars and notices would corrupt a terminal UI."""
    import transformers.utils.logging as tlog

    tlog.set_verbosity_error()
    tlog.disable_progress_bar()
    import diffusers.utils.logging as dlog

    dlog.set_verbosity_error()
    dlog.disable_progress_bar()
