"""The Ed25519 key that signs credentials, and its did:key name.

`CERTIFICATE_SIGNING_KEY` (environment) holds the private key: base64 of the 32-byte seed, or a
PKCS#8 PEM. Without it, `CERTIFICATE_SIGNING_KEY_FILE` names a PEM file that is created with a new
key on first use (development: `.keys/`, which git ignores). Tests set an ephemeral key.
"""

import base64
import binascii
import functools
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
ED25519_PUB_MULTICODEC = b"\xed\x01"


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rest = divmod(number, 58)
        out.append(B58_ALPHABET[rest])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        index = B58_ALPHABET.find(char)
        if index < 0:
            raise ValueError(f"not base58: {char!r}")
        number = number * 58 + index
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_encode(data: bytes) -> str:
    """Multibase base58btc: 'z' + base58."""
    return "z" + b58encode(data)


def multibase_decode(text: str) -> bytes:
    if not text.startswith("z"):
        raise ValueError("only base58btc multibase ('z…') is supported")
    return b58decode(text[1:])


def public_multikey(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return multibase_encode(ED25519_PUB_MULTICODEC + raw)


def did_key(public: Ed25519PublicKey) -> str:
    return "did:key:" + public_multikey(public)


def verification_method(public: Ed25519PublicKey) -> str:
    multikey = public_multikey(public)
    return f"did:key:{multikey}#{multikey}"


def public_key_from_did(did_url: str) -> Ed25519PublicKey:
    """The Ed25519 key named by a did:key (with or without a #fragment)."""
    if not did_url.startswith("did:key:"):
        raise ValueError("not a did:key")
    multikey = did_url[len("did:key:") :].split("#", 1)[0]
    raw = multibase_decode(multikey)
    if raw[:2] != ED25519_PUB_MULTICODEC or len(raw) != 34:
        raise ValueError("not an Ed25519 did:key")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def parse_private_key(value: str) -> Ed25519PrivateKey:
    """A PEM, or base64 of the 32-byte seed (or of seed + public key, 64 bytes)."""
    value = value.strip()
    if value.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(value.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the PEM key is not Ed25519")
        return key
    try:
        raw = base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise ValueError("neither PEM nor base64") from exc
    if len(raw) not in (32, 64):
        raise ValueError(f"expected 32 bytes, got {len(raw)}")
    return Ed25519PrivateKey.from_private_bytes(raw[:32])


def _key_file_load_or_create(path: Path) -> Ed25519PrivateKey:
    if path.exists():
        return parse_private_key(path.read_text())
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two processes starting at once must not write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return parse_private_key(path.read_text())
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


@functools.lru_cache(maxsize=1)
def signing_key() -> Ed25519PrivateKey:
    value = getattr(settings, "CERTIFICATE_SIGNING_KEY", "")
    if value:
        try:
            return parse_private_key(value)
        except ValueError as exc:
            raise ImproperlyConfigured(f"Environment variable CERTIFICATE_SIGNING_KEY is invalid: {exc}") from exc
    path = getattr(settings, "CERTIFICATE_SIGNING_KEY_FILE", None)
    if path:
        return _key_file_load_or_create(Path(path))
    raise ImproperlyConfigured("Environment variable CERTIFICATE_SIGNING_KEY is required to sign certificates")


def issuer_did() -> str:
    return did_key(signing_key().public_key())
