"""Encryption with associated data, the key ring, rotation, pseudonyms."""

from __future__ import annotations

from pathlib import Path

import pytest

from sigilo import crypto, keys
from sigilo.keys import KeyRing, MissingKeyError
from sigilo.pseudonym import pseudonym

K1, K2 = keys.new_key(), keys.new_key()


def test_roundtrip_and_associated_data_binds_the_row() -> None:
    ring = KeyRing.parse(f"a:{K1}")
    token = crypto.encrypt(ring, b"hello", b"p1|event|0|1")
    assert b"hello" not in token
    assert crypto.decrypt(ring, token, b"p1|event|0|1") == b"hello"
    with pytest.raises(crypto.DecryptionError, match="moved from another row"):
        crypto.decrypt(ring, token, b"p2|event|0|1")


def test_rotation_old_keys_decrypt_new_writes_use_the_first() -> None:
    old = KeyRing.parse(f"a:{K1}")
    token = crypto.encrypt(old, b"x", b"ad")
    rotated = KeyRing.parse(f"b:{K2},a:{K1}")
    assert crypto.decrypt(rotated, token, b"ad") == b"x"
    assert crypto.key_id_of(crypto.encrypt(rotated, b"x", b"ad")) == "b"
    with pytest.raises(crypto.DecryptionError, match="key 'a', which is not in the key ring"):
        crypto.decrypt(KeyRing.parse(f"b:{K2}"), token, b"ad")


def test_corrupted_and_foreign_tokens_give_clear_errors() -> None:
    ring = KeyRing.parse(f"a:{K1}")
    token = bytearray(crypto.encrypt(ring, b"x", b"ad"))
    token[-1] ^= 1
    with pytest.raises(crypto.DecryptionError, match="failed authentication"):
        crypto.decrypt(ring, bytes(token), b"ad")
    with pytest.raises(crypto.DecryptionError, match="not a Sigilo ciphertext"):
        crypto.decrypt(ring, b'{"event": "user"}', b"ad")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "empty"),
        ("nokey", "id:base64key"),
        ("a:c2hvcnQ", "32 bytes"),
        ("a:%%%", "base64"),
        (f"a:{K1},a:{K2}", "appears twice"),
    ],
)
def test_bad_key_rings(value: str, message: str) -> None:
    with pytest.raises(MissingKeyError, match=message):
        KeyRing.parse(value)


def test_keys_from_env_or_file_and_rotation(tmp_path: Path) -> None:
    with pytest.raises(MissingKeyError, match="SIGILO_ENCRYPTION_KEYS"):
        KeyRing.from_env({})
    path = tmp_path / "sigilo.keys"
    assert keys.init_key_file(path) and not keys.init_key_file(path)
    assert path.stat().st_mode & 0o077 == 0
    env = {keys.KEY_FILE: str(path)}
    first = KeyRing.from_env(env)
    new_id = keys.rotate_key_file(path)
    ring = KeyRing.from_env(env)
    assert ring.primary_id == new_id and ring.get(first.primary_id) == first.primary
    assert len(keys.pseudonym_key(env)) == 32
    # the environment wins over the file
    assert KeyRing.from_env({**env, keys.ENCRYPTION_KEYS: f"z:{K1}"}).primary_id == "z"


def test_pseudonyms_are_keyed_and_stable() -> None:
    a, b = b"a" * 32, b"b" * 32
    assert pseudonym(a, "1234567890") == pseudonym(a, "1234567890")
    assert pseudonym(a, "1234567890") != pseudonym(b, "1234567890")
    assert len(pseudonym(a, "x")) == 64 and "1234567890" not in pseudonym(a, "1234567890")
