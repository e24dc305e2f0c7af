"""Payment card numbers: candidate runs, Luhn and brand from the IIN range and length."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import accumulate
from typing import NamedTuple

from sigilo.redaction.brands import brand_of
from sigilo.redaction.context import CARD, CVV, NEGATIVE, PHONE, ContextIndex

# A maximal run of digit groups joined by a space, a dash or a dot (" - " too). Groups
# must be separated, so the pattern is unambiguous and cannot backtrack. Runs shorter
# than 12 characters cannot hold a card: the look-ahead (bounded) turns them away in
# the regex engine instead of in Python.
CARD_RUN_RE = re.compile(
    r"(?<![0-9])(?=[0-9][0-9 \t.\-]{11})[0-9]+(?:(?:[ \t]?[-.][ \t]?|[ \t]{1,2})[0-9]+)*"
)
_GROUP_RE = re.compile(r"[0-9]+")
_SEP_RE = re.compile(r"[^0-9]+")
# "… 030 04/32 515": an expiry and a code after a window make its last 3-digit group
# part of the number (a 19-digit card), not the code.
_EXPIRY_THEN_CODE = re.compile(
    r"[\s,;|.\-]{1,3}(?:0?[1-9]|1[0-2])\s?[/\-.]\s?(?:20[0-9]{2}|[0-9]{2})[\s,;|.\-]{1,3}[0-9]{3,4}(?![0-9/])"
)

_DOUBLE = str.maketrans("0123456789", "0246813579")


def luhn_ok(digits: str) -> bool:
    """Whether ``digits`` (ASCII digits only) passes the Luhn check."""
    plain = digits[-1::-2]
    doubled = digits[-2::-2].translate(_DOUBLE)
    # Summing bytes runs in C; subtract the ASCII code of "0" for every digit.
    total = sum(plain.encode()) + sum(doubled.encode()) - 48 * len(digits)
    return total % 10 == 0


class CardHit(NamedTuple):
    """A card number found in the normalised text."""

    start: int
    end: int
    brand: str
    last4: str


def _check(digits: str, weak: bool, short_ok: bool = False, luhn_known: bool = False) -> str | None:
    """The brand if ``digits`` is a card number, ``"unknown"`` for an unbranded one.

    ``weak``: unbranded numbers do not count (an "order" word, letters glued on).
    ``short_ok``: an unbranded 12-digit number counts too ("credit card 0604…").
    ``luhn_known``: the caller already knows that ``digits`` pass Luhn.
    """
    n = len(digits)
    if n < 12 or n > 19:
        return None
    if not luhn_known and not luhn_ok(digits):
        return None
    brand = brand_of(digits)
    if brand is None and (weak or (n < 13 and not short_ok)):
        return None
    return brand or "unknown"


def find_cards(text: str, ctx: ContextIndex, first_digit: int = 0) -> Iterator[CardHit]:
    """Yields card numbers in ``text``, plain or grouped, left to right, not overlapping.

    ``first_digit``: index of the first digit of ``text`` (the scan starts there).
    """
    has_negative = ctx.has(NEGATIVE) or ctx.has(PHONE)
    for run in CARD_RUN_RE.finditer(text, first_digit):
        run_start, run_end = run.span()
        if run_end - run_start < 12:
            continue
        s = run.group()
        letter_before = run_start > 0 and text[run_start - 1].isalpha()
        if s.isdigit():
            # Any Luhn-valid run of 13–19 digits is protected, whatever the words around
            # it say (the engine lets a phone number or a named tax id take its label);
            # only a code with letters glued on ("U6292878…") needs a brand to count.
            glued = letter_before or (run_end < len(text) and text[run_end].isalpha())
            short_ok = ctx.before(CARD, run_start, 25) is not None
            brand = _check(s, glued, short_ok)
            if brand:
                yield CardHit(run_start, run_end, brand, s[-4:])
            continue
        # "4111 1111 1111 1111 123" is usually a card and its code, unless the code is
        # given later ("… cvv 456"): then the trailing group belongs to a 19-digit card.
        code_later = ctx.has(CVV) and ctx.after_start(CVV, run_end, 1000) >= 0
        negative = letter_before or (has_negative and _weak(ctx, run_start))
        yield from _grouped(text, s, run_start, negative, code_later)


def _weak(ctx: ContextIndex, start: int) -> bool:
    """Whether an "order"-like or phone word stands before ``start``, nearer than "card"."""
    other = max(ctx.before_end(NEGATIVE, start, 30), ctx.before_end(PHONE, start, 30))
    return other >= 0 and other > ctx.before_end(CARD, start, 60)


def _grouped(text: str, s: str, offset: int, negative: bool, code_later: bool) -> Iterator[CardHit]:
    digits_of = _GROUP_RE.findall(s)
    n = len(digits_of)
    lengths = list(map(len, digits_of))
    valid: dict[int, set[int]] | None = None  # start group -> sizes of Luhn-valid windows
    if n <= _SHORT_RUN:
        starts: Iterable[int] = range(n)
    elif max(lengths) < 4:
        return  # no group can open a card number
    else:
        valid = _luhn_windows(digits_of, lengths)
        starts = sorted(valid)
    # Offsets of each group inside the run (groups and separators alternate).
    positions = [
        0,
        *accumulate(a + b for a, b in zip(lengths, map(len, _SEP_RE.findall(s)), strict=False)),
    ]
    i = 0
    for start in starts:
        if start < i:
            continue
        i = start
        if lengths[i] < 4:
            # Card groups start with at least four digits (4-4-4-4, 4-6-5, or one run).
            continue
        # Inside a longer run of groups some window passes Luhn by chance one time in
        # ten: past the run's first group (or after "order", "tel") only a specific brand
        # counts (not Maestro's wide range), and a 12-digit Maestro only as the whole run.
        weak = negative or i > 0
        # Among the valid windows from here, prefer whole groups of four (a trailing
        # 3-digit group is more likely the security code), then the longest.
        best: tuple[tuple[bool, bool, int], int, str, str] | None = None
        digits = ""
        sizes = valid[i] if valid is not None else None
        for j in range(i, min(n, i + 7)):
            if j > i and lengths[j - 1] < 3:
                break
            digits += digits_of[j]
            if len(digits) > 19:
                break
            if sizes is not None and j - i + 1 not in sizes:
                continue  # its checksum is already known to fail
            # A whole group of 13–19 digits is a plain run: protected like one.
            brand = _check(digits, weak and j > i, luhn_known=sizes is not None)
            if brand is None or (i > 0 and j > i and brand == "maestro"):
                continue
            if len(digits) < 13 and (i > 0 or j < n - 1):
                continue
            whole_groups = (
                code_later
                or j == i
                or lengths[j] >= 4
                or _EXPIRY_THEN_CODE.match(text, offset + positions[j] + lengths[j]) is not None
            )
            score = (brand != "unknown", whole_groups, len(digits))
            if best is None or score > best[0]:
                best = (score, j, brand, digits)
        if best is None:
            continue
        _score, j, brand, digits = best
        yield CardHit(offset + positions[i], offset + positions[j] + lengths[j], brand, digits[-4:])
        i = j + 1


# Runs with more groups than this are not chat; scan them with prefix sums instead,
# vectorised with numpy from _NUMPY_RUN groups on (its per-call cost is ~0.1 ms).
_SHORT_RUN = 8
_NUMPY_RUN = 2_000


def _luhn_windows(digits_of: list[str], lengths: list[int]) -> dict[int, set[int]]:
    """For each group starting a Luhn-valid window of 12–19 digits, the window sizes.

    Long runs (a pasted table, an adversarial input) would cost one Luhn check per
    window; prefix sums of the Luhn weights give every window's checksum in O(1), so
    only the few starts with a valid window are then examined one by one.
    """
    digits = "".join(digits_of)
    raw = digits.encode()
    doubled = digits.translate(_DOUBLE).encode()
    # Position parity p: digits at parity p weigh plain, the others doubled.
    even_plain = bytearray(raw)
    even_plain[1::2] = doubled[1::2]
    odd_plain = bytearray(doubled)
    odd_plain[1::2] = raw[1::2]
    if len(lengths) >= _NUMPY_RUN:
        try:
            return _luhn_windows_numpy(even_plain, odd_plain, lengths)
        except ImportError:  # pragma: no cover - numpy comes with Rasa; slim installs
            pass
    return _luhn_windows_python(even_plain, odd_plain, lengths)


def _luhn_windows_python(
    even_plain: bytes, odd_plain: bytes, lengths: list[int]
) -> dict[int, set[int]]:
    s0 = [0, *accumulate(even_plain)]
    s1 = [0, *accumulate(odd_plain)]
    offsets = [0, *accumulate(lengths)]
    found: dict[int, set[int]] = {}
    for k in range(1, 7):
        for i in (
            i
            for i, (a, b, first) in enumerate(zip(offsets, offsets[k:], lengths, strict=False))
            if first >= 4
            and 12 <= b - a <= 19
            and (((s1[b] - s1[a]) if (b - 1) & 1 else (s0[b] - s0[a])) - 48 * (b - a)) % 10 == 0
        ):
            found.setdefault(i, set()).add(k)
    return found


def _luhn_windows_numpy(
    even_plain: bytes, odd_plain: bytes, lengths: list[int]
) -> dict[int, set[int]]:
    import numpy as np  # imported here: only long numeric runs need it

    # Weights are ASCII codes; the offset of 48 per digit is a multiple of 2, and
    # 48 * size is removed below so the sums are exact digit sums.
    s0 = np.concatenate(([0], np.cumsum(np.frombuffer(even_plain, dtype=np.uint8), dtype=np.int64)))
    s1 = np.concatenate(([0], np.cumsum(np.frombuffer(odd_plain, dtype=np.uint8), dtype=np.int64)))
    lens = np.asarray(lengths, dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum(lens)))
    n = len(lengths)
    found: dict[int, set[int]] = {}
    for k in range(1, 7):
        if k > n:
            break
        a = offsets[: n - k + 1]
        b = offsets[k:]
        size = b - a
        odd = ((b - 1) & 1).astype(bool)
        total = np.where(odd, s1[b] - s1[a], s0[b] - s0[a]) - 48 * size
        ok = (lens[: n - k + 1] >= 4) & (size >= 12) & (size <= 19) & (total % 10 == 0)
        for i in np.flatnonzero(ok).tolist():
            found.setdefault(i, set()).add(k)
    return found
