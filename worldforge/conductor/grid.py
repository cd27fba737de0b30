"""A numbered contact sheet of candidate pictures, for picking one (3x3 when there are 9)."""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw, ImageFont

from worldforge.store.png import encode_png, xmp_packet

GAP = 4


def grid_shape(count: int) -> tuple[int, int]:
    """(columns, rows) as near square as possible, wider rather than taller."""
    columns = math.ceil(math.sqrt(count))
    return columns, math.ceil(count / columns)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow built without FreeType
        return ImageFont.load_default()


def contact_sheet(pngs: list[bytes], credit: str, images: list[str] | None = None) -> bytes:
    """One PNG with the candidates in a grid, each numbered 1..N in its top-left corner."""
    if not pngs:
        raise ValueError("no pictures to put on a contact sheet")
    tiles = []
    for data in pngs:
        with Image.open(io.BytesIO(data)) as image:
            tiles.append(image.convert("RGB"))
    width = max(t.width for t in tiles)
    height = max(t.height for t in tiles)
    columns, rows = grid_shape(len(tiles))
    sheet = Image.new(
        "RGB", (columns * width + (columns + 1) * GAP, rows * height + (rows + 1) * GAP), "white"
    )
    draw = ImageDraw.Draw(sheet)
    size = max(10, min(width, height) // 6)
    font = _font(size)
    for number, tile in enumerate(tiles, start=1):
        row, column = divmod(number - 1, columns)
        x = GAP + column * (width + GAP)
        y = GAP + row * (height + GAP)
        sheet.paste(tile, (x, y))
        label = str(number)
        box = draw.textbbox((0, 0), label, font=font)
        pad = max(2, size // 5)
        draw.rectangle((x, y, x + box[2] - box[0] + 2 * pad, y + box[3] - box[1] + 2 * pad), fill="black")
        draw.text((x + pad - box[0], y + pad - box[1]), label, fill="white", font=font)
    record = {"contact_sheet": images or [], "columns": columns, "rows": rows}
    return encode_png(sheet, xmp_packet(credit), record)
