"""Hostile files for the security tests, built by the tests themselves."""

from __future__ import annotations

import socket
import struct
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from tests.export_story import png

SECRET = "TOP-SECRET-0xC0FFEE"


def svg_fetching(url: str) -> bytes:
    """An SVG that makes a renderer fetch `url` (a PDF export once did)."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="10" height="10"><image xlink:href="{url}" href="{url}" width="10" height="10"/></svg>'
    ).encode()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (1 + 3 * 8) * 8)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


@contextmanager
def listening() -> Iterator[tuple[str, list[bytes]]]:
    """A local server that records every connection made to it: (its URL, requests)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    seen.append(conn.recv(4096))
                except OSError:
                    seen.append(b"")
                conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: image/png\r\n\r\n" + png((1, 2, 3)))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/pic.png", seen
    finally:
        stop.set()
        thread.join()
        server.close()
