"""The offline tiny models, one builder per engine kind: `worldforge models tiny` runs them all.

`TINY` is the engine choice that picks them (`--engine tiny`), for text and pictures alike.
Adding a tiny model for another engine is one line in TINY_BUILDERS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from worldforge.engines.image.tiny import build_tiny_image_pipeline, tiny_image_path
from worldforge.engines.text.tiny import build_tiny_text_model, tiny_text_path

TINY = "tiny"


@dataclass(frozen=True)
class TinyBuilder:
    name: str
    path: Callable[[], Path]
    build: Callable[[Path], Path]


TINY_BUILDERS: list[TinyBuilder] = [
    TinyBuilder("text: tiny GPT-2", tiny_text_path, build_tiny_text_model),
    TinyBuilder("image: tiny Stable Diffusion", tiny_image_path, build_tiny_image_pipeline),
]


def build_tiny_models(progress: Callable[[str], None] | None = None) -> list[tuple[str, Path]]:
    built: list[tuple[str, Path]] = []
    for builder in TINY_BUILDERS:
        if progress:
            progress(f"building {builder.name}")
        built.append((builder.name, builder.build(builder.path())))
    return built
