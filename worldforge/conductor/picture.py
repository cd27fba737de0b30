"""A rendered picture as the file the story keeps: PNG bytes with its provenance inside.

Everything in `picture_png` comes from the engine's record (prompt unless hidden, settings,
seed, model, license), none of it from when or how fast the picture was made, so
re-rendering a record gives the same bytes; `credited_png` then signs them (C2PA), the last
write, which adds the only bytes that differ from one render to the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from worldforge import __version__
from worldforge.engines.image.protocol import ImageResult
from worldforge.engines.image.schedulers import sampler_name
from worldforge.engines.record import GenerationRecord
from worldforge.store.credentials import COMPOSITE_WITH_TRAINED_MEDIA, Ingredient, sign_png
from worldforge.store.png import a1111_parameters, encode_png, xmp_packet


def file_record(record: GenerationRecord) -> dict[str, Any]:
    """The worldforge JSON chunk: the record without its run-dependent facts (wall time)."""
    return {
        "engine": record.engine,
        "model": record.model,
        "test_model": record.test_model,
        "revision": record.revision,
        "license": record.license,
        "settings": record.settings,
        "seed": record.seed,
        "versions": record.versions,
        "device": record.device,
        "flops": record.flops,
        "prompt_hidden": record.prompt_hidden,
    }


def picture_png(result: ImageResult) -> bytes:
    """PNG bytes of a rendered picture with the A1111 parameters, XMP and worldforge chunks."""
    record = result.record
    used = record.settings
    prompt = None if record.prompt_hidden else used["prompt"]
    negative = None if record.prompt_hidden else used["negative_prompt"]
    fields: dict[str, Any] = {
        "Steps": used["steps"],
        "Sampler": sampler_name(used["scheduler"]),
        "CFG scale": used["guidance"],
        "Seed": record.seed,
        "Size": f"{used['width']}x{used['height']}",
        "Model": record.model,
        "Denoising strength": used.get("strength"),
        "Version": f"worldforge {__version__}",
    }
    credit = f"worldforge {__version__} ({record.engine}, {record.model})"
    if record.test_model:
        credit += " - random-weight test model: this picture is noise"
    xmp = xmp_packet(credit, description=prompt, rights=record.license)
    return encode_png(result.image, xmp, file_record(record), a1111_parameters(prompt, negative, fields))


def credited_png(result: ImageResult, png: bytes, title: str, parents: tuple[Ingredient, ...] = ()) -> bytes:
    """`png` signed with a C2PA manifest crediting the model that rendered it (never the prompt)."""
    record = result.record
    return sign_png(png, title, model=record.model, revision=record.revision, ingredients=parents)


def credited_sheet(
    sheet: bytes, title: str, model: str, revision: str | None, components: Sequence[Ingredient]
) -> bytes:
    """A contact sheet of a scene's candidates signed as a composite of them (each one a
    `componentOf` ingredient), crediting the one model that made every candidate."""
    return sign_png(
        sheet, f"{title} (contact sheet)", COMPOSITE_WITH_TRAINED_MEDIA, model, revision, components
    )
