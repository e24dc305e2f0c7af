"""Card brands by IIN (issuer prefix) range and number length."""

from __future__ import annotations


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


def brand_by_prefix(digits: str) -> str | None:
    """The brand whose IIN range the number starts with, whatever its length."""
    for width, table in _PREFIXES:
        hit = table.get(digits[:width])
        if hit is not None:
            return hit[0]
    return None
