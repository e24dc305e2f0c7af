"""Card checks for the demo tokenizer, on top of :mod:`sigilo.payment_cards`.

The brand table, Luhn check, expiry rule and security-code length are the card form's
(``sigilo.payment_cards``), so the API accepts what the assistant accepts. What is the
API's own: the JSON fields' ranges, the ``CardError`` shaping and the demo decline rule.

Nothing here stores or logs a card number; callers keep only brand and last four.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sigilo.payment_cards import card_brand, card_expired, cvc_length, iin_brand, luhn_valid

# The demo decline rule: this Luhn-valid Visa test number is always declined (402).
DECLINED_TEST_NUMBER = "4000000000000002"

_SEPARATORS = re.compile(r"[\s-]")


class CardError(ValueError):
    """A card field is wrong; ``field`` names it (number, expiry or cvc)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CheckedCard:
    """What survives tokenization: never the number, expiry or CVC."""

    brand: str
    last4: str


def check_card(
    number: str, exp_month: int, exp_year: int, cvc: str, today: dt.date | None = None
) -> CheckedCard:
    """Validate card fields the way a tokenizer would.

    Args:
        number: Card number; spaces and dashes are ignored.
        exp_month: 1-12.
        exp_year: Four-digit year.
        cvc: Three digits, four for American Express.
        today: Reference date (tests).

    Returns:
        Brand and last four digits.

    Raises:
        CardError: A field is invalid; the message never repeats the number.
    """
    digits = _SEPARATORS.sub("", number)
    if not (digits.isascii() and digits.isdigit()) or not 12 <= len(digits) <= 19:
        raise CardError("number", "card number must have 12 to 19 digits")
    if not luhn_valid(digits):
        raise CardError("number", "card number fails the Luhn check")
    brand = card_brand(digits)
    if brand is None:
        known = iin_brand(digits)
        raise CardError(
            "number", f"wrong number of digits for {known}" if known else "card brand not accepted"
        )
    if not 1 <= exp_month <= 12 or not 2000 <= exp_year <= 2100:
        raise CardError("expiry", "expiry month or year out of range")
    if card_expired(exp_month, exp_year, today or dt.date.today()):
        raise CardError("expiry", "card has expired")
    expected = cvc_length(brand)
    if not (cvc.isascii() and cvc.isdigit()) or len(cvc) != expected:
        raise CardError("cvc", f"security code must have {expected} digits for {brand}")
    return CheckedCard(brand=brand, last4=digits[-4:])


def is_declined(number: str) -> bool:
    """The demo decline rule (see ``DECLINED_TEST_NUMBER``)."""
    return _SEPARATORS.sub("", number) == DECLINED_TEST_NUMBER
