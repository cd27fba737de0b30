"""Every picture a render writes carries a signed manifest crediting the model."""

from __future__ import annotations

import io

import c2pa
import pytest
from PIL import Image

from tests.image_support import make_story_dir, tiny_settings
from worldforge.conductor.picture import credited_png, picture_png
from worldforge.conductor.render import choose, render
from worldforge.store import StoryFolder
from worldforge.store.credentials import COMPOSITE_WITH_TRAINED_MEDIA, VALID, content_sha256, read_credential


@pytest.fixture
def folder(tmp_path) -> StoryFolder:
    return StoryFolder.open(make_story_dir(tmp_path / "lamp"))


def manifest_json(data: bytes) -> str:
    with c2pa.Reader("image/png", io.BytesIO(data)) as reader:
        return reader.json()


def test_candidates_and_their_contact_sheet_are_signed_and_credited(folder, tiny_image):
    batch = render(folder, "storm", tiny_image, tiny_settings(candidates=3, seed=7))
    for item in batch.renders:
        credential = read_credential(folder.read_image(item.image))
        assert credential.state == VALID, credential.problems
        assert credential.title == "Storm"
        assert (credential.model, credential.revision) == ("worldforge/tiny-sd", tiny_image.revision)
    sheet = read_credential(folder.read_image(batch.grid))
    assert sheet.state == VALID and sheet.title == "Storm (contact sheet)"
    assert (sheet.model, sheet.revision) == ("worldforge/tiny-sd", tiny_image.revision)
    assert sheet.ingredients == tuple(f"componentOf: {r.image}" for r in batch.renders)
    assert COMPOSITE_WITH_TRAINED_MEDIA in manifest_json(folder.read_image(batch.grid))


def test_image_to_image_names_the_init_picture_as_parent(folder, tiny_image):
    render(folder, "start", tiny_image, tiny_settings())
    choose(folder.story, "start", 0)
    batch = render(folder, "storm", tiny_image, tiny_settings(strength=0.5), init="parent")
    credential = read_credential(folder.read_image(batch.renders[0].image))
    assert credential.state == VALID
    assert credential.ingredients == (f"parentOf: {batch.init}",)


def test_a_picture_file_as_init_is_named_without_its_path(folder, tiny_image, tmp_path):
    sketch = tmp_path / "private" / "sketch.png"
    sketch.parent.mkdir()
    Image.new("RGB", (64, 64), "navy").save(sketch)
    batch = render(folder, "shore", tiny_image, tiny_settings(strength=0.5), init=str(sketch))
    data = folder.read_image(batch.renders[0].image)
    assert read_credential(data).ingredients == ("parentOf: sketch.png",)
    assert str(sketch.parent) not in manifest_json(data)


def test_a_hidden_prompt_stays_out_of_the_manifest(folder, tiny_image):
    batch = render(folder, "start", tiny_image, tiny_settings(), hide_prompt=True)
    manifest = manifest_json(folder.read_image(batch.renders[0].image))
    assert "worldforge/tiny-sd" in manifest
    for word in ("Ines", "lamp", "Fresnel", batch.report.prompt):
        assert word not in manifest


def test_a_replayed_render_has_the_same_picture_bytes_under_a_new_signature(folder, tiny_image):
    result = tiny_image.generate("a lamp", tiny_settings(seed=5))[0]
    again = tiny_image.generate("a lamp", tiny_settings(seed=5))[0]
    png = picture_png(result)
    assert picture_png(again) == png  # byte-exact replay of the image data and its metadata
    first, second = credited_png(result, png, "t"), credited_png(again, picture_png(again), "t")
    assert first != second and content_sha256(first) == content_sha256(second) == content_sha256(png)
