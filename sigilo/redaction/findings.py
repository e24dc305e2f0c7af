"""The entity types and the :class:`Finding` record."""

from __future__ import annotations

from dataclasses import dataclass

CREDIT_CARD = "CREDIT_CARD"
SECURITY_CODE = "SECURITY_CODE"
EXPIRY = "EXPIRY"
TAX_ID = "TAX_ID"
IBAN = "IBAN"
EMAIL = "EMAIL"
PHONE = "PHONE"
PASSWORD = "PASSWORD"

ENTITY_TYPES: frozenset[str] = frozenset(
    {CREDIT_CARD, SECURITY_CODE, EXPIRY, TAX_ID, IBAN, EMAIL, PHONE, PASSWORD}
)

_LABELS = {
    SECURITY_CODE: "[security code]",
    EXPIRY: "[expiry]",
    TAX_ID: "[tax id]",
    IBAN: "[iban]",
    EMAIL: "[email]",
    PHONE: "[phone]",
    PASSWORD: "[password]",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of sensitive data in a message.

    The value itself is not kept, so a finding can be logged; slice the text with
    ``start`` and ``end`` when the value is needed.

    Attributes:
        type: one of the entity type constants (``CREDIT_CARD``, ``TAX_ID``, ...).
        start: index of the first character in the original (not normalised) text.
        end: index just past the last character in the original text.
        brand: card brand (``visa``, ``mastercard``, ... or ``unknown``), cards only.
        last4: last four digits of a card number, cards only.
        kind: country and document of a tax id, e.g. ``br.cpf``, ``es.nie``.
    """

    type: str
    start: int
    end: int
    brand: str | None = None
    last4: str | None = None
    kind: str | None = None

    @property
    def label(self) -> str:
        """The typed placeholder that replaces the value, e.g. ``[card visa ••••4242]``."""
        if self.type == CREDIT_CARD:
            return f"[card {self.brand or 'unknown'} ••••{self.last4 or ''}]"
        return _LABELS[self.type]
