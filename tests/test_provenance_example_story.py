"""The example story, drafted and illustrated on the tiny offline models through the CLI:
every picture it and its books hold is signed and credits the model, a tampered copy is
caught, and the energy ledger prints, charts and reaches the colophon."""

from __future__ import annotations

import base64
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from worldforge.cli import cli
from worldforge.export import build_book
from worldforge.store import StoryFolder
from worldforge.store.credentials import VALID, content_sha256, read_credential

EXAMPLE = Path(__file__).resolve().parents[1] / "stories" / "socialist-gundam"
TINY = ["--engine", "tiny", "--size", "32x32", "--steps", "2"]
MODEL = "worldforge/tiny-sd"
BOOKS = {"html": "book.html", "epub": "book.epub", "md": "book.md", "twee": "book.twee", "pdf": "book.pdf"}
PNG_URI = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def story(tmp_path_factory, tiny_text_model, tiny_image) -> Path:
    """The example story after an expand (one candidate accepted) and a render of every scene
    (two candidates and a contact sheet each), then one image-to-image render chosen;
    metered, as a user's run is."""
    root = tmp_path_factory.mktemp("example") / "socialist-gundam"
    shutil.copytree(EXAMPLE, root)
    start = StoryFolder.open(root).story.meta.start
    child = StoryFolder.open(root).story.scenes[start].links[0].to
    with pytest.MonkeyPatch.context() as env:
        env.delenv("WORLDFORGE_ENERGY")
        steps = [
            ["expand", str(root), start, "--engine", "tiny", "--candidates", "2", "--max-tokens", "8"],
            ["accept", str(root), start, "1"],
            ["render", str(root), "--all", *TINY, "-n", "2"],
            [
                "render",
                str(root),
                child,
                *TINY,
                "-n",
                "1",
                "--init",
                "parent",
                "--strength",
                "0.5",
                "--choose",
                "1",
            ],
        ]
        for step in steps:
            result = run(*step)
            assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="module")
def books(story, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("books")
    written = {}
    for fmt, name in BOOKS.items():
        target = out / fmt / name
        gamebook = ["--gamebook"] if fmt in ("html", "epub") else []
        result = run("export", str(story), "--format", fmt, *gamebook, "-o", str(target))
        assert result.exit_code == 0, result.output
        written[fmt] = target
    return written


def pngs_in(fmt: str, book: Path) -> list[bytes]:
    """Every PNG a book holds, found without the verifier's own search."""
    if fmt == "html":
        return [base64.b64decode(data) for data in PNG_URI.findall(book.read_text(encoding="utf-8"))]
    if fmt == "epub":
        with zipfile.ZipFile(book) as archive:
            return [archive.read(name) for name in archive.namelist() if name.endswith(".png")]
    return [file.read_bytes() for file in sorted(book.parent.rglob("*.png"))]


def test_every_picture_of_the_story_is_signed_and_credits_the_model(story):
    pictures = sorted((story / "images").glob("*.png"))
    scenes = StoryFolder.open(story).story.scenes.values()
    assert len(pictures) == 3 * len(scenes) + 1  # two candidates and a sheet each, one img2img
    for picture in pictures:
        credential = read_credential(picture.read_bytes())
        assert credential.state == VALID, (picture.name, credential.problems)
        assert credential.model == MODEL, picture.name
    result = run("verify", str(story))
    assert result.exit_code == 0, result.output
    assert f"{len(pictures)} pictures: {len(pictures)} valid, 0 tampered, 0 unsigned" in result.output


@pytest.mark.parametrize("fmt", ["html", "epub", "md", "twee"])
def test_every_picture_in_every_book_is_signed_and_credits_the_model(story, books, fmt):
    folder = StoryFolder.open(story)
    book = build_book(folder, gamebook=fmt in ("html", "epub"))
    printed = {
        content_sha256(folder.read_image(ch.picture.image)) for ch in book.chapters if ch.picture.image
    }
    found = pngs_in(fmt, books[fmt])
    assert printed and printed <= {content_sha256(data) for data in found}  # no picture re-encoded
    for data in found:
        credential = read_credential(data)
        assert credential.state == VALID and credential.model == MODEL, credential
    parents = [read_credential(data).ingredients for data in found]
    assert any(ingredients and ingredients[0].startswith("parentOf: ") for ingredients in parents)
    where = books[fmt].parent if fmt in ("md", "twee") else books[fmt]
    result = run("verify", str(where))
    assert result.exit_code == 0, result.output
    assert f"{len(found)} valid, 0 tampered, 0 unsigned" in result.output


def test_a_pdf_is_refused_by_verify_because_it_re_encodes_its_pictures(books):
    result = run("verify", str(books["pdf"]))
    assert result.exit_code == 2 and "re-encodes its pictures" in result.output


def test_a_tampered_copy_is_caught(story, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(story, copy)
    picture = StoryFolder.open(copy).story.scenes[StoryFolder.open(copy).story.meta.start].image
    data = bytearray((copy / str(picture)).read_bytes())
    at = data.index(b"IDAT") + 8  # one byte of the picture's pixels
    data[at] ^= 0xFF
    (copy / str(picture)).write_bytes(bytes(data))
    result = run("verify", str(copy))
    assert result.exit_code == 1
    assert re.search(rf"^tampered\s+{re.escape(str(picture))}", result.output, re.MULTILINE)
    assert "1 tampered, 0 unsigned" in result.output


def test_the_ledger_prints_totals_and_a_chart_and_the_colophon_shows_it(story, books):
    result = run("ledger", str(story))
    assert result.exit_code == 0, result.output
    head = result.output.splitlines()[0]
    # two text candidates; two candidates a scene; one image-to-image render
    scenes = len(StoryFolder.open(story).story.scenes)
    assert f"{2 + 2 * scenes + 1} generations" in head
    assert "Energy per scene" in result.output and "█" in result.output
    assert re.search(r"^(Measured by hardware counters|Nothing was metered)", result.output, re.MULTILINE)
    page = books["html"].read_text(encoding="utf-8")
    assert '<figure class="ledger">' in page and "<svg" in page
    assert "Measured or estimated" in page and f"of {2 + 2 * scenes + 1} generations are in the story" in page
