"""Which device and number format a model runs in, detected rather than assumed, for both
engines. `WORLDFORGE_DEVICE` and `WORLDFORGE_DTYPE` override the detection everywhere.

bfloat16 halves a diffusion step on CPU only where the CPU has native bf16 matrix units
(Intel AMX or AVX512-BF16); elsewhere it is emulated and slower than float32. Text keeps
float32 on CPU (its fast CPU path is CTranslate2 int8), so each engine says whether it wants
native bf16 on CPU.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DTYPES = ("float32", "bfloat16", "float16")
DEVICE_ENV = "WORLDFORGE_DEVICE"
DTYPE_ENV = "WORLDFORGE_DTYPE"


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


# Device nodes without which no GPU can be reached from Linux: NVIDIA's driver, AMD's ROCm
# (which torch reports as cuda), WSL's GPU bridge
GPU_NODES = ("/dev/nvidiactl", "/dev/kfd", "/dev/dxg")


def no_gpu_possible(platform: str = sys.platform, nodes: tuple[str, ...] = GPU_NODES) -> bool:
    """True on a Linux machine with none of the GPU device nodes: cpu is the only device, known
    without importing torch (a second on a small machine, for an engine that may not need it)."""
    return platform.startswith("linux") and not any(os.path.exists(node) for node in nodes)


def pick_device(requested: str | None = None) -> str:
    """`requested`, else $WORLDFORGE_DEVICE, else cuda, mps or cpu, whichever is present."""
    choice = requested or os.environ.get(DEVICE_ENV)
    if choice:
        return choice
    if no_gpu_possible():
        return "cpu"
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def requested_dtype(requested: str | None = None) -> str | None:
    """`requested`, else $WORLDFORGE_DTYPE, checked; None when neither asks for one."""
    choice = requested or os.environ.get(DTYPE_ENV)
    if choice and choice not in DTYPES:
        raise ValueError(f"unknown dtype {choice!r}: use one of {', '.join(DTYPES)}")
    return choice or None


def pick_dtype(
    device: str, requested: str | None = None, *, bf16_on_cpu: bool = True, cpuinfo: str | None = None
) -> str:
    """The requested dtype, else float16 on GPUs, and on CPU bfloat16 where the CPU runs it
    natively (if the engine wants it), float32 otherwise."""
    choice = requested_dtype(requested)
    if choice:
        return choice
    if device.startswith(("cuda", "mps")):
        return "float16"
    return "bfloat16" if bf16_on_cpu and cpu_bf16_flags(cpuinfo) else "float32"
