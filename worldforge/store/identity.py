"""Who signs the pictures: a certificate chain and its private key, made on first use.

C2PA needs an X.509 signer. With none configured, worldforge makes a local one in the
user's config folder: an EC P-256 CA and a leaf it issues (SubjectKeyIdentifier,
AuthorityKeyIdentifier, the emailProtection extended key usage: c2pa refuses a bare
self-signed leaf as "the certificate is invalid"). No verifier trusts that CA, so the
signature proves the picture is unchanged since signing and who the key says it is, not
that anyone vouches for the key. A user with a certificate from a real CA points
WORLDFORGE_SIGN_CERT (PEM chain, leaf first) and WORLDFORGE_SIGN_KEY (PEM key) at it, or
puts the two files in place of the local ones; WORLDFORGE_SIGN_TSA_URL adds a time-stamp
authority. The key file is written 0600 and never goes into a story folder.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from worldforge.core.errors import StoryError
from worldforge.locations import signing_dir
from worldforge.store.atomic import write_atomic

CHAIN_FILE = "chain.pem"
KEY_FILE = "key.pem"
CERT_ENV = "WORLDFORGE_SIGN_CERT"
KEY_ENV = "WORLDFORGE_SIGN_KEY"
TSA_ENV = "WORLDFORGE_SIGN_TSA_URL"
LOCAL_ORGANIZATION = "worldforge local signing identity (untrusted)"
_YEARS = 10


@dataclass(frozen=True)
class SigningIdentity:
    """PEM bytes of the certificate chain (leaf first) and its key, and an optional TSA."""

    chain: bytes
    key: bytes
    tsa_url: str | None
    chain_path: Path


def _create_local(folder: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(common: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, common),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, LOCAL_ORGANIZATION),
            ]
        )

    def usage(sign: bool) -> x509.KeyUsage:
        return x509.KeyUsage(
            digital_signature=not sign, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=sign, crl_sign=sign,
            encipher_only=False, decipher_only=False,
        )  # fmt: skip

    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    end = start + datetime.timedelta(days=365 * _YEARS)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = name(f"worldforge local CA ({os.environ.get('USER', 'user')})")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage(sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name("worldforge picture signer"))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key = leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    # the key first: a chain without its key would look like a finished identity
    write_atomic(folder / KEY_FILE, key, mode=0o600)
    write_atomic(folder / CHAIN_FILE, leaf.public_bytes(pem) + ca.public_bytes(pem), mode=0o644)


def local_identity_paths() -> tuple[Path, Path]:
    """The chain and key files of the local identity, made now if they do not exist yet."""
    folder = signing_dir()
    chain, key = folder / CHAIN_FILE, folder / KEY_FILE
    if not (chain.is_file() and key.is_file()):
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with FileLock(folder / ".lock"):
            if not (chain.is_file() and key.is_file()):
                _create_local(folder)
    return chain, key


_cache: dict[tuple[str, str, int, int, str | None], SigningIdentity] = {}


def signing_identity() -> SigningIdentity:
    """The configured identity (environment), else the local one; read once per change."""
    cert_env, key_env = os.environ.get(CERT_ENV), os.environ.get(KEY_ENV)
    if bool(cert_env) != bool(key_env):
        raise StoryError(f"set both {CERT_ENV} and {KEY_ENV} (certificate chain and its key), or neither")
    if cert_env and key_env:
        chain, key = Path(cert_env).expanduser(), Path(key_env).expanduser()
    else:
        chain, key = local_identity_paths()
    tsa = os.environ.get(TSA_ENV) or None
    try:
        marks = (str(chain), str(key), chain.stat().st_mtime_ns, key.stat().st_mtime_ns, tsa)
        if marks not in _cache:
            _cache[marks] = SigningIdentity(chain.read_bytes(), key.read_bytes(), tsa, chain)
    except OSError as error:
        raise StoryError(f"cannot read the signing identity: {error.strerror}", error.filename) from None
    return _cache[marks]
