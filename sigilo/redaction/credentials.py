"""Secrets typed in a message: passwords, card security codes and expiry dates."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from sigilo.redaction.context import CARD, CVV, EXPIRY, EXPIRY_WEAK, PASSWORD, ContextIndex

# What may stand between a context word and its value: "cvv: 123", "cvv is 123",
# "validade é 12/28", "código de seguridad es el 123", "vencimiento de la tarjeta
# 08/27", "expiry date: 04/31". Bounded, so no backtracking.
_GAP = (
    r"[\s:=#.\-]{0,4}(?:(?:is|es|é|e|eh|era|was|are|son|sao|são|do|del|da|de|the|el|la|o|a"
    r"|my|mi|meu|minha|your|tu|su|seu|sua|of|on|card|tarjeta|cartao|cartão|date|fecha|data)"
    r"[\s:=#.\-]{1,4}){0,3}"
)
_EXPIRY_VALUE = r"(?:0?[1-9]|1[0-2])\s?[/\-.]\s?(?:20[0-9]{2}|[0-9]{2})"

CVV_VALUE_RE = re.compile(_GAP + r"([0-9]{3,4})(?![0-9/])", re.IGNORECASE)
EXPIRY_VALUE_RE = re.compile(_GAP + r"(?<![0-9/])(" + _EXPIRY_VALUE + r")(?![0-9/])", re.IGNORECASE)
# Right after a card number: separators only, then a security code or an expiry.
AFTER_CARD_RE = re.compile(
    r"[\s,;|.\-]{1,3}(?:(?P<exp>" + _EXPIRY_VALUE + r")|(?P<cvv>[0-9]{3,4}))(?![0-9/])"
)

# "password: x", "password is x", "senha é x", "contraseña = x", quoted or not. \x00 is
# what the engine puts over text already redacted, so it never starts a value.
PASSWORD_VALUE_RE = re.compile(
    r"(?:\s*(?::|=|-|\bis\b|\bes\b|\bé\b|\be\b|\beh\b|\bera\b|\bwas\b|\bsera\b|\bserá\b)){1,2}\s*"
    r"(?:\"(?P<dq>[^\"\n\x00]{1,64})\"|'(?P<sq>[^'\n\x00]{1,64})'|“(?P<cq>[^”\n\x00]{1,64})”"
    r"|(?P<bare>[^\s\x00\"'“]{1,64}))",
    re.IGNORECASE,
)
# Words that follow "the password is" without being a password.
_NOT_A_PASSWORD = frozenset(
    {
        "wrong",
        "incorrect",
        "invalid",
        "not",
        "correct",
        "right",
        "blocked",
        "locked",
        "expired",
        "too",
        "the",
        "a",
        "an",
        "my",
        "your",
        "same",
        "different",
        "new",
        "old",
        "ok",
        "okay",
        "fine",
        "required",
        "needed",
        "missing",
        "empty",
        "weak",
        "strong",
        "reset",
        "changed",
        "what",
        "which",
        "incorrecta",
        "incorrecto",
        "invalida",
        "inválida",
        "mala",
        "no",
        "la",
        "el",
        "mi",
        "su",
        "tu",
        "correcta",
        "nueva",
        "antigua",
        "diferente",
        "muy",
        "bloqueada",
        "caducada",
        "vencida",
        "obligatoria",
        "cual",
        "cuál",
        "errada",
        "incorreta",
        "nao",
        "não",
        "minha",
        "sua",
        "meu",
        "nova",
        "antiga",
        "correta",
        "muito",
        "expirada",
        "obrigatoria",
        "obrigatória",
        "qual",
    }
)
# Sentence punctuation after a bare password; "!" and "?" stay in (they are common in
# passwords, and leaking one is worse than hiding one).
_TRAILING = ".,;"


def find_passwords(text: str, ctx: ContextIndex) -> Iterator[tuple[int, int]]:
    """Yields ``(start, end)`` of values typed after a password word."""
    for _start, word_end, _word in ctx.words(PASSWORD):
        m = PASSWORD_VALUE_RE.match(text, word_end)
        if m is None:
            continue
        group = next(g for g in ("dq", "sq", "cq", "bare") if m.group(g) is not None)
        start, end = m.span(group)
        if group == "bare":
            while end > start and text[end - 1] in _TRAILING:
                end -= 1
            if end == start or text[start:end].lower() in _NOT_A_PASSWORD:
                continue
        yield start, end


def find_security_codes(text: str, ctx: ContextIndex) -> Iterator[tuple[int, int]]:
    """Yields ``(start, end)`` of 3–4 digit codes right after a security-code word."""
    for _start, word_end, _word in ctx.words(CVV):
        m = CVV_VALUE_RE.match(text, word_end)
        if m is not None:
            yield m.span(1)


def find_expiries(text: str, ctx: ContextIndex, card_in_message: bool) -> Iterator[tuple[int, int]]:
    """Yields ``(start, end)`` of MM/YY or MM/YYYY dates after an expiry word.

    "vencimiento"/"vencimento" also name invoice due dates, so they count only when the
    message is about a card (a card word or a card number in it).
    """
    words = list(ctx.words(EXPIRY))
    if card_in_message or ctx.has(CARD) or ctx.has(CVV):
        words += ctx.words(EXPIRY_WEAK)
    for _start, word_end, _word in words:
        m = EXPIRY_VALUE_RE.match(text, word_end)
        if m is not None:
            yield m.span(1)


def after_cards(text: str, card_ends: Iterable[int]) -> Iterator[tuple[str, int, int]]:
    """Yields ``(kind, start, end)`` for a code and/or expiry typed right after a card.

    ``kind`` is ``"cvv"`` or ``"exp"``. Both orders are accepted: "4242… 123 12/28" and
    "4242… 12/28 123".
    """
    for pos in card_ends:
        for _ in range(3):  # code, expiry, and a code again ("… 123 12/28 123")
            m = AFTER_CARD_RE.match(text, pos)
            if m is None:
                break
            kind = m.lastgroup or "cvv"
            yield kind, m.start(kind), m.end(kind)
            pos = m.end()
