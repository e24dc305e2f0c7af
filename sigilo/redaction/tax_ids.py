"""Tax ids of BR, ES, PT, IT, AR, CL, MX (and the US SSN), confirmed by check digits.

Distinctive shapes (a formatted CPF, a DNI with its letter, a codice fiscale) count on
their check digits alone. Bare digit runs that many other numbers share (a 9-digit PT
NIF or CL RUT, an 8-digit DNI without letter, an SSN) count only when a context word
names a document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

from stdnum.ar import cuit
from stdnum.br import cnpj, cpf
from stdnum.cl import rut
from stdnum.es import cif, dni, nie
from stdnum.it import codicefiscale
from stdnum.mx import rfc
from stdnum.pt import nif
from stdnum.us import ssn

from sigilo.redaction.context import CARD, NEGATIVE, PHONE, TAX, ContextIndex

_CF_DIGIT = "[0-9LMNPQRSTUVlmnpqrstuv]"  # omocodia replaces digits with these letters
# Each shape's first character is matched outside its named group, so the regex
# engine skips an alternative on its first character (a named group first defeats that
# check); the value is the whole match.
TAX_RE = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    r"[0-9](?:"
    r"(?P<cnpj>[0-9]\.[0-9]{3}\.[0-9]{3}/[0-9]{4}-[0-9]{2})"
    r"|(?P<cpf>[0-9]{2}(?P<cpfsep>[. ])[0-9]{3}(?P=cpfsep)[0-9]{3}[-. ][0-9]{2}|[0-9]{8}-[0-9]{2})"
    r"|(?P<cuit>[0-9]-[0-9]{8}-[0-9])"
    r"|(?P<rut>[0-9]?\.[0-9]{3}\.[0-9]{3}-[0-9Kk])"
    r"|(?P<rutdash>[0-9]{6,7}-?[Kk]|[0-9]{6,7}-[0-9])"
    r"|(?P<dni>[0-9]\.[0-9]{3}\.[0-9]{3}-?[A-Za-z]|[0-9]{7}[ -]?[A-Za-z])"
    r"|(?P<ssn>[0-9]{2}(?P<ssnsep>[- ])[0-9]{2}(?P=ssnsep)[0-9]{4})"
    r"|(?P<spaced9>[0-9]{2} [0-9]{3} [0-9]{3})"
    r"|(?P<digits>[0-9]{7,13})"
    r")"
    r"|[XYZxyz](?P<nie>[ -]?[0-9]{7}[ -]?[A-Za-z])"
    r"|[ABCDEFGHJNPQRSUVWabcdefghjnpqrsuvw](?P<cif>[ -]?[0-9]{7}[ -]?[0-9A-Ja-j])"
    rf"|[A-Za-z](?P<cf>[A-Za-z]{{5}}{_CF_DIGIT}{{2}}[A-Za-z]{_CF_DIGIT}{{2}}[A-Za-z]{_CF_DIGIT}{{3}}[A-Za-z])"
    r"|[A-Za-z&Ññ](?P<rfc>[A-Za-z&Ññ]{2,3}[0-9]{6}[A-Za-z0-9]{3})"
    r")(?![0-9A-Za-z])"
)

# A number, or text redacted in an earlier pass (the engine masks it with NUL), between
# a document word and a candidate means the word named that other value.
_VALUE_RE = re.compile(r"[0-9\x00]")

# How far (in characters) a context word may stand from the number it names.
_BEFORE = 40
_AFTER = 25

# Which kinds a specific context word points to, in order of preference.
_HINTS: dict[str, tuple[str, ...]] = {
    "cpf": ("br.cpf",),
    "cnpj": ("br.cnpj",),
    "nif": ("pt.nif", "es.dni", "es.nie", "es.cif"),
    "contribuinte": ("pt.nif",),
    "dni": ("es.dni",),
    "nie": ("es.nie",),
    "cif": ("es.cif",),
    "cuit": ("ar.cuit",),
    "cuil": ("ar.cuit",),
    "rut": ("cl.rut",),
    "rfc": ("mx.rfc",),
    "ssn": ("us.ssn",),
    "social security": ("us.ssn",),
    "social security number": ("us.ssn",),
}


class TaxHit(NamedTuple):
    """A tax id found in the normalised text."""

    start: int
    end: int
    kind: str
    hinted: bool  # a context word names a document right next to it


def _mod11_cpf(d: str) -> bool:
    # Cheap CPF check first: stdnum confirms, but costs ~15 µs per call.
    if len(set(d)) == 1:
        return False
    s = sum(int(d[i]) * (10 - i) for i in range(9))
    c1 = (s * 10 % 11) % 10
    s = sum(int(d[i]) * (11 - i) for i in range(10))
    c2 = (s * 10 % 11) % 10
    return c1 == int(d[9]) and c2 == int(d[10])


def _mod11_cnpj(d: str) -> bool:
    w1 = (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
    c1 = 11 - sum(int(x) * w for x, w in zip(d[:12], w1, strict=True)) % 11
    c1 = 0 if c1 >= 10 else c1
    w2 = (6, *w1)
    c2 = 11 - sum(int(x) * w for x, w in zip(d[:13], w2, strict=True)) % 11
    c2 = 0 if c2 >= 10 else c2
    return c1 == int(d[12]) and c2 == int(d[13])


def _is_cpf(v: str) -> bool:
    d = v.replace(".", "").replace("-", "").replace(" ", "")
    return len(d) == 11 and _mod11_cpf(d) and cpf.is_valid(d)


def _is_cnpj(v: str) -> bool:
    d = v.replace(".", "").replace("-", "").replace("/", "")
    return len(d) == 14 and _mod11_cnpj(d) and cnpj.is_valid(d)


def _is_dni_without_letter(v: str) -> bool:
    # No check letter to confirm: only reached when a context word names the DNI.
    return len(v) == 8 and v.isdigit()


_VALIDATORS: dict[str, Callable[[str], bool]] = {
    "br.cpf": _is_cpf,
    "br.cnpj": _is_cnpj,
    "ar.cuit": cuit.is_valid,
    "cl.rut": rut.is_valid,
    "es.dni": dni.is_valid,
    "es.nie": nie.is_valid,
    "es.cif": cif.is_valid,
    "pt.nif": nif.is_valid,
    "it.codicefiscale": codicefiscale.is_valid,
    "mx.rfc": lambda v: rfc.is_valid(v, validate_check_digits=True),
    "us.ssn": ssn.is_valid,
}

# Per shape: kinds valid on check digits alone, and kinds that also need a context word.
_SHAPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "cnpj": (("br.cnpj",), ()),
    "cpf": (("br.cpf",), ()),
    "cuit": (("ar.cuit",), ()),
    "rut": (("cl.rut",), ()),
    # "94053691K" is also a DNI: K is one of its check letters.
    "rutdash": (("es.dni",), ("cl.rut",)),
    "dni": (("es.dni",), ()),
    "nie": (("es.nie",), ()),
    "cif": (("es.cif",), ()),
    "cf": (("it.codicefiscale",), ()),
    "rfc": (("mx.rfc",), ()),
    "ssn": ((), ("us.ssn",)),
    "spaced9": ((), ("pt.nif",)),
}
_DIGITS: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {
    8: ((), ("cl.rut", "es.dni")),
    9: ((), ("pt.nif", "cl.rut", "us.ssn")),
    11: (("br.cpf",), ("ar.cuit",)),
    14: (("br.cnpj",), ()),
}


def _order(kinds: tuple[str, ...], hint: str | None) -> tuple[str, ...]:
    preferred = _HINTS.get(hint or "")
    if preferred is None or len(kinds) < 2:
        return kinds  # nothing to reorder (the usual case)
    return tuple(k for k in preferred if k in kinds) + tuple(k for k in kinds if k not in preferred)


def _hint(text: str, ctx: ContextIndex, start: int, end: int) -> str | None:
    """The document word that names this candidate: nearby, with no number in between."""
    word_end = ctx.before_end(TAX, start, _BEFORE)
    if word_end >= 0 and _VALUE_RE.search(text, word_end, start) is None:
        return ctx.before(TAX, start, _BEFORE)
    word = ctx.after(TAX, end, _AFTER)
    if word is not None:
        word_start = ctx.after_start(TAX, end, _AFTER)
        if _VALUE_RE.search(text, end, word_start) is None:
            return word
    return None


def find_tax_ids(text: str, ctx: ContextIndex) -> Iterator[TaxHit]:
    """Yields tax ids in ``text``, each confirmed by its check digits."""
    has_tax_words = ctx.has(TAX)
    for m in TAX_RE.finditer(text):
        shape = m.lastgroup or ""
        value = m.group()
        if shape == "digits":
            alone, with_context = _DIGITS.get(len(value), ((), ()))
        else:
            alone, with_context = _SHAPES[shape]
        start, end = m.span()
        hint = _hint(text, ctx, start, end) if has_tax_words else None
        if hint is None:
            kinds = alone
        elif hint in _HINTS:
            # "NIF 123456780" may only be a NIF: a specific word narrows the bare kinds.
            kinds = alone + tuple(k for k in with_context if k in _HINTS[hint])
        else:
            kinds = alone + with_context
        if not kinds:
            continue
        # A bare run after "order"/"protocolo", "phone" or "card" is that, not a tax id.
        if (
            shape == "digits"
            and hint is None
            and (
                ctx.before(NEGATIVE, start, 30)
                or ctx.near(PHONE, start, end, 30, 3)
                or ctx.before(CARD, start, 30)
            )
        ):
            continue
        for kind in _order(kinds, hint):
            if kind == "es.dni" and shape == "digits":
                ok = hint in ("dni", "documento", "doc") and _is_dni_without_letter(value)
            else:
                ok = _VALIDATORS[kind](value)
            if ok:
                yield TaxHit(start, end, kind, hint is not None)
                break
