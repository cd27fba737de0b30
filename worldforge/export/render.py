"""The Jinja2 environment every text format renders through.

Autoescaping is on for every template: scene text, titles and lore come from people and
from models, and a model can write `<script>`; it must reach the reader as text.
"""

from __future__ import annotations

import base64
from functools import cache
from importlib.resources import files

import jinja2

from worldforge import __version__


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("worldforge.export", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["version"] = __version__
    return env


def stylesheet(name: str) -> str:
    return files("worldforge.export").joinpath("templates", name).read_text(encoding="utf-8")


def media_type(data: bytes) -> str:
    """The picture's type from its first bytes (file names can lie)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def data_uri(data: bytes) -> str:
    return f"data:{media_type(data)};base64,{base64.b64encode(data).decode('ascii')}"
