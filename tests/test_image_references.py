"""Reference pictures on lore entries: the same face in every scene (IP-Adapter)."""

from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from tests.fakes import FakeImageEngine
from tests.image_support import make_story_dir, png_bytes, tiny_settings
from worldforge import conductor
from worldforge.cli import cli
from worldforge.core.model import LoreEntry
from worldforge.export.stats import colophon
from worldforge.store import StoryFolder


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def story_root(tmp_path, tiny_image):
    root = make_story_dir(tmp_path / "lamp")
    (tmp_path / "ines.png").write_bytes(png_bytes((220, 200, 20)))
    return root


def pixels(folder: StoryFolder, batch) -> list[bytes]:
    return [batch.results[i].image.tobytes() for i in range(len(batch.results))]


def test_lore_ref_imports_a_picture_and_takes_a_scene_s_picture(story_root):
    result = run(
        "lore", "ref", str(story_root), "keeper", str(story_root.parent / "ines.png"), "--strength", "0.7"
    )
    assert result.exit_code == 0, result.output
    entry = StoryFolder.open(story_root).story.meta.lore[0]
    assert entry.reference and entry.reference.startswith("images/") and entry.reference_strength == 0.7
    assert (story_root / entry.reference).read_bytes() == png_bytes((220, 200, 20))
    assert (
        run("render", str(story_root), "start", "--engine", "tiny", "-n", "1", "--choose", "1").exit_code == 0
    )
    chosen = StoryFolder.open(story_root).story.scenes["start"].image
    assert run("lore", "ref", str(story_root), "keeper", "--from-scene", "start").exit_code == 0
    assert StoryFolder.open(story_root).story.meta.lore[0].reference == chosen
    assert "no reference picture" in run("lore", "ref", str(story_root), "keeper", "--clear").stdout
    bad = CliRunner().invoke(cli, ["lore", "ref", str(story_root), "nobody", "--clear"])
    assert bad.exit_code != 0 and "no lore entry 'nobody'" in bad.output


def test_a_reference_must_be_a_picture_of_the_story():
    with pytest.raises(ValidationError, match="images/<file>"):
        LoreEntry(id="x", keys=["x"], reference="../secret.png")


def test_a_reference_changes_the_render_reproducibly_and_is_recorded(story_root, tiny_image):
    folder = StoryFolder.open(story_root)
    conductor.set_reference(folder, "keeper", str(story_root.parent / "ines.png"))
    settings = tiny_settings(seed=21)
    with_ref = conductor.render(folder, "start", tiny_image, settings)
    again = conductor.render(folder, "start", tiny_image, settings)
    without = conductor.render(folder, "start", tiny_image, settings, use_references=False)
    assert pixels(folder, with_ref) == pixels(folder, again)
    assert pixels(folder, with_ref) != pixels(folder, without)
    assert with_ref.renders[0].image != without.renders[0].image
    recorded = with_ref.provenance[0].settings
    reference = (story_root / folder.story.meta.lore[0].reference).read_bytes()
    assert recorded["ip_adapter"] == "worldforge/tiny-ip-adapter" and recorded["ip_adapter_scale"] == 0.5
    assert recorded["references"] == [
        {"entry": "keeper", "sha256": hashlib.sha256(reference).hexdigest(), "strength": 0.5}
    ]
    assert "references" not in without.provenance[0].settings
    # a scene that does not mention the keeper is not conditioned on her
    storm = conductor.render(folder, "storm", tiny_image, settings)
    assert "references" not in storm.provenance[0].settings
    credits = colophon(folder.story.scenes.values()).references
    assert len(credits) == 1 and credits[0].startswith("reference: lore entry keeper (picture sha256 ")


def test_image_to_image_from_the_parent_combines_with_references(story_root, tiny_image):
    folder = StoryFolder.open(story_root)
    first = conductor.render(folder, "storm", tiny_image, tiny_settings(seed=2))
    conductor.choose(folder.story, "storm", first.renders[0].image)
    conductor.set_reference(folder, "keeper", str(story_root.parent / "ines.png"))
    settings = tiny_settings(seed=5, strength=0.5)
    batch = conductor.render(folder, "shore", tiny_image, settings, init="parent")
    plain = conductor.render(folder, "shore", tiny_image, settings, init="parent", use_references=False)
    recorded = batch.provenance[0].settings
    assert "init_sha256" in recorded and recorded["references"][0]["entry"] == "keeper"
    assert pixels(folder, batch) != pixels(folder, plain)


def test_a_model_without_an_adapter_renders_without_references_and_says_so(story_root):
    folder = StoryFolder.open(story_root)
    conductor.set_reference(folder, "keeper", str(story_root.parent / "ines.png"))
    batch = conductor.render(folder, "start", FakeImageEngine(), tiny_settings())
    assert batch.notes == ["fake/gradient has no IP-Adapter: rendered without the references of keeper"]
