"""float16 is what CUDA runs; the same code must hold on CPU when asked for it (a regression:
decoding upcast the shared VAE in place, and the next image-to-image encode then failed)."""

from __future__ import annotations

from worldforge.conductor.picture import picture_png as png
from worldforge.engines.image.protocol import ImageSettings
from worldforge.engines.image.registry import tiny_image_engine


def test_float16_text_to_image_then_image_to_image(tiny_image):
    engine = tiny_image_engine(dtype="float16")
    engine.load()
    assert engine.dtype == "float16"
    first = engine.generate("a red crane", ImageSettings(width=64, height=64, steps=4, candidates=2, seed=5))
    alone = engine.generate("a red crane", ImageSettings(width=64, height=64, steps=4, candidates=1, seed=6))
    assert png(first[1]) == png(alone[0])
    again = engine.generate(
        "the dock at night",
        ImageSettings(width=64, height=64, steps=8, strength=0.5, seed=9),
        init_image=png(first[0]),
    )
    assert again[0].image.size == (64, 64)
    repeat = engine.generate("a red crane", ImageSettings(width=64, height=64, steps=4, seed=5))[0]
    assert png(repeat) == png(first[0])
