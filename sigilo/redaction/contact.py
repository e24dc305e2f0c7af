"""E-mail addresses and phone numbers."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import phonenumbers
from phonenumbers import PhoneNumber

from sigilo.redaction.context import NEGATIVE, PHONE, PHONE_AFTER, TAX, ContextIndex

# --- e-mail -----------------------------------------------------------------------------

# Local part and domain labels; the boundary look-behind makes every attempt start at
# the beginning of a token, so a long run of letters is tried once, not at every index.
EMAIL_RE = re.compile(r"(?<![\w.%+\-])[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)+")


def find_emails(text: str) -> Iterator[tuple[int, int]]:
    """Yields ``(start, end)`` of e-mail addresses."""
    if "@" not in text:
        return
    for m in EMAIL_RE.finditer(text):
        start, end = m.span()
        value = m.group()
        # The last label must be a real-looking top-level domain: "a@b.c1" is not one.
        labels = value[value.index("@") + 1 :].split(".")
        while labels and not (labels[-1].isalpha() and len(labels[-1]) >= 2):
            end -= len(labels.pop()) + 1
        if len(labels) < 2 or text[start] == "." or not labels[0]:
            continue
        yield start, end


# --- phone ------------------------------------------------------------------------------

# Digit groups joined by one separator, an optional "+"/"00" and area code in
# parentheses, and an optional extension. Groups need a separator between them, so a
# string matches one way only (no backtracking blow-up); after the first group a lone
# digit must lead into a longer group ("9 8765-4321"), so "1 1 1 1 …" is no candidate
# and costs nothing in Python.
_PHONE_GROUP = r"(?:[0-9][ .\-])?[0-9]{2,15}"
_PHONE_SEP = r"(?:[ .\-]|[ ]?\([0-9]{1,4}\)[ ]?)"
PHONE_RE = re.compile(
    r"(?<![\w+])(?P<intl>\+[ ]?|00[ ]?)?(?:\([0-9]{1,4}\)[ .\-]?)?"
    rf"(?:[0-9]{{1,15}}(?:{_PHONE_SEP}{_PHONE_GROUP}){{1,7}}|[0-9]{{6,15}})"
    r"(?P<ext>[ ]?(?:x|ext\.?|ramal)[ ]?[0-9]{1,6})?(?!\w)",
    re.IGNORECASE,
)
# What a phone-shaped number is instead (matched at its start, the whole of it unless
# said otherwise).
_NOT_PHONE = re.compile(
    r"(?:[0-9]{3}\.[0-9]{3}\.[0-9]{3}-[0-9]{2}"  # a CPF, even with wrong check digits
    r"|[0-9]{4}[-./][0-9]{1,2}[-./][0-9]{1,2}"  # ISO date
    r"|[0-9]{1,2}[-./][0-9]{1,2}[-./][0-9]{2,4}"  # day/month/year
    r"|[0-9]{1,3}(?:\.[0-9]{1,3}){3})\Z"  # IPv4 address
    r"|(?:19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}(?![0-9])"  # ISO date, time after: "2000-04-16 11:34"
)
_TIME_AFTER = re.compile(r":[0-9]{2}")
_AMOUNT = re.compile(r"[0-9]{1,3}(?:[.,][0-9]{3})+(?:[.,][0-9]{1,2})?")
_CURRENCY_BEFORE = re.compile(r"(?:[$€£¥]|R\$|US\$|EUR|USD|BRL|MXN|ARS|CLP)\s?$", re.IGNORECASE)
_NON_DIGITS = re.compile(r"[^0-9]")

# When a message is dense with phone-shaped numbers (a pasted table, an attack), stop
# asking phonenumbers past this many checks and treat the rest as phones: fail closed.
_VALIDATION_BUDGET = 64


def _national_candidates(d: str) -> Iterator[PhoneNumber]:
    """Phone numbers that a national-format digit string could be, by region."""
    n = len(d)
    first = d[0]
    if n == 10 and first in "23456789":
        yield PhoneNumber(country_code=1, national_number=int(d))  # US/CA
    if n == 11 and first == "1":
        yield PhoneNumber(country_code=1, national_number=int(d[1:]))
    if first == "0" and n in (11, 12, 13):
        # Brazil's trunk prefix 0, possibly with a two-digit carrier code.
        rest = d[1:] if n in (11, 12) else d[3:]
        if len(rest) in (10, 11):
            yield PhoneNumber(country_code=55, national_number=int(rest))
    if n in (10, 11) and first != "0":
        yield PhoneNumber(country_code=55, national_number=int(d))  # BR with area code
    if n == 9 and first in "6789":
        yield PhoneNumber(country_code=34, national_number=int(d))  # ES
    if n == 9 and first in "29":
        yield PhoneNumber(country_code=351, national_number=int(d))  # PT
        yield PhoneNumber(country_code=56, national_number=int(d))  # CL
    if 6 <= n <= 11 and first in "03":
        yield PhoneNumber(
            country_code=39, national_number=int(d), italian_leading_zero=first == "0"
        )
    if n == 10 and first != "0":
        yield PhoneNumber(country_code=52, national_number=int(d))  # MX
        yield PhoneNumber(country_code=54, national_number=int(d))  # AR (area + number)


def _valid_national(d: str) -> str | None:
    """The region where the national-format digits ``d`` are a valid number, if any."""
    for number in _national_candidates(d):
        if phonenumbers.is_valid_number(number):
            return phonenumbers.region_code_for_number(number)
    if d[0] == "0" and 11 <= len(d) <= 13:
        # Argentina's national formats (0 + area + 15 + number) need the real parser.
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(d, "AR")):
                return "AR"
        except phonenumbers.NumberParseException:
            return None
    return None


def _valid_international(d: str) -> str | None:
    try:
        number = phonenumbers.parse("+" + d, None)
    except phonenumbers.NumberParseException:
        return None
    return (
        phonenumbers.region_code_for_number(number)
        if phonenumbers.is_valid_number(number)
        else None
    )


def find_phones(
    text: str,
    ctx: ContextIndex,
    first_digit: int = 0,
    inside: Sequence[tuple[int, int]] = (),
) -> Iterator[tuple[int, int]]:
    """Yields ``(start, end)`` of phone numbers.

    Next to a phone word ("tel", "celular", "call me", ...) any phone-shaped number of
    7–15 digits counts; elsewhere phonenumbers must find it valid in BR, ES, PT, IT, AR,
    CL, MX or the US (or anywhere, when written with "+" or "00").

    ``first_digit``: index of the first digit of ``text``. At most "+ (" comes before a
    number's first digit, so the scan starts three characters before it.
    ``inside``: spans of IBANs already found. A number within one is dropped with it
    whatever it is, so phonenumbers is not asked about it (that is its slow path).
    """
    budget = _VALIDATION_BUDGET
    for m in PHONE_RE.finditer(text, max(0, first_digit - 3)):
        start, end = m.span()
        if end - start < 7:
            continue  # fewer than 7 digits, whatever it is
        ext = m.start("ext")
        body = text[start : ext if ext >= 0 else end]
        intl = m.group("intl")
        digits = _NON_DIGITS.sub("", body)
        if intl and intl.startswith("00"):
            digits = digits[2:]
        if not 7 <= len(digits) <= 15:
            continue
        core = body[len(intl) :] if intl else body
        if _NOT_PHONE.match(core) or (text.startswith(":", end) and _TIME_AFTER.match(text, end)):
            continue
        word_end = ctx.before_end(PHONE, start, 30)
        after = ctx.after(PHONE_AFTER, end, 3)
        # "order 123…" or "cpf 123…" nearer than any phone word: the number is that.
        other_end = max(ctx.before_end(NEGATIVE, start, 30), ctx.before_end(TAX, start, 30))
        if other_end > word_end and not after:
            continue
        if word_end >= 0 or after:
            if _AMOUNT.fullmatch(core) and _CURRENCY_BEFORE.search(text, 0, start):
                continue
            yield start, end
            continue
        if _AMOUNT.fullmatch(core):
            continue
        if budget <= 0:
            yield start, end  # fail closed
            continue
        budget -= 1
        if inside and any(s <= start and end <= e for s, e in inside):
            continue
        if _valid_international(digits) if intl else _valid_national(digits):
            yield start, end
