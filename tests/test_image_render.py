"""The render use case: prompt, engine, content-addressed pictures, records, grid, choice."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from tests.image_support import make_story_dir, tiny_settings
from worldforge.conductor.grid import grid_shape
from worldforge.conductor.render import choose, render, render_all, render_order
from worldforge.core.errors import StoryError
from worldforge.engines.cancel import Cancelled, CancelToken
from worldforge.store import StoryFolder
from worldforge.store.credentials import content_sha256
from worldforge.store.png import read_png_metadata


@pytest.fixture
def folder(tmp_path) -> StoryFolder:
    return StoryFolder.open(make_story_dir(tmp_path / "lamp"))


def test_render_stores_pictures_and_credits_them_on_the_scene(folder, tiny_image):
    batch = render(folder, "storm", tiny_image, tiny_settings(candidates=3, seed=7), preset="hokusai")
    scene = folder.story.scenes["storm"]
    assert [r.image for r in scene.renders] == [r.image for r in batch.renders]
    assert [r.seed for r in scene.renders] == [7, 8, 9]
    for item, record in zip(scene.renders, scene.provenance, strict=True):
        data = folder.read_image(item.image)
        assert item.image == f"images/{content_sha256(data)[:32]}.png"  # named before signing
        assert item.provenance == record.id and record.kind == "image"
        assert record.seed == item.seed and record.created and record.wall_s > 0
        assert record.settings["preset"] == "hokusai"
        assert record.settings["prompt"] == batch.report.prompt
        assert record.model == "worldforge/tiny-sd" and record.revision == tiny_image.revision
        assert read_png_metadata(data)["record"]["seed"] == item.seed
    assert "huge brass Fresnel lamp" in batch.report.prompt
    assert batch.settings.negative_prompt.startswith("text, watermark")
    folder.save()
    again = StoryFolder.open(folder.root).story.scenes["storm"]
    assert again.renders == scene.renders and again.provenance == scene.provenance


def test_a_rerender_from_the_record_gives_the_same_file(folder, tiny_image):
    first = render(folder, "start", tiny_image, tiny_settings(candidates=3, seed=20))
    second = render(folder, "start", tiny_image, tiny_settings(candidates=1, seed=first.renders[2].seed))
    assert second.renders[0].image == first.renders[2].image
    assert len(folder.story.scenes["start"].renders) == 3  # no duplicate records


def test_nine_candidates_make_a_numbered_three_by_three_sheet(folder, tiny_image):
    batch = render(folder, "start", tiny_image, tiny_settings(candidates=9, width=32, height=32))
    assert grid_shape(9) == (3, 3) and grid_shape(4) == (2, 2) and grid_shape(5) == (3, 2)
    data = folder.read_image(batch.grid)
    with Image.open(io.BytesIO(data)) as sheet:
        assert sheet.size == (3 * 32 + 4 * 4, 3 * 32 + 4 * 4)
        corner = sheet.convert("RGB").getpixel((4 + 32 + 4 + 1, 4 + 1))  # label box of picture 2
        assert corner == (0, 0, 0)
    meta = read_png_metadata(data)
    assert meta["record"]["contact_sheet"] == [r.image for r in batch.renders]
    assert "trainedAlgorithmicMedia" in meta["xmp"]
    assert render(folder, "start", tiny_image, tiny_settings()).grid is None


def test_choose_sets_the_picture_and_its_title(folder, tiny_image):
    batch = render(folder, "start", tiny_image, tiny_settings(candidates=2))
    scene = choose(folder.story, "start", batch.renders[1].image)
    assert scene.image == batch.renders[1].image and scene.image_title == "The Lighthouse"
    scene.image_title = "Ines at the top"
    assert choose(folder.story, "start", 0).image == batch.renders[0].image
    assert scene.image_title == "Ines at the top"
    with pytest.raises(StoryError, match="not one of the renders"):
        choose(folder.story, "start", "images/other.png")
    with pytest.raises(StoryError, match="no render 5"):
        choose(folder.story, "start", 5)


def test_image_to_image_from_the_parent_scene(folder, tiny_image):
    parent = render(folder, "start", tiny_image, tiny_settings())
    with pytest.raises(StoryError, match="no parent scene with a chosen picture"):
        render(folder, "storm", tiny_image, tiny_settings(), init="parent")
    choose(folder.story, "start", 0)
    batch = render(folder, "storm", tiny_image, tiny_settings(strength=0.5), init="parent")
    parent_bytes = folder.read_image(parent.renders[0].image)
    assert batch.provenance[0].settings["init_sha256"] == hashlib.sha256(parent_bytes).hexdigest()
    assert batch.init == f"parent start: {parent.renders[0].image}"


def test_image_to_image_from_any_picture_file(folder, tiny_image, tmp_path):
    picture = tmp_path / "sketch.png"
    Image.new("RGB", (100, 80), "navy").save(picture)
    batch = render(folder, "shore", tiny_image, tiny_settings(strength=0.75), init=str(picture))
    assert batch.provenance[0].settings["init_sha256"] == hashlib.sha256(picture.read_bytes()).hexdigest()
    with pytest.raises(StoryError, match="not found"):
        render(folder, "shore", tiny_image, tiny_settings(), init=str(tmp_path / "missing.png"))


def test_hide_prompt_keeps_the_prompt_out_of_the_story_and_the_file(folder, tiny_image):
    batch = render(folder, "start", tiny_image, tiny_settings(), hide_prompt=True)
    record = folder.story.scenes["start"].provenance[0]
    assert record.prompt_hidden and "prompt" not in record.settings
    assert record.settings["prompt_sha256"] == hashlib.sha256(batch.report.prompt.encode()).hexdigest()
    assert batch.report.prompt.encode() not in folder.read_image(batch.renders[0].image)


def test_render_all_saves_after_each_scene_and_resumes(folder, tiny_image):
    assert render_order(folder.story) == ["start", "storm", "shore", "wreck"]
    token = CancelToken()

    def stop_at_third(scene_id, number, total):
        if number == 3:
            token.cancel()

    with pytest.raises(Cancelled):
        render_all(folder, tiny_image, tiny_settings(), on_scene=stop_at_third, cancel=token)
    saved = StoryFolder.open(folder.root)
    assert [s.id for s in saved.story.scenes.values() if s.image] == ["start", "storm"]
    seen = []
    batches = render_all(
        saved, tiny_image, tiny_settings(), continuity=True, on_scene=lambda *a: seen.append(a)
    )
    assert seen == [("shore", 1, 2), ("wreck", 2, 2)]
    assert all("init_sha256" in b.provenance[0].settings for b in batches)  # from the storm picture
    assert all(s.image for s in StoryFolder.open(folder.root).story.scenes.values())
    assert render_all(saved, tiny_image, tiny_settings()) == []


def test_an_init_file_that_is_not_a_picture_is_a_clear_error(folder, tmp_path):
    from worldforge.conductor.render import resolve_init
    from worldforge.core.errors import StoryError

    bogus = tmp_path / "notes.png"
    bogus.write_text("just words")
    with pytest.raises(StoryError, match="not a PNG, JPEG or WebP picture"):
        resolve_init(folder, "start", str(bogus))
