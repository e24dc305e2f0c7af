"""E-mail addresses, IBANs and phone numbers."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumber
from stdnum import numdb
from stdnum.util import get_cc_module

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


# --- IBAN -------------------------------------------------------------------------------

IBAN_RE = re.compile(r"(?<![0-9A-Za-z])[A-Za-z]{2}[0-9]{2}(?:[ \-]?[0-9A-Za-z]){11,30}")
_SEP = re.compile(r"[ \-]")

# Length of the IBAN by country (ISO 13616 registry).
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24,
    "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
    "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27,
    "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27,
    "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28,
    "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
    "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip


_BBAN_PART = re.compile(r"([1-9][0-9]*)!([nac])")
_BBAN_CHARS = {"n": "[0-9]", "a": "[A-Z]", "c": "[A-Za-z0-9]"}
# Letters as the numbers ISO 7064 gives them (A=10 ... Z=35).
_MOD97_DIGITS = str.maketrans({chr(c): str(c - 55) for c in range(65, 91)})


def _ccc_digit(digits: str) -> str:
    # stdnum.es.ccc's check digit: weights 2**i, mod 11 (0 and 1 stay, others 11 - x).
    check = sum(int(d) << i for i, d in enumerate(digits)) % 11
    return str(check if check < 2 else 11 - check)


def _es_ccc_ok(compact: str) -> bool:
    # The Spanish account number (CCC) inside the IBAN: bank, branch, 2 checks, account.
    ccc = compact[4:]
    return ccc[8:10] == _ccc_digit("00" + ccc[:8]) + _ccc_digit(ccc[10:])


# Country checks that stdnum's IBAN module runs, done here without repeating the
# generic part (Spain's is the common one); others go through stdnum's own module.
_COUNTRY_CHECKS: dict[str, Callable[[str], bool]] = {"ES": _es_ccc_ok}


def _mod97(compact: str) -> bool:
    # ISO 7064 mod 97-10 over the rearranged number, as stdnum checks it.
    return int((compact[4:] + compact[:4]).translate(_MOD97_DIGITS)) % 97 == 1


@functools.cache
def _bban_re(country: str) -> re.Pattern[str] | None:
    """The BBAN structure of ``country`` from stdnum's IBAN registry, as a regex."""
    props = numdb.get("iban").info(country)[0][1]
    if not props:
        return None
    structure = props.get("bban", "")
    body = _BBAN_PART.sub(lambda m: f"{_BBAN_CHARS[m.group(2)]}{{{m.group(1)}}}", structure)
    return re.compile(body + r"\Z")


@functools.cache
def _country_module(country: str) -> Any:
    return get_cc_module(country, "iban")


def iban_valid(compact: str) -> bool:
    """``stdnum.iban.is_valid`` for a compact, upper-case IBAN, without its slow parts.

    stdnum cleans the number of Unicode look-alikes and parses its registry for every
    call (~100 µs); here the number is already clean ASCII and each country's structure
    is compiled once. The result is the same (a test compares them).
    """
    if not _mod97(compact):
        return False
    bban = _bban_re(compact[:2])
    if bban is None or bban.match(compact, 4) is None:
        return False
    check = _COUNTRY_CHECKS.get(compact[:2])
    if check is not None:
        return check(compact)
    module = _country_module(compact[:2])
    return module is None or module.is_valid(compact)


def find_ibans(text: str, first_digit: int = 0) -> Iterator[tuple[int, int]]:
    """Yields ``(start, end)`` of IBANs, compact or grouped, any letter case.

    ``first_digit``: index of the first digit of ``text``; an IBAN starts two letters
    before a digit, so the scan starts there (the look-behind still sees what precedes).
    """
    pos = max(0, first_digit - 2)
    while True:
        m = IBAN_RE.search(text, pos)
        if m is None:
            return
        start = m.start()
        country = text[start : start + 2].upper()
        length = _IBAN_LENGTHS.get(country)
        pos = start + 1
        if length is None:
            continue
        # The greedy match may run into the next words: cut it at the country's length.
        seen = 0
        end = start
        for i in range(start, m.end()):
            if text[i] not in " -":
                seen += 1
                if seen == length:
                    end = i + 1
                    break
        if seen < length or (end < len(text) and text[end].isalnum()):
            continue
        compact = _SEP.sub("", text[start:end]).upper()
        if iban_valid(compact):
            yield start, end
            pos = end


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


def find_phones(text: str, ctx: ContextIndex, first_digit: int = 0) -> Iterator[tuple[int, int]]:
    """Yields ``(start, end)`` of phone numbers.

    Next to a phone word ("tel", "celular", "call me", ...) any phone-shaped number of
    7–15 digits counts; elsewhere phonenumbers must find it valid in BR, ES, PT, IT, AR,
    CL, MX or the US (or anywhere, when written with "+" or "00").

    ``first_digit``: index of the first digit of ``text``. At most "+ (" comes before a
    number's first digit, so the scan starts three characters before it.
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
        if _valid_international(digits) if intl else _valid_national(digits):
            yield start, end
