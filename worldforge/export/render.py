"""The Jinja2 environment every text format renders through.

Autoescaping is on for every template: scene text, titles and lore come from people and
from models, and a model can write `<script>`; it must reach the reader as text. Every
value printed also loses the characters XML does not allow (ESC and the other C0 controls,
lone surrogates, U+FFFE/U+FFFF): an XHTML page of an EPUB with one of them is not XML.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from importlib.resources import files
from typing import Any

import jinja2
from markupsafe import Markup

from worldforge import __version__

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 does not allow."""
    return _NOT_XML.sub("", text)


def _finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        return Markup(xml_safe(value))
    return xml_safe(value) if isinstance(value, str) else value


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        finalize=_finalize,
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
