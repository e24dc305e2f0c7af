"""Verifies Messenger webhook signatures (``X-Hub-Signature-256`` / ``X-Hub-Signature``).

The server decides the hash function, never the header: SHA-256 when
``X-Hub-Signature-256`` is present, SHA-1 only when nothing else was sent. The
comparison is constant-time (:func:`hmac.compare_digest`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

# (header, prefix, digest) in order of preference.
_SCHEMES = (
    ("x-hub-signature-256", "sha256=", hashlib.sha256),
    ("x-hub-signature", "sha1=", hashlib.sha1),
)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def sign(app_secret: str, body: bytes, algorithm: str = "sha256") -> str:
    """The header value Meta would send for ``body`` (used by tests and tools).

    Args:
        app_secret: The app secret.
        body: The raw request body.
        algorithm: ``sha256`` or ``sha1``.
    """
    digest = hashlib.sha256 if algorithm == "sha256" else hashlib.sha1
    return f"{algorithm}=" + hmac.new(app_secret.encode(), body, digest).hexdigest()


def verify_signature(app_secret: str, body: bytes, headers: Mapping[str, str]) -> bool:
    """Whether ``body`` carries a valid signature made with ``app_secret``.

    Only the strongest header sent is checked: a request that sends
    ``X-Hub-Signature-256`` must be valid under it, whatever its SHA-1 header says.

    Args:
        app_secret: The app secret (an empty secret never validates).
        body: The raw request body, exactly as received.
        headers: The request headers (any case).
    """
    if not app_secret:
        return False
    for name, prefix, digest in _SCHEMES:
        value = _header(headers, name)
        if value is None:
            continue
        value = value.strip()
        if not value.lower().startswith(prefix):
            return False
        expected = hmac.new(app_secret.encode(), body, digest).hexdigest()
        given = value[len(prefix) :].lower()
        return hmac.compare_digest(expected.encode(), given.encode("ascii", "replace"))
    return False
