"""Sign the pictures a story holds from before worldforge signed them, from its own records.

Only an unsigned picture that is still what its render made is signed: its name is the
hash of its content, so a picture edited after the render no longer matches its name and
is refused like a tampered one. A valid picture is never rewritten (not a byte), and a
tampered one is reported and left as it is: signing it would launder the change into a
valid credential. A picture no record accounts for (not a render of a scene, not a
contact sheet of renders) stays unsigned: there is no model to credit.

What the manifest says comes from the story, as a render would have said it: the scene's
picture title, the model and revision of the render's record, the init picture of an
image-to-image render (found in images/ by the hash its record keeps) as `parentOf`, and
a contact sheet's candidates as `componentOf`. Each file is replaced atomically.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from worldforge.conductor.picture import credited_sheet
from worldforge.core.model import Provenance, Scene
from worldforge.store import StoryFolder
from worldforge.store.atomic import write_atomic
from worldforge.store.credentials import (
    COMPONENT_OF,
    PARENT_OF,
    TAMPERED,
    VALID,
    Ingredient,
    check_name,
    content_sha256,
    read_credential,
    sign_png,
)
from worldforge.store.paths import IMAGES_DIR
from worldforge.store.png import TRAINED_ALGORITHMIC_MEDIA, read_png_metadata

SIGNED, LEFT_VALID, LEFT_TAMPERED, LEFT_UNSIGNED = "signed", "valid", "tampered", "unsigned"


@dataclass(frozen=True)
class Signing:
    """What became of one picture: SIGNED, or left as it was (valid, tampered, unsigned), and why."""

    image: str
    outcome: str
    note: str = ""


@dataclass(frozen=True)
class _Made:
    scene: Scene
    record: Provenance


def _renders(folder: StoryFolder) -> dict[str, _Made]:
    """Each rendered picture -> the scene that made it and the render's record."""
    made: dict[str, _Made] = {}
    for scene in folder.story.scenes.values():
        records = {record.id: record for record in scene.provenance}
        for render in scene.renders:
            record = records.get(render.provenance)
            if record is not None:
                made.setdefault(render.image, _Made(scene, record))
    return made


def _pictures(folder: StoryFolder) -> Iterator[str]:
    images = folder.root / IMAGES_DIR
    if images.is_dir():
        for path in sorted(images.glob("*.png")):
            if path.is_file() and not path.is_symlink():
                yield f"{IMAGES_DIR}/{path.name}"


def _hashes(folder: StoryFolder, pictures: list[str]) -> dict[str, str]:
    """Each picture's file hash and content hash (without its manifest) -> the picture: an
    image-to-image record keeps the hash of its init picture's file as it was read then,
    unsigned or signed, and a later signing keeps the content hash."""
    index: dict[str, str] = {}
    for rel in pictures:
        data = folder.read_image(rel)
        index.setdefault(hashlib.sha256(data).hexdigest(), rel)
        index.setdefault(content_sha256(data), rel)
    return index


def _parent(folder: StoryFolder, record: Provenance, hashes: dict[str, str]) -> Ingredient | None:
    """The init picture of an image-to-image render, as it is in the story now."""
    rel = hashes.get(str(record.settings.get("init_sha256", "")))
    return Ingredient(rel, folder.read_image(rel), PARENT_OF) if rel else None


def sign_story_pictures(folder: StoryFolder) -> list[Signing]:
    """Sign every unsigned picture in the story's images/ that its records account for;
    renders first, then contact sheets (so a sheet's ingredients carry their manifests)."""
    made = _renders(folder)
    pictures = list(_pictures(folder))
    hashes = _hashes(folder, pictures)
    results: dict[str, Signing] = {}
    sheets: list[tuple[str, bytes, list[str]]] = []
    for rel in pictures:
        data = folder.read_image(rel)
        credential = check_name(rel, read_credential(data))
        if credential.state == VALID:
            results[rel] = Signing(rel, LEFT_VALID)
        elif credential.state == TAMPERED:
            why = "; ".join(credential.problems) or "its signature no longer holds"
            results[rel] = Signing(rel, LEFT_TAMPERED, f"left as it is, not re-signed: {why}")
        elif rel in made:
            scene, record = made[rel].scene, made[rel].record
            parent = _parent(folder, record, hashes)
            signed = sign_png(
                data,
                scene.picture_title,
                TRAINED_ALGORITHMIC_MEDIA,
                record.model,
                record.revision,
                (parent,) if parent else (),
            )
            write_atomic(folder.root / rel, signed)
            note = f"{record.model}" + (f", parentOf {parent.title}" if parent else "")
            results[rel] = Signing(rel, SIGNED, note)
        else:
            listed = (read_png_metadata(data).get("record") or {}).get("contact_sheet")
            components = [c for c in listed or [] if isinstance(c, str) and c in made]
            if components:
                sheets.append((rel, data, components))
            else:
                results[rel] = Signing(
                    rel, LEFT_UNSIGNED, "no render in the story made it: no model to credit"
                )
    for rel, data, components in sheets:
        first = made[components[0]]
        ingredients = [Ingredient(c, folder.read_image(c), COMPONENT_OF) for c in components]
        signed = credited_sheet(
            data, first.scene.picture_title, first.record.model, first.record.revision, ingredients
        )
        write_atomic(folder.root / rel, signed)
        results[rel] = Signing(rel, SIGNED, f"contact sheet of {len(components)}, {first.record.model}")
    return [results[rel] for rel in pictures]
