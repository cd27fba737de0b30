"""Output of the tiny offline models is marked as test noise in its record, and shown so."""

from __future__ import annotations

from worldforge.conductor.expand import provenance_from
from worldforge.core.model import Provenance
from worldforge.engines.image.protocol import ImageSettings
from worldforge.engines.text.protocol import TextSettings
from worldforge.export.book import credit_line


def test_tiny_text_and_image_records_say_test_model(tiny_torch_engine, tiny_image):
    (text,) = tiny_torch_engine.generate("The crane", TextSettings(max_new_tokens=4, candidates=1, seed=1))
    assert provenance_from(text).test_model
    (picture,) = tiny_image.generate("a crane", ImageSettings(width=64, height=64, steps=2, seed=1))
    assert picture.record.test_model is True


def test_the_book_credits_test_noise_as_such():
    noise = Provenance(id="p", kind="image", engine="diffusers", model="worldforge/tiny-sd", test_model=True)
    real = Provenance(id="q", kind="image", engine="diffusers", model="stabilityai/sd-turbo")
    assert "noise, not art" in credit_line(noise)
    assert "noise" not in credit_line(real)
