"""`worldforge verify`: check the Content Credentials (C2PA) of every picture under a path.

A picture, a story folder, an exported book (HTML with its pictures inline, an EPUB, a
Markdown folder).
Each picture is valid (signed, unchanged since), tampered (a signature that no longer
matches, with c2pa's reason) or unsigned. The content hash printed is the picture without
its manifest: two signings of the same render differ in their signature, not in it. A
story names each picture by that hash, so a validly signed picture copied over another
one's file is caught too.
"""

from __future__ import annotations

import base64
import binascii
import re
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import click

from worldforge.core.errors import StoryError
from worldforge.store.credentials import (
    TAMPERED,
    UNSIGNED,
    VALID,
    Credential,
    check_name,
    media_type,
    read_credential,
)
from worldforge.store.folder import MAX_IMAGE_BYTES
from worldforge.store.paths import IMAGES_DIR, STORY_FILE

PICTURE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
BOOK_ARCHIVES = {".epub", ".zip"}
PAGES = {".html", ".htm", ".xhtml"}
DATA_URI = re.compile(rb"data:image/[a-z+.-]+;base64,([A-Za-z0-9+/=\s]+)")


def _pictures_in_archive(path: Path) -> Iterator[tuple[str, bytes]]:
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if (
                    Path(info.filename).suffix.lower() in PICTURE_SUFFIXES
                    and info.file_size <= MAX_IMAGE_BYTES
                ):
                    yield info.filename, archive.read(info)
    except zipfile.BadZipFile:
        raise StoryError("not a readable EPUB or zip archive", path) from None


def _pictures_in_page(name: str, page: bytes) -> Iterator[tuple[str, bytes]]:
    for number, match in enumerate(DATA_URI.finditer(page), start=1):
        try:
            yield f"{name} picture {number}", base64.b64decode(match.group(1))
        except binascii.Error:
            continue


def pictures_in(path: Path) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of every picture at `path`: a file, a folder (recursively), an EPUB,
    or an HTML page's inline (data URI) pictures."""
    if path.is_dir():
        for file in sorted(path.rglob("*")):
            hidden = any(part.startswith(".") for part in file.relative_to(path).parts)
            if hidden or not file.is_file():
                continue
            if file.suffix.lower() in PICTURE_SUFFIXES:
                yield str(file.relative_to(path)), file.read_bytes()
            elif file.suffix.lower() in PAGES:
                yield from _pictures_in_page(str(file.relative_to(path)), file.read_bytes())
    elif path.suffix.lower() in BOOK_ARCHIVES:
        yield from _pictures_in_archive(path)
    elif path.suffix.lower() == ".pdf":
        raise StoryError(
            "a PDF re-encodes its pictures, so their credentials do not survive in it; "
            "verify the story folder or the HTML/EPUB export instead",
            path,
        )
    elif path.suffix.lower() in PAGES and path.is_file():
        yield from _pictures_in_page(path.name, path.read_bytes())
    elif path.is_file():
        data = path.read_bytes()
        if media_type(data) is None:
            raise StoryError("not a picture (PNG, JPEG, GIF, WebP), HTML page, folder or EPUB", path)
        yield path.name, data
    else:
        raise StoryError("no such file or folder", path)


def describe(name: str, credential: Credential) -> list[str]:
    """The lines `verify` prints for one picture."""
    head = f"{credential.state:<8}  {name}"
    if credential.state == UNSIGNED:
        return [f"{head}  (no content credentials)"]
    parts = [head]
    if credential.title:
        parts.append(f'"{credential.title}"')
    if credential.model:
        model = credential.model + (f" @ {credential.revision}" if credential.revision else "")
        parts.append(f"model {model}")
    if credential.generator:
        parts.append(f"by {credential.generator}")
    trust = "trusted" if credential.trusted else "untrusted"
    parts.append(f"signer {credential.signer or '?'} ({trust})")
    lines = ["  ".join(parts), f"          content sha256 {credential.content_sha256[:32]}"]
    lines += [f"          {ingredient}" for ingredient in credential.ingredients]
    lines += [f"          ✗ {problem}" for problem in credential.problems]
    return lines


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
def verify(path: Path) -> None:
    """Check the content credentials of the pictures at PATH. Exit 0 only if all are valid."""
    counts = {VALID: 0, TAMPERED: 0, UNSIGNED: 0}
    story = (path / STORY_FILE).is_file()
    for name, data in pictures_in(path):
        credential = read_credential(data)
        if story and name.startswith(f"{IMAGES_DIR}/"):
            credential = check_name(name, credential)
        counts[credential.state] += 1
        for line in describe(name, credential):
            click.echo(line)
    total = sum(counts.values())
    click.echo(
        f"{total} picture{'s' * (total != 1)}: {counts[VALID]} valid, {counts[TAMPERED]} tampered, {counts[UNSIGNED]} unsigned"
        if total
        else f"no pictures at {path}"
    )
    sys.exit(0 if counts[VALID] == total else 1)
