"""The one guarded way to read and write a file that a story, an import or an export names.

Story folders, Twee files and their pictures come from other people. A path they name is
resolved with every symlink followed and must stay inside the folder it belongs to, on read
and on write (a symlinked `images/` must not carry a picture out of the story). What is read
must be a regular file, and its size is taken from the opened handle: a device or a FIFO
reports a size of 0 (`/dev/zero` would read forever), and the path could be swapped between
a check of the path and the open.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from worldforge.core.errors import StoryError
from worldforge.store.atomic import write_atomic
from worldforge.store.paths import inside


def _size_text(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit:,} bytes"


def read_regular(path: Path, limit: int, what: str = "file", *, follow: bool = True) -> bytes:
    """All bytes of the regular file at `path`, refused when over `limit` bytes. Without
    `follow`, a `path` the caller resolved cannot have become a symlink since."""
    flags = os.O_RDONLY | os.O_NONBLOCK  # a FIFO must not block the open waiting for a writer
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise StoryError(f"cannot read {what}: {exc.strerror}", path) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise StoryError(f"{what} is not a regular file (a device, FIFO or folder)", path)
        if info.st_size > limit:
            raise StoryError(f"{what} is {info.st_size:,} bytes; the limit is {_size_text(limit)}", path)
        # ask for what the file holds, not for a limit-sized buffer: thousands of 1 MiB
        # allocations cost more than reading thousands of scene files
        want = info.st_size + 1
        data = handle.read(want)
        if len(data) == want:  # it grew since fstat: read on, up to the limit
            data += handle.read(limit + 1 - want)
    if len(data) > limit:  # it grew while being read
        raise StoryError(f"{what} is larger than {_size_text(limit)}", path)
    return data


def resolve_inside(root: Path, path: Path, what: str = "file") -> Path:
    """`path` with every symlink followed, refused unless it stays within `root`."""
    if not inside(root, path):
        raise StoryError(f"{what} points outside {root}", path)
    return path.resolve()


def read_inside(root: Path, path: Path, limit: int, what: str = "file") -> bytes:
    """The bytes of `path`, which must resolve within `root` and be a regular file."""
    return read_regular(resolve_inside(root, path, what), limit, what, follow=False)


def write_inside(root: Path, rel: str, data: bytes) -> Path:
    """Write `data` atomically to `root/rel`; returns the path written. Writes never go
    through a symlink: a linked `images/` could carry a picture out of `root`, or into
    another folder of it (`scenes/`)."""
    target = root / rel
    resolve_inside(root, target, rel)
    for path in [*reversed(target.relative_to(root).parents[:-1]), target.relative_to(root)]:
        if (root / path).is_symlink():
            raise StoryError(f"{path} is a symlink; refusing to write {rel} through it", root / path)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, data)
    return target
