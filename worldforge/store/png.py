"""Provenance inside the picture file: what made it, readable by tools that exist today.

The store writes every picture of a story through here (the conductor fills in what the
engine reported), so the metadata format lives with the files, not with the models.
Every PNG carries three things, each in the place other software looks for it:
- `parameters` (tEXt): the AUTOMATIC1111 text block (prompt, Negative prompt, Steps, Sampler,
  CFG scale, Seed, Size, Model, ...) that A1111, ComfyUI importers, sd-parsers and civitai read;
- `XML:com.adobe.xmp` (iTXt): an XMP packet whose IPTC DigitalSourceType says
  trainedAlgorithmicMedia, the vocabulary news agencies and C2PA use for generated pictures;
- `worldforge` (iTXt): worldforge's own JSON record (engine, model, revision, settings, seed,
  versions, device, compute estimate).
Nothing in these depends on when or how fast it was made, so the same record re-rendered
gives the same bytes; the C2PA manifest (store.credentials) is added last, in its own
`caBX` chunk, and only it differs from one signing to the next. Pillow only: no torch here, and `worldforge.store` does not import
this module, so opening a story never loads Pillow.
"""

from __future__ import annotations

import io
import json
import struct
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image, PngImagePlugin

TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
XMP_KEY = "XML:com.adobe.xmp"
RECORD_KEY = "worldforge"
PARAMETERS_KEY = "parameters"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _a1111_value(value: Any) -> str:
    text = f"{value:g}" if isinstance(value, float) else str(value)
    # A1111 quotes values that would break its "key: value, key: value" line
    return json.dumps(text, ensure_ascii=False) if any(c in text for c in ',:"\n') else text


def a1111_parameters(prompt: str | None, negative: str | None, fields: dict[str, Any]) -> str:
    """The A1111 `parameters` text. A hidden prompt leaves out the first two lines."""
    lines: list[str] = []
    if prompt is not None:
        lines.append(prompt.replace("\n", " "))
        if negative:
            lines.append("Negative prompt: " + negative.replace("\n", " "))
    lines.append(
        ", ".join(f"{key}: {_a1111_value(value)}" for key, value in fields.items() if value is not None)
    )
    return "\n".join(lines)


def xmp_packet(creator_tool: str, description: str | None = None, rights: str | None = None) -> str:
    """An XMP packet marking the picture as made by a trained model (IPTC DigitalSourceType)."""
    parts = [
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>',
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
        '  <rdf:Description rdf:about=""',
        '    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"',
        '    xmlns:dc="http://purl.org/dc/elements/1.1/"',
        '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
        f'    Iptc4xmpExt:DigitalSourceType="{TRAINED_ALGORITHMIC_MEDIA}"',
        f'    xmp:CreatorTool="{escape(creator_tool, {chr(34): "&quot;"})}">',
    ]
    for tag, text in (("dc:description", description), ("dc:rights", rights)):
        if text:
            alt = f'<rdf:Alt><rdf:li xml:lang="x-default">{escape(text)}</rdf:li></rdf:Alt>'
            parts.append(f"   <{tag}>{alt}</{tag}>")
    parts += ["  </rdf:Description>", " </rdf:RDF>", "</x:xmpmeta>", '<?xpacket end="r"?>']
    return "\n".join(parts)


def encode_png(
    image: Image.Image,
    xmp: str,
    record: dict[str, Any],
    parameters: str | None = None,
) -> bytes:
    """PNG bytes of `image` with the metadata chunks; deterministic for the same inputs."""
    info = PngImagePlugin.PngInfo()
    if parameters is not None:
        info.add_text(PARAMETERS_KEY, parameters)
    info.add_itxt(XMP_KEY, xmp)
    info.add_itxt(RECORD_KEY, json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")))
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info, compress_level=6)
    return out.getvalue()


def read_png_metadata(data: bytes) -> dict[str, Any]:
    """What a worldforge PNG says about itself: parameters, xmp and the JSON record (or None)."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        text: dict[str, str] = dict(getattr(image, "text", {}))
    raw = text.get(RECORD_KEY)
    try:
        record = json.loads(raw) if raw else None
    except ValueError:
        record = None
    return {"parameters": text.get(PARAMETERS_KEY), "xmp": text.get(XMP_KEY), "record": record}


def without_chunks(data: bytes, kind: bytes) -> bytes:
    """The PNG with every chunk of type `kind` left out (other bytes untouched).

    Not a PNG, or a chunk list that runs past the end: returned unchanged.
    """
    if not data.startswith(PNG_SIGNATURE):
        return data
    kept = [PNG_SIGNATURE]
    at = len(PNG_SIGNATURE)
    while at < len(data):
        if at + 8 > len(data):
            return data
        (length,) = struct.unpack(">I", data[at : at + 4])
        end = at + 12 + length
        if end > len(data):
            return data
        if data[at + 4 : at + 8] != kind:
            kept.append(data[at:end])
        at = end
    return b"".join(kept)
