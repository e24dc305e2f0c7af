"""Payment card numbers: candidate runs, Luhn and brand from the IIN range and length."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import accumulate
from dataclasses import dataclass

from sigilo.redaction.context import CARD, NEGATIVE, PHONE, ContextIndex

# A maximal run of digit groups joined by a space, a dash or a dot (" - " too). Groups
# must be separated, so the pattern is unambiguous and cannot backtrack.
CARD_RUN_RE = re.compile(r"(?<![0-9])[0-9]+(?:(?:[ \t]?[-.][ \t]?|[ \t]{1,2})[0-9]+)*")
_GROUP_RE = re.compile(r"[0-9]+")

_DOUBLE = str.maketrans("0123456789", "0246813579")


def luhn_ok(digits: str) -> bool:
    """Whether ``digits`` (ASCII digits only) passes the Luhn check."""
    plain = digits[-1::-2]
    doubled = digits[-2::-2].translate(_DOUBLE)
    # Summing bytes runs in C; subtract the ASCII code of "0" for every digit.
    total = sum(plain.encode()) + sum(doubled.encode()) - 48 * len(digits)
    return total % 10 == 0


def _ranges(*spans: tuple[int, int]) -> tuple[tuple[int, int], ...]:
    return spans


# (brand, prefix width, ranges of that prefix, allowed lengths).
_BRANDS: tuple[tuple[str, int, tuple[tuple[int, int], ...], frozenset[int]], ...] = (
    (
        "elo",
        6,
        _ranges(
            (401178, 401179),
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
        frozenset({16}),
    ),
    (
        "hipercard",
        6,
        _ranges(
            (606282, 606282),
            (384100, 384100),
            (384140, 384140),
            (384160, 384160),
            (637095, 637095),
            (637568, 637568),
            (637599, 637599),
            (637609, 637609),
            (637612, 637612),
        ),
        frozenset({13, 16, 19}),
    ),
    ("amex", 2, _ranges((34, 34), (37, 37)), frozenset({15})),
    (
        "diners",
        4,
        _ranges((3000, 3059), (3095, 3095), (3600, 3699), (3800, 3999)),
        frozenset(range(14, 20)),
    ),
    ("jcb", 4, _ranges((3528, 3589)), frozenset(range(16, 20))),
    ("jcb", 4, _ranges((1800, 1800), (2131, 2131)), frozenset({15})),
    ("mastercard", 4, _ranges((5100, 5599), (2221, 2720)), frozenset({16})),
    ("discover", 6, _ranges((622126, 622925)), frozenset(range(16, 20))),
    ("discover", 4, _ranges((6011, 6011)), frozenset(range(16, 20))),
    ("discover", 3, _ranges((644, 649)), frozenset(range(16, 20))),
    ("discover", 2, _ranges((65, 65)), frozenset(range(16, 20))),
    ("visa", 1, _ranges((4, 4)), frozenset({13, 16, 19})),
    ("mir", 4, _ranges((2200, 2204)), frozenset(range(16, 20))),
    ("unionpay", 2, _ranges((62, 62)), frozenset(range(16, 20))),
    (
        "maestro",
        2,
        _ranges((50, 50), (56, 69)),
        frozenset(range(12, 20)),
    ),
)


def _prefix_table() -> list[tuple[int, dict[str, tuple[str, frozenset[int]]]]]:
    """Expands the ranges into exact prefixes, grouped by width, widest first."""
    by_width: dict[int, dict[str, tuple[str, frozenset[int]]]] = {}
    for brand, width, spans, lengths in _BRANDS:
        table = by_width.setdefault(width, {})
        for lo, hi in spans:
            for prefix in range(lo, hi + 1):
                table.setdefault(str(prefix).zfill(width), (brand, lengths))
    return sorted(by_width.items(), reverse=True)


# Longest prefix first: the narrow Brazilian ranges sit inside the wider ones.
_PREFIXES = _prefix_table()


def brand_of(digits: str) -> str | None:
    """The card brand for a digit string by IIN range and length, or ``None``."""
    n = len(digits)
    for width, table in _PREFIXES:
        hit = table.get(digits[:width])
        if hit is not None and n in hit[1]:
            return hit[0]
    return None


@dataclass(frozen=True, slots=True)
class CardHit:
    """A card number found in the normalised text."""

    start: int
    end: int
    brand: str
    last4: str


def _check(digits: str, negative_context: bool) -> str | None:
    """The brand if ``digits`` is a card number, ``"unknown"`` for an unbranded one."""
    n = len(digits)
    if n < 12 or n > 19:
        return None
    if not luhn_ok(digits):
        return None
    brand = brand_of(digits)
    if brand is None and (n < 13 or negative_context):
        # An unbranded run next to "order"/"protocolo" is taken as the code it says it is.
        return None
    return brand or "unknown"


def find_cards(text: str, ctx: ContextIndex) -> Iterator[CardHit]:
    """Yields card numbers in ``text``, plain or grouped, left to right, not overlapping."""
    has_negative = ctx.has(NEGATIVE) or ctx.has(PHONE)
    for run in CARD_RUN_RE.finditer(text):
        run_start, run_end = run.span()
        if run_end - run_start < 12 or (run_start and text[run_start - 1] == "+"):
            continue  # "+55 11 ..." is a phone number: cards are never written with "+"
        s = run.group()
        # An unbranded run after "order"/"protocolo" or "tel" is taken as what they say.
        negative = has_negative and _weak(ctx, run_start)
        if s.isdigit():
            brand = _check(s, negative)
            if brand:
                yield CardHit(run_start, run_end, brand, s[-4:])
            continue
        yield from _grouped(s, run_start, negative)


def _weak(ctx: ContextIndex, start: int) -> bool:
    """Whether an "order"-like or phone word stands before ``start``, nearer than "card"."""
    other = max(ctx.before_end(NEGATIVE, start, 30), ctx.before_end(PHONE, start, 30))
    return other >= 0 and other > ctx.before_end(CARD, start, 60)


def _grouped(s: str, offset: int, negative: bool) -> Iterator[CardHit]:
    groups = [(m.group(), m.start(), m.end()) for m in _GROUP_RE.finditer(s)]
    n = len(groups)
    starts: Iterable[int] = range(n) if n <= _SHORT_RUN else _luhn_starts(groups)
    i = 0
    for start in starts:
        if start < i:
            continue
        i = start
        first = groups[i][0]
        if len(first) < 4:
            # Card groups start with at least four digits (4-4-4-4, 4-6-5, or one run).
            continue
        # An unbranded number must start the run: inside a longer run of groups, some
        # window passes Luhn by chance one time in ten.
        weak = negative or i > 0
        # Among the valid windows from here, prefer whole groups of four (a trailing
        # 3-digit group is more likely the security code), then the longest.
        best: tuple[tuple[bool, bool, int], int, str, str] | None = None
        digits = ""
        for j in range(i, min(n, i + 7)):
            if j > i and len(groups[j - 1][0]) < 3:
                break
            digits += groups[j][0]
            if len(digits) > 19:
                break
            brand = _check(digits, weak)
            if brand is None:
                continue
            score = (brand != "unknown", j == i or len(groups[j][0]) >= 4, len(digits))
            if best is None or score > best[0]:
                best = (score, j, brand, digits)
        if best is None:
            continue
        _score, j, brand, digits = best
        yield CardHit(offset + groups[i][1], offset + groups[j][2], brand, digits[-4:])
        i = j + 1


# Runs with more groups than this are not chat; scan them with prefix sums instead.
_SHORT_RUN = 8


def _luhn_starts(groups: list[tuple[str, int, int]]) -> list[int]:
    """Indexes of groups that start at least one Luhn-valid window of 12–19 digits.

    Long runs (a pasted table, an adversarial input) would cost one Luhn check per
    window; prefix sums of the Luhn weights give every window's checksum in O(1), so
    only the few starts with a valid window are then examined one by one.
    """
    digits = "".join(g[0] for g in groups)
    raw = digits.encode()
    doubled = digits.translate(_DOUBLE).encode()
    # Position parity p: digits at parity p weigh plain, the others doubled.
    even_plain = bytearray(raw)
    even_plain[1::2] = doubled[1::2]
    odd_plain = bytearray(doubled)
    odd_plain[1::2] = raw[1::2]
    lengths = [len(g[0]) for g in groups]
    try:
        return _luhn_starts_numpy(even_plain, odd_plain, lengths)
    except ImportError:  # pragma: no cover - numpy ships with Rasa; kept for slim installs
        return _luhn_starts_python(even_plain, odd_plain, lengths)


def _luhn_starts_python(even_plain: bytes, odd_plain: bytes, lengths: list[int]) -> list[int]:
    s0 = [0, *accumulate(even_plain)]
    s1 = [0, *accumulate(odd_plain)]
    offsets = [0, *accumulate(lengths)]
    found: set[int] = set()
    for k in range(1, 7):
        found.update(
            i
            for i, (a, b, first) in enumerate(zip(offsets, offsets[k:], lengths))
            if first >= 4
            and 12 <= b - a <= 19
            and (((s1[b] - s1[a]) if (b - 1) & 1 else (s0[b] - s0[a])) - 48 * (b - a)) % 10 == 0
        )
    return sorted(found)


def _luhn_starts_numpy(even_plain: bytes, odd_plain: bytes, lengths: list[int]) -> list[int]:
    import numpy as np  # imported here: only long numeric runs need it

    # Weights are ASCII codes; the offset of 48 per digit is a multiple of 2, and
    # 48 * size is removed below so the sums are exact digit sums.
    s0 = np.concatenate(([0], np.cumsum(np.frombuffer(even_plain, dtype=np.uint8), dtype=np.int64)))
    s1 = np.concatenate(([0], np.cumsum(np.frombuffer(odd_plain, dtype=np.uint8), dtype=np.int64)))
    lens = np.asarray(lengths, dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum(lens)))
    n = len(lengths)
    found = np.zeros(n, dtype=bool)
    for k in range(1, 7):
        if k > n:
            break
        a = offsets[: n - k + 1]
        b = offsets[k:]
        size = b - a
        odd = ((b - 1) & 1).astype(bool)
        total = np.where(odd, s1[b] - s1[a], s0[b] - s0[a]) - 48 * size
        ok = (lens[: n - k + 1] >= 4) & (size >= 12) & (size <= 19) & (total % 10 == 0)
        found[: n - k + 1] |= ok
    return np.flatnonzero(found).tolist()
