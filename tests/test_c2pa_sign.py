"""`worldforge sign`: older, unsigned pictures are signed from the story's records; valid
ones are left byte for byte; tampered ones are reported and never re-signed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from tests.image_support import make_story_dir, tiny_settings
from tests.test_tui_credential import edit_text_chunk
from worldforge.cli import cli
from worldforge.conductor import picture, signing
from worldforge.conductor.render import choose, render
from worldforge.core.errors import StoryError
from worldforge.store import StoryFolder
from worldforge.store.atomic import TEMP_PREFIX
from worldforge.store.credentials import TAMPERED, UNSIGNED, VALID, read_credential

MODEL = "worldforge/tiny-sd"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def unsigned(png: bytes, *args, **kwargs) -> bytes:
    return png


@pytest.fixture
def old_story(tmp_path, tiny_image, monkeypatch) -> tuple[Path, dict[str, str]]:
    """A story rendered as worldforge did before it signed pictures: two candidates and a
    sheet for the start, an image-to-image render of its child from the start's picture.
    Returns the folder and which picture is which."""
    with monkeypatch.context() as before_signing:
        before_signing.setattr(picture, "sign_png", unsigned)
        folder = StoryFolder.open(make_story_dir(tmp_path / "lamp"))
        first = render(folder, "start", tiny_image, tiny_settings(candidates=2))
        choose(folder.story, "start", 0)
        second = render(folder, "storm", tiny_image, tiny_settings(strength=0.5), init="parent")
        folder.save()
    names = {"chosen": first.renders[0].image, "other": first.renders[1].image}
    names |= {"sheet": str(first.grid), "img2img": second.renders[0].image}
    return folder.root, names


def credential(root: Path, rel: str):
    return read_credential((root / rel).read_bytes())


def test_unsigned_pictures_are_signed_from_what_the_story_records(old_story):
    root, names = old_story
    assert {credential(root, rel).state for rel in names.values()} == {UNSIGNED}
    result = run("sign", str(root))
    assert result.exit_code == 0, result.output
    assert "4 pictures: 4 signed" in result.output
    for rel in names.values():
        made = credential(root, rel)
        assert made.state == VALID and made.model == MODEL, (rel, made)
    assert credential(root, names["chosen"]).title == "The Lighthouse"
    assert credential(root, names["img2img"]).ingredients == (f"parentOf: {names['chosen']}",)
    sheet = credential(root, names["sheet"])
    assert sheet.title == "The Lighthouse (contact sheet)"
    assert sheet.ingredients == (f"componentOf: {names['chosen']}", f"componentOf: {names['other']}")
    assert run("verify", str(root)).exit_code == 0


def test_a_valid_picture_keeps_its_bytes(old_story):
    root, names = old_story
    assert run("sign", str(root)).exit_code == 0
    before = {rel: (root / rel).read_bytes() for rel in names.values()}
    again = run("sign", str(root))
    assert again.exit_code == 0 and "4 pictures: 4 valid" in again.output
    assert {rel: (root / rel).read_bytes() for rel in names.values()} == before


def test_tampered_pictures_are_reported_and_left_as_they_are(old_story):
    root, names = old_story
    assert run("sign", str(root)).exit_code == 0
    edited = root / names["chosen"]  # signed, then its credit text edited
    edited.write_bytes(edit_text_chunk(edited.read_bytes()))
    changed = root / names["other"]  # unsigned, its pixels changed since the render
    image = Image.open(changed).convert("RGB")
    image.putpixel((0, 0), (255, 0, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    changed.write_bytes(out.getvalue())
    before = {path: path.read_bytes() for path in (edited, changed)}
    result = run("sign", str(root))
    assert result.exit_code == 1
    for rel in (names["chosen"], names["other"]):
        assert f"tampered  {rel}  left as it is, not re-signed" in result.output
        assert credential(root, rel).state in (TAMPERED, UNSIGNED)
    assert {path: path.read_bytes() for path in before} == before
    assert run("verify", str(root)).exit_code == 1


def test_a_picture_no_render_made_stays_unsigned(old_story):
    root, _ = old_story
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    stray = StoryFolder.open(root).put_image(out.getvalue())
    result = run("sign", str(root))
    assert result.exit_code == 1
    assert f"unsigned  {stray}  no render in the story made it" in result.output
    assert credential(root, stray).state == UNSIGNED


def test_a_failure_half_way_leaves_every_file_whole(old_story, monkeypatch):
    root, names = old_story
    before = {path: path.read_bytes() for path in (root / "images").iterdir()}
    calls = []

    def failing(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise StoryError("the signer went away")
        return real(*args, **kwargs)

    real = signing.sign_png
    monkeypatch.setattr(signing, "sign_png", failing)
    with pytest.raises(StoryError):
        signing.sign_story_pictures(StoryFolder.open(root))
    after = {path: path.read_bytes() for path in (root / "images").iterdir()}
    assert set(after) == set(before) and not list(root.rglob(f"{TEMP_PREFIX}*"))
    changed = [path for path in before if after[path] != before[path]]
    assert len(changed) == 1 and read_credential(after[changed[0]]).state == VALID
    assert all(read_credential(after[path]).state == UNSIGNED for path in before if path not in changed)
