"""Password hashing with scrypt (memory-hard) and TOTP codes (RFC 6238, ``pyotp``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time

import pyotp

MIN_LENGTH = 12
MAX_LENGTH = 1024
# scrypt cost: N=2^15, r=8 uses 32 MiB and about 0.1 s per hash on this machine.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
TOTP_ISSUER = "Sigilo console"


class WeakPassword(ValueError):
    """The password does not meet the policy; the message says why."""


def check_policy(password: str) -> None:
    """Raises :class:`WeakPassword` for passwords too short, too long or one character."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"the password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"the password may have at most {MAX_LENGTH} characters")
    if len(set(password)) < 4:
        raise WeakPassword("the password needs at least 4 different characters")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32
    )


def hash_password(password: str, n: int = SCRYPT_N) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64); the parameters travel with the hash."""
    salt = os.urandom(16)
    digest = _scrypt(password, salt, n, SCRYPT_R, SCRYPT_P)
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(password[:MAX_LENGTH], base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# Verified against when the username is unknown, so timing does not reveal usernames.
DUMMY_HASH = f"scrypt${SCRYPT_N}$8$1${'A' * 22}==${'A' * 43}="


def new_totp_secret() -> str:
    """A fresh base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str) -> str:
    """The ``otpauth://`` URI an authenticator app scans."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)


def totp_step(secret: str, code: str, last_step: int, now: float | None = None) -> int | None:
    """The time step ``code`` is valid for (one step of clock drift allowed), else None.

    A code of a step already used (``<= last_step``) is refused: a code seen over a
    shoulder or in a log cannot be replayed.
    """
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if now is None else now
    current = int(now // totp.interval)
    for step in (current, current - 1, current + 1):
        if step > last_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None
