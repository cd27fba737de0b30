"""`worldforge verify` on a picture, a story folder and an exported EPUB."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from PIL import Image

from tests.image_support import make_story_dir, tiny_settings
from worldforge.cli import cli
from worldforge.conductor.render import choose, render
from worldforge.store import StoryFolder


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def rendered(tmp_path, tiny_image) -> StoryFolder:
    folder = StoryFolder.open(make_story_dir(tmp_path / "lamp"))
    render(folder, "start", tiny_image, tiny_settings(candidates=2))
    choose(folder.story, "start", 0)
    folder.save()
    return folder


def test_a_rendered_story_verifies_and_a_tampered_copy_is_caught(rendered):
    result = run("verify", str(rendered.root))
    assert result.exit_code == 0, result.output
    assert "3 pictures: 3 valid, 0 tampered, 0 unsigned" in result.output  # 2 candidates + sheet
    assert '"The Lighthouse"' in result.output and "model worldforge/tiny-sd @" in result.output
    assert "(untrusted)" in result.output
    picture = rendered.image_path(rendered.story.scenes["start"].image)
    data = bytearray(picture.read_bytes())
    data[data.index(b"IDAT") + 12] ^= 0x01
    picture.write_bytes(bytes(data))
    tampered = run("verify", str(picture))
    assert tampered.exit_code == 1
    assert tampered.output.startswith("tampered") and "assertion.dataHash.mismatch" in tampered.output


def test_a_signed_picture_copied_over_another_is_caught_by_its_name(rendered):
    first, second = (rendered.image_path(r.image) for r in rendered.story.scenes["start"].renders)
    second.write_bytes(first.read_bytes())
    result = run("verify", str(rendered.root))
    assert result.exit_code == 1 and "2 valid, 1 tampered" in result.output
    assert "not the one its name says" in result.output


def test_an_unsigned_picture_fails_verification(tmp_path):
    picture = tmp_path / "plain.png"
    Image.new("RGB", (8, 8)).save(picture)
    result = run("verify", str(picture))
    assert result.exit_code == 1 and result.output.startswith("unsigned  plain.png")
    assert run("verify", str(tmp_path / "missing.png")).exit_code == 2


@pytest.mark.parametrize("fmt", ["epub", "html"])
def test_the_pictures_of_an_exported_book_verify(rendered, tmp_path, fmt):
    book = tmp_path / f"lamp.{fmt}"
    assert run("export", str(rendered.root), "--format", fmt, "-o", str(book)).exit_code == 0
    result = run("verify", str(book))
    assert result.exit_code == 0, result.output
    assert "0 tampered, 0 unsigned" in result.output and "model worldforge/tiny-sd" in result.output
    pdf = run("verify", str(tmp_path / "lamp.pdf"))
    assert pdf.exit_code == 2 and "re-encodes its pictures" in pdf.output


def test_the_title_card_of_a_book_without_pictures_is_signed(tmp_path):
    story = make_story_dir(tmp_path / "bare")
    book = tmp_path / "bare.epub"
    assert run("export", str(story), "--format", "epub", "-o", str(book)).exit_code == 0
    result = run("verify", str(book))
    assert result.exit_code == 0, result.output
    assert "1 picture: 1 valid" in result.output and "(title card)" in result.output
