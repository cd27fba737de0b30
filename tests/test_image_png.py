"""Provenance inside every PNG, read back by readers that are not ours."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
from PIL import Image
from sd_parsers import ParserManager

from tests.image_support import tiny_settings
from worldforge.conductor.picture import picture_png
from worldforge.store.png import TRAINED_ALGORITHMIC_MEDIA, a1111_parameters, read_png_metadata

PROMPT = "a lighthouse keeper, yellow raincoat"
NEGATIVE = "text, watermark"
IPTC = "{http://iptc.org/std/Iptc4xmpExt/2008-02-29/}DigitalSourceType"


@pytest.fixture(scope="module")
def shown_result(tiny_image):
    return tiny_image.generate(PROMPT, tiny_settings(seed=42, guidance=1.5, negative_prompt=NEGATIVE))[0]


@pytest.fixture(scope="module")
def shown(shown_result):
    """The picture file the conductor writes for a render."""
    return picture_png(shown_result)


@pytest.fixture(scope="module")
def hidden(tiny_image):
    settings = tiny_settings(seed=42, guidance=1.5, negative_prompt=NEGATIVE, hide_prompt=True)
    return picture_png(tiny_image.generate(PROMPT, settings)[0])


def text_chunks(png: bytes) -> dict[str, str]:
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        return dict(image.text)


def digital_source_type(xmp: str) -> str | None:
    root = ET.fromstring(xmp[xmp.index("<x:xmpmeta") : xmp.index("</x:xmpmeta>") + len("</x:xmpmeta>")])
    for element in root.iter():
        if IPTC in element.attrib:
            return element.attrib[IPTC]
    return None


def test_pillow_reads_all_three_chunks(shown, shown_result):
    chunks = text_chunks(shown)
    assert chunks["parameters"].startswith(PROMPT + "\nNegative prompt: " + NEGATIVE + "\nSteps: 4, ")
    assert digital_source_type(chunks["XML:com.adobe.xmp"]) == TRAINED_ALGORITHMIC_MEDIA
    record = json.loads(chunks["worldforge"])
    assert record["seed"] == 42 and record["model"] == "worldforge/tiny-sd"
    assert record["revision"] == shown_result.record.revision
    assert record["settings"]["prompt"] == PROMPT
    assert record["flops"] > 0
    assert "wall_s" not in record  # run-dependent facts stay out of the file


def test_sd_parsers_reads_the_a1111_parameters(shown):
    info = ParserManager().parse(Image.open(io.BytesIO(shown)))
    assert info is not None and info.generator.name == "AUTOMATIC1111"
    assert info.full_prompt == PROMPT
    assert info.full_negative_prompt == NEGATIVE
    sampler = info.samplers[0]
    assert sampler.name == "Euler"
    assert sampler.parameters == {"cfg_scale": "1.5", "seed": "42", "steps": "4"}
    assert sampler.model.name == "worldforge/tiny-sd"
    assert info.metadata["Size"] == "64x64"


@pytest.mark.skipif(shutil.which("exiftool") is None, reason="exiftool not installed")
def test_exiftool_reads_the_xmp_and_parameters(shown, tmp_path):
    path = tmp_path / "picture.png"
    path.write_bytes(shown)
    out = subprocess.run(
        ["exiftool", "-j", "-a", "-G1", str(path)], capture_output=True, text=True, check=True
    )
    tags = json.loads(out.stdout)[0]
    assert tags["XMP-iptcExt:DigitalSourceType"] == TRAINED_ALGORITHMIC_MEDIA
    assert tags["XMP-dc:Description"] == PROMPT
    assert tags["PNG:Parameters"].startswith(PROMPT)


def test_hide_prompt_keeps_credit_and_settings_but_not_the_prompt(hidden, shown):
    assert PROMPT.encode() not in hidden and b"yellow raincoat" not in hidden
    assert NEGATIVE.encode() not in hidden
    meta = read_png_metadata(hidden)
    assert meta["parameters"].startswith("Steps: 4, ")
    assert "Seed: 42" in meta["parameters"] and "Model: worldforge/tiny-sd" in meta["parameters"]
    assert meta["record"]["prompt_hidden"] is True
    assert "prompt" not in meta["record"]["settings"] and "negative_prompt" not in meta["record"]["settings"]
    assert digital_source_type(meta["xmp"]) == TRAINED_ALGORITHMIC_MEDIA
    info = ParserManager().parse(Image.open(io.BytesIO(hidden)))
    assert info is not None and not info.full_prompt
    # same pixels: hiding the prompt changes the file, not the picture
    with Image.open(io.BytesIO(hidden)) as a, Image.open(io.BytesIO(shown)) as b:
        assert a.tobytes() == b.tobytes()


def test_a1111_values_that_would_break_the_line_are_quoted():
    text = a1111_parameters("p", "", {"Steps": 2, "Model": "a, b", "CFG scale": 7.0, "Seed": None})
    assert text == 'p\nSteps: 2, Model: "a, b", CFG scale: 7'
