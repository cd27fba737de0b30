"""The studio's picture panel shows the picture's content credentials, read in a worker."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from textual.widgets import Label

from tests.image_support import make_story_dir, tiny_settings
from worldforge.conductor.render import choose, render
from worldforge.store import StoryFolder
from worldforge.store.credentials import MANIFEST_CHUNK
from worldforge.store.png import without_chunks

from .tui_support import finish, studio


def illustrated(root: Path, tiny_image) -> tuple[Path, str]:
    folder = StoryFolder.open(make_story_dir(root))
    render(folder, "start", tiny_image, tiny_settings())
    choose(folder.story, "start", 0)
    folder.save()
    return root, folder.story.scene("start").image or ""


def edit_text_chunk(png: bytes) -> bytes:
    """One letter of the first tEXt chunk changed, its CRC fixed: still a good PNG, but no
    longer the bytes that were signed (someone edited the credit text)."""
    start = png.index(b"tEXt") - 4
    length = int.from_bytes(png[start : start + 4], "big")
    body = bytearray(png[start + 4 : start + 8 + length])
    body[-1] ^= 0x01
    crc = zlib.crc32(bytes(body)).to_bytes(4, "big")
    return png[: start + 4] + bytes(body) + crc + png[start + 12 + length :]


async def credential_shown(root: Path) -> tuple[str, set[str]]:
    app = studio(root)
    async with app.run_test(size=(110, 34)) as pilot:
        await finish(pilot, app)
        label = app.screen.query_one("#image-credential", Label)
        return str(label.render()), set(label.classes)


@pytest.mark.asyncio
async def test_a_signed_picture_shows_valid(tmp_path, tiny_image):
    root, _ = illustrated(tmp_path / "lamp", tiny_image)
    line, classes = await credential_shown(root)
    assert line.startswith("✓ content credentials valid · worldforge/tiny-sd")
    assert "untrusted signer" in line and classes == {"credential-valid"}


@pytest.mark.asyncio
async def test_an_edited_credit_text_shows_tampered(tmp_path, tiny_image):
    root, image = illustrated(tmp_path / "lamp", tiny_image)
    (root / image).write_bytes(edit_text_chunk((root / image).read_bytes()))
    line, classes = await credential_shown(root)
    assert line.startswith("✗ tampered") and classes == {"credential-tampered"}


@pytest.mark.asyncio
async def test_a_stripped_manifest_shows_unsigned(tmp_path, tiny_image):
    root, image = illustrated(tmp_path / "lamp", tiny_image)
    (root / image).write_bytes(without_chunks((root / image).read_bytes(), MANIFEST_CHUNK))
    line, classes = await credential_shown(root)
    assert line.startswith("○ unsigned") and classes == {"credential-unsigned"}
