"""Finds and redacts personal and payment data in chat messages (no Rasa import).

>>> redact("my card is 4242 4242 4242 4242, cvv 123")
'my card is [card visa ••••4242], cvv [security code]'
"""

from __future__ import annotations

from collections.abc import Iterable

from sigilo.redaction import engine
from sigilo.redaction.findings import (
    CREDIT_CARD,
    EMAIL,
    ENTITY_TYPES,
    EXPIRY,
    IBAN,
    PASSWORD,
    PHONE,
    SECURITY_CODE,
    TAX_ID,
    Finding,
)

__all__ = [
    "CREDIT_CARD",
    "EMAIL",
    "ENTITY_TYPES",
    "EXPIRY",
    "IBAN",
    "PASSWORD",
    "PHONE",
    "SECURITY_CODE",
    "TAX_ID",
    "Finding",
    "find",
    "redact",
]


def _enabled(types: Iterable[str] | None) -> frozenset[str]:
    if types is None:
        return ENTITY_TYPES
    enabled = frozenset(types)
    unknown = enabled - ENTITY_TYPES
    if unknown:
        raise ValueError(f"unknown entity types: {', '.join(sorted(unknown))}")
    return enabled


def find(text: str, types: Iterable[str] | None = None) -> list[Finding]:
    """Finds sensitive data in ``text``.

    Args:
        text: the message, as received (it is normalised internally).
        types: entity types to look for (default: all of ``ENTITY_TYPES``).

    Returns:
        Non-overlapping findings in text order; offsets refer to ``text`` itself.

    Raises:
        ValueError: if ``types`` names an unknown entity type.
    """
    return engine.find_all(text, _enabled(types))


def redact(text: str, types: Iterable[str] | None = None) -> str:
    """Replaces sensitive data in ``text`` with typed labels such as ``[email]``.

    Text outside the findings is returned unchanged (not normalised), and
    ``redact(redact(x)) == redact(x)``.

    Args:
        text: the message.
        types: entity types to redact (default: all).

    Returns:
        The redacted message.
    """
    return engine.apply(text, engine.find_all(text, _enabled(types)))
