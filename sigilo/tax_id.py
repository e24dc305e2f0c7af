"""Tax identification numbers (TINs) typed by consumers: find, validate, normalise, mask.

Supported kinds, in the fixed order used to break ties (``SUPPORTED_KINDS``):
``br.cpf``, ``br.cnpj``, ``es.dni``, ``es.nie``, ``es.cif``, ``pt.nif``,
``it.codice_fiscale``, ``ar.cuit``, ``cl.rut``, ``mx.rfc``.

The text may carry labels and separators ("meu CPF é 529.982.247-25", "RUT 12.345.678-k").
Every run of tokens is tried against every validator; the run covering most digits wins.
When one string is valid for several kinds (an 11-digit CPF that is also a CUIT; a 9-digit
PT NIF that is also a CL RUT) the winner is picked by, in order: a hint (a kind label in
the text such as "CUIT", or the kind's national format typed exactly such as "12.345.678-5"),
``preferred_countries``, the fixed order; the losers go to ``alternatives``.

Invalid results carry a ``reason``: ``empty`` (no token with a digit), ``bad_characters``
(a number with characters no TIN has), ``wrong_length``, ``bad_checksum``, ``bad_format``
(letters/digits in the wrong places or an impossible component such as a date),
``ambiguous`` (two different valid TINs in one message). ``candidates`` lists the kinds
that came closest, best first (hint, then closeness, then preference, then fixed order).

Mexican RFCs must be complete (12 or 13 characters) and their check digit is verified:
the lookup needs the full RFC, and the check digit tells typos apart.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError

from sigilo.tax_id_kinds import KINDS, LABELS, SUPPORTED_KINDS, Kind

__all__ = ["SUPPORTED_KINDS", "TinResult", "validate_tin"]

MASK_CHAR = "•"
_MAX_COMPACT = 20  # longer than any supported TIN plus a country prefix

# closeness of a failed validation: higher is closer to valid
_CHECKSUM, _FORMAT, _LENGTH = 3, 2, 1

_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−"})
_SPLIT = re.compile(r"[\s:=,;]+")
_STRIP = ".,;!?()[]{}<>\"'«»“”‘’"
_SEPARATORS = re.compile(r"[.\-/]")
_ALLOWED = re.compile(r"[0-9A-ZÑ&.\-/]+")


@dataclass(frozen=True)
class TinResult:
    """Outcome of :func:`validate_tin`. ``compact`` stays out of ``repr`` (it is personal)."""

    valid: bool
    country: str | None = None
    kind: str | None = None
    compact: str = field(default="", repr=False)
    masked: str = ""
    last4: str = ""
    reason: str | None = None
    candidates: tuple[str, ...] = ()
    alternatives: tuple[str, ...] = ()

    @property
    def qualified_kind(self) -> str | None:
        """``br.cpf``-style name of the kind, or None when invalid."""
        return f"{self.country.lower()}.{self.kind}" if self.country and self.kind else None


@dataclass(frozen=True)
class _Token:
    text: str
    has_digit: bool
    clean: bool  # only characters a TIN can hold

    @property
    def alpha_only(self) -> bool:
        return not self.has_digit


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    typed: str  # the window as typed (upper-case), to recognise a national format
    compact: str  # separators removed; a country prefix may remain
    kinds: tuple[Kind, ...]
    digits: int
    labels: int


def validate_tin(text: str, preferred_countries: Sequence[str] = ()) -> TinResult:
    """Find and validate the tax id in ``text``.

    Args:
        text: What the consumer typed, labels and separators included.
        preferred_countries: ISO alpha-2 codes, best first, to break ties between kinds.

    Returns:
        A :class:`TinResult`; when invalid, ``reason`` and ``candidates`` say why.
    """
    tokens = _tokenize(text)
    if not any(t.has_digit for t in tokens):
        return TinResult(valid=False, reason="empty")
    labels = {t.text for t in tokens if t.alpha_only}
    hinted = {k for k in KINDS if labels.intersection(k.labels)}
    prefs = [c.upper() for c in preferred_countries]
    matches = _matches(tokens)
    if matches:
        return _pick(tokens, matches, hinted, prefs)
    return _diagnose(tokens, hinted, prefs)


def _tokenize(text: str) -> list[_Token]:
    normalised = unicodedata.normalize("NFKC", text or "").translate(_DASHES).upper()
    tokens = []
    for raw in _SPLIT.split(normalised):
        word = raw.strip(_STRIP)
        if word:
            has_digit = any(c.isdigit() for c in word)
            tokens.append(_Token(word, has_digit, bool(_ALLOWED.fullmatch(word))))
    return tokens


def _compact(tokens: Sequence[_Token]) -> str:
    return _SEPARATORS.sub("", "".join(t.text for t in tokens))


def _typed(tokens: Sequence[_Token]) -> str:
    return " ".join(t.text for t in tokens)


def _valid_kinds(compact: str) -> tuple[Kind, ...]:
    kinds = []
    for kind in KINDS:
        try:
            kind.validate(compact)
        except (ValidationError, ValueError, KeyError, IndexError):
            continue
        kinds.append(kind)
    return tuple(kinds)


def _matches(tokens: Sequence[_Token]) -> list[_Match]:
    """Every run of tokens that some validator accepts."""
    found = []
    for start in range(len(tokens)):
        for end in range(start + 1, len(tokens) + 1):
            window = tokens[start:end]
            if not window[-1].clean:
                break
            compact = _compact(window)
            if len(compact) > _MAX_COMPACT:
                break
            if not any(t.has_digit for t in window):
                continue
            kinds = _valid_kinds(compact)
            if kinds:
                digits = sum(len(t.text) for t in window if t.has_digit)
                labels = sum(1 for t in window if t.alpha_only)
                found.append(_Match(start, end, _typed(window), compact, kinds, digits, labels))
    return found


def _format_hints(typed: str, compact: str) -> set[Kind]:
    """Kinds whose national format is exactly what was typed ("12.345.678-5" is a RUT)."""
    hinted = set()
    for kind in KINDS:
        try:
            if kind.formatter and kind.formatter(compact) == typed:
                hinted.add(kind)
        except (ValidationError, ValueError, IndexError):
            continue
    return hinted


def _rank(kind: Kind, hinted: set[Kind], prefs: Sequence[str]) -> tuple[int, int, int]:
    pref = prefs.index(kind.country) if kind.country in prefs else len(prefs)
    return (0 if kind in hinted else 1), pref, KINDS.index(kind)


def _is_whole(tokens: Sequence[_Token], match: _Match) -> bool:
    before = match.start > 0 and tokens[match.start - 1].has_digit
    after = match.end < len(tokens) and tokens[match.end].has_digit
    return not (before or after)


def _pick(
    tokens: Sequence[_Token], matches: list[_Match], hinted: set[Kind], prefs: Sequence[str]
) -> TinResult:
    """Choose the match covering most digits; tie-break its kinds."""
    best = max(matches, key=lambda m: (m.digits, -m.labels, -m.start))
    # a second, different number typed as a whole (not a slice of a longer digit run)
    others = [
        m
        for m in matches
        if (m.end <= best.start or m.start >= best.end)
        and m.compact != best.compact
        and _is_whole(tokens, m)
    ]
    if others:
        kinds = {k for m in [best, *others] for k in m.kinds}
        ordered = sorted(kinds, key=lambda k: _rank(k, hinted, prefs))
        return TinResult(
            valid=False, reason="ambiguous", candidates=tuple(k.qualified for k in ordered)
        )
    hinted = hinted | _format_hints(best.typed, best.compact)
    ordered = sorted(best.kinds, key=lambda k: _rank(k, hinted, prefs))
    winner = ordered[0]
    # stdnum's compact may drop a country prefix ("PT", "CL"): re-validate for the winner
    compact = winner.validate(best.compact)
    return TinResult(
        valid=True,
        country=winner.country,
        kind=winner.kind,
        compact=compact,
        masked=_mask(winner, compact),
        last4=compact[-4:],
        alternatives=tuple(k.qualified for k in ordered[1:]),
    )


def _mask(kind: Kind, compact: str) -> str:
    """National presentation with all but the last two characters hidden."""
    shown = kind.formatter(compact) if kind.formatter else compact
    hidden = sum(1 for c in shown if c.isalnum()) - 2
    out = []
    for char in shown:
        if char.isalnum() and hidden > 0:
            out.append(MASK_CHAR)
            hidden -= 1
        else:
            out.append(char)
    return "".join(out)


def _closeness(kind: Kind, compact: str) -> float | None:
    """How near ``compact`` is to a valid ``kind`` (None: not this kind at all)."""
    if not kind.shape.fullmatch(compact):
        # e.g. stdnum's RUT check reports a bad checksum for "12345678A", but A is no RUT
        return None
    try:
        kind.validate(compact)
    except InvalidChecksum:
        return _CHECKSUM
    except InvalidComponent:
        return _FORMAT
    except (ValidationError, ValueError, KeyError, IndexError):
        nearest = min(abs(len(compact) - n) for n in kind.lengths)
        if nearest == 0:
            return _FORMAT
        # one character off is closer than two
        return _LENGTH - nearest / 10 if nearest <= 2 else None
    return _CHECKSUM + 1  # valid: only reached for de-garbled bad_characters input


def _cores(tokens: Sequence[_Token]) -> list[tuple[str, str]]:
    """(typed, compact) of the digit run with most digits, bare then with adjacent words."""
    runs: list[tuple[int, int]] = []
    for i, token in enumerate(tokens):
        if token.has_digit and runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        elif token.has_digit:
            runs.append((i, i + 1))
    start, end = max(runs, key=lambda r: sum(len(t.text) for t in tokens[r[0] : r[1]]))

    def extendable(i: int) -> bool:
        # one letter (NIE/CIF) or the 3-4 letter name part of an RFC, never a label
        return 0 <= i < len(tokens) and (
            len(tokens[i].text) == 1
            or (3 <= len(tokens[i].text) <= 4 and tokens[i].text not in LABELS)
        )

    spans = [(start, end)]
    if extendable(start - 1):
        spans.append((start - 1, end))
    if extendable(end):
        spans += [(s, end + 1) for s, _ in list(spans)]
    return [(_typed(tokens[s:e]), _compact(tokens[s:e])) for s, e in spans]


def _diagnose(tokens: Sequence[_Token], hinted: set[Kind], prefs: Sequence[str]) -> TinResult:
    """No valid number: say why, and which kinds came closest."""
    dirty = any(t.has_digit and not t.clean for t in tokens)
    if dirty:
        tokens = [_Token(re.sub(r"[^0-9A-ZÑ&.\-/]", "", t.text), t.has_digit, True) for t in tokens]
    scored: dict[Kind, float] = {}
    cores = _cores(tokens)
    for typed, compact in cores:
        hinted = hinted | _format_hints(typed, compact)
        for kind in KINDS:
            score = _closeness(kind, compact)
            if score is not None:
                scored[kind] = max(score, scored.get(kind, 0))

    def order(kind: Kind) -> tuple[float, ...]:
        hint, pref, fixed = _rank(kind, hinted, prefs)
        return hint, -scored[kind], pref, fixed

    ordered = sorted(scored, key=order)
    top = scored[ordered[0]] if ordered else 0
    same = tuple(k.qualified for k in ordered if scored[k] == top)
    if dirty:
        return TinResult(valid=False, reason="bad_characters", candidates=same)
    if not ordered:
        length = len(cores[0][1])
        fits = any(n == length for k in KINDS for n in k.lengths)
        return TinResult(valid=False, reason="bad_format" if fits else "wrong_length")
    if top >= _CHECKSUM:
        reason = "bad_checksum"
    else:
        reason = "bad_format" if top >= _FORMAT else "wrong_length"
    return TinResult(valid=False, reason=reason, candidates=same)
