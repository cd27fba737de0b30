"""The one checked way to accept picture bytes from a file someone else made.

A story's `images/pic.png` may be an SVG (which makes a PDF renderer fetch URLs), a
decompression bomb (a small PNG that claims 50000 x 50000 pixels) or anything at all.
Pillow reads the header to learn the format and size, without decoding the pixels; only
PNG, JPEG and WebP within MAX_PIXELS are accepted, and the file must then verify. Pillow is
imported here on first use, so opening a story never loads it.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from worldforge.core.errors import StoryError

if TYPE_CHECKING:
    from PIL.Image import Image

FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
# 40 megapixels: larger than any picture worldforge makes or a book prints, and an RGBA
# decode of it stays near 160 MB
MAX_PIXELS = 40_000_000


def check_picture(data: bytes, where: Path | str | None = None) -> str:
    """The media type of `data`, which must be a PNG, JPEG or WebP of at most MAX_PIXELS."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise StoryError(
                    f"picture claims {width} x {height} pixels; the limit is {MAX_PIXELS:,} pixels", where
                )
            kind = FORMATS[image.format or ""]
            image.verify()
    except StoryError:
        raise
    except Image.DecompressionBombError:  # Pillow's own, larger limit, met while opening
        raise StoryError(f"picture claims more pixels than the limit of {MAX_PIXELS:,}", where) from None
    except (OSError, SyntaxError, ValueError, KeyError):
        raise StoryError(
            "not a PNG, JPEG or WebP picture (SVG and other formats are refused)", where
        ) from None
    return kind


def open_picture(data: bytes, where: Path | str | None = None) -> Image:
    """`data` checked by check_picture, then decoded."""
    from PIL import Image

    check_picture(data, where)
    image = Image.open(io.BytesIO(data), formats=list(FORMATS))
    image.load()
    return image
