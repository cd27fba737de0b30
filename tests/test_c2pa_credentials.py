"""Content Credentials on their own: signing, reading, tampering, stripping, the identity."""

from __future__ import annotations

import io
import shutil
import stat

import c2pa
import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from PIL import Image

from worldforge.core.errors import StoryError
from worldforge.locations import signing_dir
from worldforge.store.credentials import (
    COMPONENT_OF,
    COMPOSITE_WITH_TRAINED_MEDIA,
    MANIFEST_CHUNK,
    TAMPERED,
    UNSIGNED,
    VALID,
    Ingredient,
    content_sha256,
    read_credential,
    sign_png,
)
from worldforge.store.identity import CERT_ENV, KEY_ENV, TSA_ENV, local_identity_paths, signing_identity
from worldforge.store.png import TRAINED_ALGORITHMIC_MEDIA, without_chunks


def plain_png(color: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (48, 32), color).save(out, format="PNG")
    return out.getvalue()


def flip_pixel_byte(data: bytes) -> bytes:
    changed = bytearray(data)
    changed[data.index(b"IDAT") + 12] ^= 0x01
    return bytes(changed)


def active_manifest(data: bytes) -> dict:
    with c2pa.Reader("image/png", io.BytesIO(data)) as reader:
        return reader.get_active_manifest()


def test_a_signed_picture_reads_valid_with_its_title_model_and_generator():
    signed = sign_png(plain_png(), "The Lighthouse", model="worldforge/tiny-sd", revision="abc123")
    credential = read_credential(signed)
    assert credential.state == VALID and credential.problems == ()
    assert credential.title == "The Lighthouse"
    assert (credential.model, credential.revision) == ("worldforge/tiny-sd", "abc123")
    assert credential.generator.startswith("worldforge ")
    assert not credential.trusted  # the local CA is nobody's trust anchor
    action = active_manifest(signed)["assertions"][0]["data"]["actions"][0]
    assert action["action"] == "c2pa.created"
    assert action["digitalSourceType"] == TRAINED_ALGORITHMIC_MEDIA
    assert action["softwareAgent"] == {"name": "worldforge/tiny-sd", "version": "abc123"}


def test_one_flipped_byte_is_reported_as_tampered_by_the_data_hash():
    signed = sign_png(plain_png(), "t", model="m")
    credential = read_credential(flip_pixel_byte(signed))
    assert credential.state == TAMPERED
    assert any(problem.startswith("assertion.dataHash.mismatch") for problem in credential.problems)
    assert credential.model == "m"  # what the manifest claimed is still shown


def test_a_stripped_manifest_reads_unsigned_and_gives_back_the_unsigned_bytes():
    original = plain_png()
    signed = sign_png(original, "t")
    assert MANIFEST_CHUNK in signed
    stripped = without_chunks(signed, MANIFEST_CHUNK)
    assert stripped == original
    assert read_credential(stripped).state == UNSIGNED
    assert read_credential(plain_png()).state == UNSIGNED


def test_two_signings_differ_only_in_the_manifest():
    original = plain_png()
    first, second = sign_png(original, "t"), sign_png(original, "t")
    assert first != second  # random manifest ids, a new signature
    assert content_sha256(first) == content_sha256(second) == content_sha256(original)
    assert content_sha256(flip_pixel_byte(first)) != content_sha256(first)


def test_a_contact_sheet_is_a_composite_of_its_signed_candidates():
    candidates = [sign_png(plain_png(color), f"c{n}", model="m") for n, color in enumerate(["red", "blue"])]
    parts = [Ingredient(f"images/{n}.png", data, COMPONENT_OF) for n, data in enumerate(candidates)]
    sheet = sign_png(plain_png("white"), "sheet", COMPOSITE_WITH_TRAINED_MEDIA, ingredients=parts)
    credential = read_credential(sheet)
    assert credential.state == VALID
    assert credential.ingredients == ("componentOf: images/0.png", "componentOf: images/1.png")
    action = active_manifest(sheet)["assertions"][0]["data"]["actions"][0]
    assert action["digitalSourceType"] == COMPOSITE_WITH_TRAINED_MEDIA


def test_the_local_identity_is_a_ca_and_leaf_with_a_private_key_in_the_config_folder():
    chain_path, key_path = local_identity_paths()
    assert chain_path.parent == key_path.parent == signing_dir()
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    leaf, ca = x509.load_pem_x509_certificates(chain_path.read_bytes())
    assert leaf.issuer == ca.subject and ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in usage
    authority = leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ca_subject = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert authority.key_identifier == ca_subject.digest
    assert local_identity_paths() == (chain_path, key_path)  # made once, then reused
    assert signing_identity() is signing_identity()  # read once per process


def test_a_users_own_identity_from_the_environment(tmp_path, monkeypatch):
    chain_path, key_path = local_identity_paths()
    own_chain, own_key = tmp_path / "mine.pem", tmp_path / "mine.key"
    shutil.copy(chain_path, own_chain)
    shutil.copy(key_path, own_key)
    monkeypatch.setenv(CERT_ENV, str(own_chain))
    with pytest.raises(StoryError, match="set both"):
        signing_identity()
    monkeypatch.setenv(KEY_ENV, str(own_key))
    assert signing_identity().chain_path == own_chain
    assert read_credential(sign_png(plain_png(), "own")).state == VALID
    own_key.write_bytes(b"not a key")  # a changed file is read again
    with pytest.raises(StoryError, match="cannot sign"):
        sign_png(plain_png(), "broken key")


def test_a_time_stamp_authority_url_reaches_the_c2pa_signer(monkeypatch):
    """No network: the URL must reach c2pa's signer info, and the signer then reserves room
    for the authority's time-stamp token. Signing against a live authority is not tested."""
    from worldforge.store import credentials

    url = "http://127.0.0.1:9/tsa"
    seen: list[bytes | None] = []
    real = c2pa.Signer.from_info

    def spy(info):
        seen.append(info.ta_url)
        return real(info)

    monkeypatch.setattr(c2pa.Signer, "from_info", staticmethod(spy))
    plain = credentials._signer(signing_identity())
    monkeypatch.setenv(TSA_ENV, url)
    identity = signing_identity()
    stamped = credentials._signer(identity)
    assert identity.tsa_url == url
    assert seen[-1] == url.encode()
    assert stamped.reserve_size() > plain.reserve_size()
