"""Atomic file replacement: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEMP_PREFIX = ".wf-tmp-"


def fsync_dir(folder: Path) -> None:
    """Make the names created, renamed or removed in `folder` survive a power cut."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def mode_of(path: Path) -> int:
    """The permissions a replacement of `path` keeps (a new file gets rw-r--r--)."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return 0o644


def write_synced(handle_fd: int, data: bytes, mode: int) -> None:
    """Write all of `data` to an open file, with `mode`, and fsync it; closes the descriptor."""
    os.fchmod(handle_fd, mode)
    with os.fdopen(handle_fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write to a temp file in the same folder, fsync it, rename it over `path`.

    The file keeps the permissions of the one it replaces unless `mode` is given (a
    private key: 0600, set before a byte is written).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = mode_of(path) if mode is None else mode
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        write_synced(fd, data, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temp path beside `path` for a writer that wants a file name (a library that writes
    the file itself); renamed over `path` when the block ends without an error, else removed."""
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    os.close(fd)
    temp = Path(tmp)
    try:
        yield temp
        with temp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(temp, mode_of(path))
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    fsync_dir(path.parent)


def remove_stale_temps(folder: Path) -> None:
    """Temp files left by a save that was killed half-way carry no data worth keeping."""
    if folder.is_dir():
        for leftover in folder.glob(TEMP_PREFIX + "*"):
            leftover.unlink(missing_ok=True)
