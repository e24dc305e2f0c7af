"""AES-GCM encryption of stored payloads, bound to who and where they belong.

The associated data (pseudonym + row identity) is authenticated, so a row copied to
another consumer or another position fails to decrypt instead of leaking.
Token layout: ``b"S1" | len(key_id) | key_id | nonce(12) | ciphertext+tag``.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sigilo.keys import KeyRing

_MAGIC = b"S1"
_NONCE = 12


class DecryptionError(RuntimeError):
    """A payload could not be decrypted; the message never contains its content."""


def associated_data(pseudonym: str, *identity: object) -> bytes:
    """The associated data binding a payload to a consumer and a row."""
    return "|".join([pseudonym, *map(str, identity)]).encode()


def encrypt(ring: KeyRing, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypts with the ring's primary key."""
    key_id = ring.primary_id.encode()
    nonce = os.urandom(_NONCE)
    sealed = AESGCM(ring.primary).encrypt(nonce, plaintext, aad)
    return _MAGIC + bytes([len(key_id)]) + key_id + nonce + sealed


def key_id_of(token: bytes) -> str:
    """The id of the key a token was encrypted with."""
    if len(token) < 3 or token[:2] != _MAGIC:
        raise DecryptionError("not a Sigilo ciphertext (written by another store?)")
    return token[3 : 3 + token[2]].decode(errors="replace")


def decrypt(ring: KeyRing, token: bytes, aad: bytes) -> bytes:
    """Decrypts a token from :func:`encrypt`.

    Raises:
        DecryptionError: unknown format, key not in the ring, or tampered/misplaced data.
    """
    token = bytes(token)
    key_id = key_id_of(token)
    key = ring.get(key_id)
    if key is None:
        raise DecryptionError(f"encrypted with key '{key_id}', which is not in the key ring")
    start = 3 + token[2]
    nonce, sealed = token[start : start + _NONCE], token[start + _NONCE :]
    try:
        return AESGCM(key).decrypt(nonce, sealed, aad)
    except (InvalidTag, ValueError):
        raise DecryptionError(
            f"ciphertext failed authentication with key '{key_id}' (corrupted, wrong key, "
            "or moved from another row)"
        ) from None
