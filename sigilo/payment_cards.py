"""Payment-card checks for the card form: Luhn, brand, expiry, security code.

No Rasa import. Card data passes through these functions and is never
logged or kept by them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# (brand, IIN prefix ranges as (low, high) on the leading digits, valid lengths).
# Order matters: the narrow Brazilian ranges (Elo, Hipercard) come before the
# broad Visa/Maestro ones they overlap.
_BRANDS: tuple[tuple[str, tuple[tuple[int, int], ...], tuple[int, ...]], ...] = (
    (
        "elo",
        (
            (401178, 401179),
            (401178, 401178),
            (431274, 431274),
            (438935, 438935),
            (451416, 451416),
            (457393, 457393),
            (457631, 457632),
            (504175, 504175),
            (506699, 506778),
            (509000, 509999),
            (627780, 627780),
            (636297, 636297),
            (636368, 636368),
            (650031, 650033),
            (650035, 650051),
            (650405, 650439),
            (650485, 650538),
            (650541, 650598),
            (650700, 650718),
            (650720, 650727),
            (650901, 650978),
            (651652, 651679),
            (655000, 655019),
            (655021, 655058),
        ),
        (16,),
    ),
    (
        "hipercard",
        ((606282, 606282), (384100, 384100), (384140, 384140), (384160, 384160)),
        (13, 16, 19),
    ),
    ("amex", ((34, 34), (37, 37)), (15,)),
    ("diners", ((300, 305), (3095, 3095), (36, 36), (38, 39)), (14, 16, 17, 18, 19)),
    ("jcb", ((3528, 3589),), (16, 17, 18, 19)),
    ("discover", ((6011, 6011), (622126, 622925), (644, 649), (65, 65)), (16, 17, 18, 19)),
    ("mastercard", ((51, 55), (2221, 2720)), (16,)),
    (
        "maestro",
        (
            (5018, 5018),
            (5020, 5020),
            (5038, 5038),
            (5893, 5893),
            (6304, 6304),
            (6759, 6759),
            (6761, 6763),
        ),
        (12, 13, 14, 15, 16, 17, 18, 19),
    ),
    ("visa", ((4, 4),), (13, 16, 19)),
)

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


def _brand(digits: str, *, by_length: bool) -> str | None:
    for brand, ranges, lengths in _BRANDS:
        if by_length and len(digits) not in lengths:
            continue
        for low, high in ranges:
            width = len(str(low))
            if len(digits) >= width and low <= int(digits[:width]) <= high:
                return brand
    return None


def card_brand(digits: str) -> str | None:
    """Brand from the IIN range and length, or ``None`` when unknown."""
    return _brand(digits, by_length=True)


def iin_brand(digits: str) -> str | None:
    """Brand from the IIN range alone, whatever the length (to explain a wrong length)."""
    return _brand(digits, by_length=False)


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
