"""IBANs, compact or grouped, checked as python-stdnum checks them."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

from stdnum import numdb
from stdnum.util import get_cc_module

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
