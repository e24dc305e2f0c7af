"""Pseudonymous sender ids: a keyed hash (HMAC-SHA256) used as the lookup column."""

from __future__ import annotations

import hashlib
import hmac


def pseudonym(key: bytes, sender_id: str) -> str:
    """The pseudonym of ``sender_id``: 64 hex chars, stable for one key."""
    return hmac.new(key, sender_id.encode("utf-8"), hashlib.sha256).hexdigest()


def short(value: str) -> str:
    """A short form of a pseudonym for messages and logs."""
    return value[:12]
