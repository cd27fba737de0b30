"""Content Credentials (C2PA): a signed statement inside each picture of what made it.

The PNG text chunks say the same things, but anyone can edit or strip them unnoticed;
a C2PA manifest is signed over the picture's bytes, so any change to the file shows.
Each manifest says: created (c2pa.created) by a trained model (IPTC digital source type
trainedAlgorithmicMedia, compositeWithTrainedAlgorithmicMedia for a contact sheet, or
digitalCreation for the title card a book without pictures gets as its cover),
generator worldforge and its version, the model id and revision as the software agent,
the picture's title, and its ingredients (the init picture of an image-to-image render as
`parentOf`, the candidates of a contact sheet as `componentOf`). Never a prompt: a hidden
prompt stays hidden here as it does in the PNG text.

Signing is the last write, so the signature covers the final bytes. A manifest holds
random ids and a signature time, so two signings of the same picture differ, but only in
the `caBX` chunk: `content_sha256` hashes the file without it, the same for every
re-render of a record, and the story names its pictures by it. No thumbnail goes into the
manifest (the picture is its own; making one costs ~40 ms a picture).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from worldforge import __version__
from worldforge.core.errors import StoryError
from worldforge.store.identity import SigningIdentity, signing_identity
from worldforge.store.png import TRAINED_ALGORITHMIC_MEDIA, without_chunks

COMPOSITE_WITH_TRAINED_MEDIA = (
    "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
)
DIGITAL_CREATION = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation"
PARENT_OF = "parentOf"
COMPONENT_OF = "componentOf"
MANIFEST_CHUNK = b"caBX"
VALID, TAMPERED, UNSIGNED = "valid", "tampered", "unsigned"
UNTRUSTED = "signingCredential.untrusted"
CONTENT_NAME = re.compile(r"[0-9a-f]{32}")
_MEDIA_TYPES = {
    b"\x89PNG": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF8": "image/gif",
    b"RIFF": "image/webp",
}


@dataclass(frozen=True)
class Ingredient:
    """A picture this one was made from, and how: PARENT_OF or COMPONENT_OF."""

    title: str
    data: bytes
    relationship: str


@dataclass(frozen=True)
class Credential:
    """What a picture's manifest says and whether its signature still holds."""

    state: str  # VALID, TAMPERED or UNSIGNED
    content_sha256: str
    title: str | None = None
    model: str | None = None
    revision: str | None = None
    generator: str | None = None
    signer: str | None = None
    trusted: bool = False
    ingredients: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


def media_type(data: bytes) -> str | None:
    """The picture's MIME type from its first bytes (PNG, JPEG, GIF, WebP), else None."""
    for magic, kind in _MEDIA_TYPES.items():
        if data.startswith(magic) and (kind != "image/webp" or data[8:12] == b"WEBP"):
            return kind
    return None


def content_sha256(data: bytes) -> str:
    """SHA-256 of the picture without its manifest: equal for two signings of one render."""
    return hashlib.sha256(without_chunks(data, MANIFEST_CHUNK)).hexdigest()


@cache
def _context() -> Any:
    import c2pa

    return c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}})


_signers: dict[SigningIdentity, Any] = {}


def _signer(identity: SigningIdentity) -> Any:
    import c2pa

    if identity not in _signers:
        info = c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, identity.chain, identity.key, identity.tsa_url)
        try:
            _signers[identity] = c2pa.Signer.from_info(info)
        except c2pa.C2paError as error:
            raise StoryError(f"the signing identity cannot sign: {error}", identity.chain_path) from None
    return _signers[identity]


def manifest_definition(
    title: str, source_type: str, model: str | None = None, revision: str | None = None
) -> dict[str, Any]:
    """The C2PA manifest worldforge signs: one c2pa.created action, credited to the model."""
    action: dict[str, Any] = {"action": "c2pa.created", "digitalSourceType": source_type}
    if model:
        action["softwareAgent"] = {"name": model, **({"version": revision} if revision else {})}
    return {
        "claim_generator_info": [{"name": "worldforge", "version": __version__}],
        "title": title,
        "format": "image/png",
        "assertions": [{"label": "c2pa.actions", "data": {"actions": [action]}}],
    }


def sign_png(
    png: bytes,
    title: str,
    source_type: str = TRAINED_ALGORITHMIC_MEDIA,
    model: str | None = None,
    revision: str | None = None,
    ingredients: Sequence[Ingredient] = (),
) -> bytes:
    """`png` with a signed C2PA manifest added (a `caBX` chunk); the rest of the bytes kept."""
    import c2pa

    signer = _signer(signing_identity())
    out = io.BytesIO()
    try:
        with c2pa.Builder(manifest_definition(title, source_type, model, revision), _context()) as builder:
            for ingredient in ingredients:
                kind = media_type(ingredient.data) or "image/png"
                definition = {"title": ingredient.title, "relationship": ingredient.relationship}
                builder.add_ingredient(definition, kind, io.BytesIO(ingredient.data))
            builder.sign(signer, "image/png", io.BytesIO(png), out)
    except c2pa.C2paError as error:
        raise StoryError(f"signing the picture failed: {error}") from None
    return out.getvalue()


def _agent(manifest: dict[str, Any]) -> dict[str, Any]:
    for assertion in manifest.get("assertions", []):
        if assertion.get("label", "").startswith("c2pa.actions"):
            for action in assertion.get("data", {}).get("actions", []):
                if action.get("action") == "c2pa.created":
                    agent = action.get("softwareAgent")
                    return agent if isinstance(agent, dict) else {}
    return {}


def _problems(results: dict[str, Any] | None) -> tuple[str, ...]:
    failures = ((results or {}).get("activeManifest") or {}).get("failure", [])
    return tuple(
        f"{item.get('code')}: {item.get('explanation', '')}".rstrip(": ")
        for item in failures
        if item.get("code") != UNTRUSTED
    )


def read_credential(data: bytes) -> Credential:
    """Read and validate the picture's manifest: valid, tampered (with why) or unsigned."""
    import c2pa

    digest = content_sha256(data)
    kind = media_type(data)
    if kind is None:
        return Credential(UNSIGNED, digest, problems=("not a picture c2pa reads",))
    try:
        reader = c2pa.Reader.try_create(kind, io.BytesIO(data))
    except c2pa.C2paError as error:
        return Credential(TAMPERED, digest, problems=(str(error),))
    if reader is None:
        return Credential(UNSIGNED, digest)
    with reader:
        manifest = reader.get_active_manifest() or {}
        state = reader.get_validation_state()
        problems = _problems(reader.get_validation_results())
    agent = _agent(manifest)
    generator: dict[str, Any] = next(iter(manifest.get("claim_generator_info") or []), {})
    tampered = state not in ("Valid", "Trusted") or bool(problems) or not manifest
    return Credential(
        state=TAMPERED if tampered else VALID,
        content_sha256=digest,
        title=manifest.get("title"),
        model=agent.get("name"),
        revision=agent.get("version"),
        generator=" ".join(str(generator[k]) for k in ("name", "version") if generator.get(k)) or None,
        signer=(manifest.get("signature_info") or {}).get("common_name"),
        trusted=state == "Trusted",
        ingredients=tuple(
            f"{i.get('relationship')}: {i.get('title')}" for i in manifest.get("ingredients", [])
        ),
        problems=problems or ((f"validation state {state}",) if tampered else ()),
    )


def check_name(name: str, credential: Credential) -> Credential:
    """In a story folder: tampered when a picture's name is not its content's hash (a
    validly signed picture copied over another one's file)."""
    stem = Path(name).stem
    if CONTENT_NAME.fullmatch(stem) and not credential.content_sha256.startswith(stem):
        problem = "the picture is not the one its name says (its content hash differs)"
        return dataclasses.replace(credential, state=TAMPERED, problems=(*credential.problems, problem))
    return credential
