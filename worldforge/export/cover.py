"""A title card for books with no picture yet: a cover is required by readers' shelves.

Signed like every picture worldforge writes (Content Credentials), as a digital creation:
software set the author's title; no model made it.
"""

from __future__ import annotations

import io
import textwrap

from PIL import Image, ImageDraw, ImageFont

from worldforge.store.credentials import DIGITAL_CREATION, sign_png

PAPER = (251, 248, 242)
INK = (31, 29, 26)
RULE = (190, 175, 150)


def title_card(title: str, author: str = "", size: tuple[int, int] = (600, 800)) -> bytes:
    """A plain, signed PNG cover with the title (and author) set in the middle."""
    width, height = size
    image = Image.new("RGB", size, PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((24, 24, width - 25, height - 25), outline=RULE, width=3)
    title_font = ImageFont.load_default(size=44)
    author_font = ImageFont.load_default(size=26)
    lines = textwrap.wrap(title, width=20)[:6] or [" "]
    y = height // 3
    for line in lines:
        draw.text((width // 2, y), line, font=title_font, fill=INK, anchor="mm")
        y += 56
    if author:
        draw.text((width // 2, y + 40), author[:40], font=author_font, fill=INK, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return sign_png(out.getvalue(), f"{title} (title card)", DIGITAL_CREATION)
