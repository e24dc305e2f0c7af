"""Payment-card checks for the card form: Luhn, brand, expiry, security code.

No Rasa import. Card data passes through these functions and is never
logged or kept by them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sigilo.redaction.brands import brand_by_prefix, brand_of

BRAND_LABELS = {
    "visa": "Visa",
    "mastercard": "Mastercard",
    "amex": "American Express",
    "discover": "Discover",
    "jcb": "JCB",
    "diners": "Diners Club",
    "elo": "Elo",
    "hipercard": "Hipercard",
    "maestro": "Maestro",
}

_SEPARATORS = re.compile(r"[\s.\-]")
_EXPIRY = re.compile(r"^\s*(\d{1,2})\s*[/\-. ]\s*(\d{2}|\d{4})\s*$")


def luhn_valid(digits: str) -> bool:
    """True when ``digits`` (only 0-9) passes the Luhn check."""
    if not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def card_brand(digits: str) -> str | None:
    """Brand the company accepts, from the IIN range and length, else ``None``.

    The IIN table is the redactor's (one source for both); brands it knows but
    the company does not take (Mir, UnionPay) count as unknown here.
    """
    brand = brand_of(digits)
    return brand if brand in BRAND_LABELS else None


def iin_brand(digits: str) -> str | None:
    """Accepted brand from the IIN range alone, whatever the length (explains a length)."""
    brand = brand_by_prefix(digits)
    return brand if brand in BRAND_LABELS else None


@dataclass(frozen=True)
class CardCheck:
    """Outcome of checking a typed card number.

    Attributes:
        digits: The number without separators (empty when invalid).
        brand: Brand code, when valid.
        reason: ``None`` when valid, else ``luhn``, ``length`` or ``brand``.
    """

    digits: str
    brand: str | None
    reason: str | None

    @property
    def last4(self) -> str:
        """The last four digits, the most that may be shown."""
        return self.digits[-4:]


def check_card_number(text: str) -> CardCheck:
    """Validates a typed card number (spaces, dots and dashes allowed)."""
    digits = _SEPARATORS.sub("", text or "")
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        return CardCheck("", None, "length")
    if not luhn_valid(digits):
        return CardCheck("", None, "luhn")
    brand = card_brand(digits)
    if brand is None:
        return CardCheck("", None, "brand")
    return CardCheck(digits, brand, None)


def parse_expiry(text: str, today: date) -> tuple[int, int] | str:
    """Parses ``MM/YY`` or ``MM/YYYY``.

    Returns:
        ``(month, year)`` when valid; ``"format"`` when unreadable; ``"past"``
        when the card expired before ``today``'s month.
    """
    match = _EXPIRY.match(text or "")
    if not match:
        return "format"
    month, year = int(match.group(1)), int(match.group(2))
    if year < 100:
        year += 2000
    if not 1 <= month <= 12 or year > today.year + 30:
        return "format"
    if card_expired(month, year, today):
        return "past"
    return month, year


def card_expired(month: int, year: int, today: date) -> bool:
    """True when the card expired before ``today``'s month (it is good through its last day)."""
    return (year, month) < (today.year, today.month)


def cvc_length(brand: str | None) -> int:
    """American Express uses four digits; the other brands three."""
    return 4 if brand == "amex" else 3


def check_cvc(text: str, brand: str | None) -> str | None:
    """Returns the security code when it has the brand's length, else ``None``."""
    value = (text or "").strip()
    return value if value.isdigit() and len(value) == cvc_length(brand) else None
