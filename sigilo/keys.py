"""Key material: the encryption key ring and the pseudonym key, never from code.

Keys come from the environment, else from a key file (``SIGILO_KEY_FILE``, lines
``NAME=value``; ``make run`` generates one in the git-ignored ``var/keys/``):

- ``SIGILO_ENCRYPTION_KEYS``: ``id:base64key[,id:base64key...]``, newest first. New
  writes use the first key; every listed key decrypts (rotation without downtime).
- ``SIGILO_PSEUDONYM_KEY``: base64 key of the sender-id HMAC (never rotated: it is
  the lookup key of every conversation).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ENCRYPTION_KEYS = "SIGILO_ENCRYPTION_KEYS"
PSEUDONYM_KEY = "SIGILO_PSEUDONYM_KEY"
KEY_FILE = "SIGILO_KEY_FILE"
_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


class MissingKeyError(RuntimeError):
    """A key is missing or malformed; the message says which and where to set it."""


def read_key_file(path: Path | str) -> dict[str, str]:
    """``NAME=value`` lines of a key file (``#`` comments allowed)."""
    values: dict[str, str] = {}
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise MissingKeyError(f"cannot read key file {path}: {exc.strerror}") from None
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            values[name.strip()] = value.strip()
    return values


def settings(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Key settings: the key file's values overridden by the environment."""
    env = os.environ if env is None else env
    values = read_key_file(env[KEY_FILE]) if env.get(KEY_FILE) else {}
    for name in (ENCRYPTION_KEYS, PSEUDONYM_KEY):
        if env.get(name):
            values[name] = env[name]
    return values


def _decode(value: str, what: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise MissingKeyError(f"{what} is not valid base64") from None
    if len(key) != 32:
        raise MissingKeyError(f"{what} must be 32 bytes (base64 of 32 random bytes)")
    return key


@dataclass(frozen=True)
class KeyRing:
    """Encryption keys by id; the first is the one new writes use."""

    keys: tuple[tuple[str, bytes], ...]

    @property
    def primary_id(self) -> str:
        """Id of the key used for new writes."""
        return self.keys[0][0]

    @property
    def primary(self) -> bytes:
        """The key used for new writes."""
        return self.keys[0][1]

    def get(self, key_id: str) -> bytes | None:
        """The key with ``key_id``, or None when it is not in the ring."""
        return next((key for kid, key in self.keys if kid == key_id), None)

    @classmethod
    def parse(cls, value: str) -> KeyRing:
        """Parses ``id:base64[,id:base64...]``."""
        keys: list[tuple[str, bytes]] = []
        for part in filter(None, (p.strip() for p in value.split(","))):
            key_id, sep, encoded = part.partition(":")
            if not sep or not _KEY_ID.match(key_id):
                raise MissingKeyError(
                    f"{ENCRYPTION_KEYS}: each entry must be 'id:base64key' (id: letters, "
                    "digits, '_.-', at most 32)"
                )
            if any(kid == key_id for kid, _ in keys):
                raise MissingKeyError(f"{ENCRYPTION_KEYS}: key id '{key_id}' appears twice")
            keys.append((key_id, _decode(encoded, f"{ENCRYPTION_KEYS} key '{key_id}'")))
        if not keys:
            raise MissingKeyError(f"{ENCRYPTION_KEYS} is empty")
        return cls(tuple(keys))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> KeyRing:
        """The key ring from the environment or the key file."""
        value = settings(env).get(ENCRYPTION_KEYS)
        if not value:
            raise MissingKeyError(
                f"no encryption key: set {ENCRYPTION_KEYS} or {KEY_FILE} "
                "(`sigilo keys init --file var/keys/sigilo.keys` creates one)"
            )
        return cls.parse(value)


def pseudonym_key(env: Mapping[str, str] | None = None) -> bytes:
    """The HMAC key of sender-id pseudonyms."""
    value = settings(env).get(PSEUDONYM_KEY)
    if not value:
        raise MissingKeyError(f"no pseudonym key: set {PSEUDONYM_KEY} or {KEY_FILE}")
    return _decode(value, PSEUDONYM_KEY)


def new_key() -> str:
    """A fresh random 32-byte key, base64."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def new_key_id() -> str:
    """A key id that sorts by creation time."""
    return "k" + time.strftime("%Y%m%d%H%M%S") + secrets.token_hex(2)


def _write(path: Path, values: Mapping[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.touch(mode=0o600)
    body = "# Sigilo keys: keep out of the repository and back up safely.\n"
    tmp.write_text(body + "".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    os.replace(tmp, path)


def init_key_file(path: Path | str) -> bool:
    """Creates a key file with fresh keys unless it exists; True when created."""
    path = Path(path)
    if path.exists():
        return False
    _write(path, {ENCRYPTION_KEYS: f"{new_key_id()}:{new_key()}", PSEUDONYM_KEY: new_key()})
    return True


def rotate_key_file(path: Path | str) -> str:
    """Puts a new encryption key first in the key file; returns its id."""
    path = Path(path)
    values = read_key_file(path)
    ring = values.get(ENCRYPTION_KEYS, "")
    key_id = new_key_id()
    values[ENCRYPTION_KEYS] = f"{key_id}:{new_key()}" + (f",{ring}" if ring else "")
    _write(path, values)
    return key_id
