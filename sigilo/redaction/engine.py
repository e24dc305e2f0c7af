"""The detection pipeline: normalise, find candidates, validate, resolve overlaps."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from itertools import pairwise

from sigilo.redaction import contact, credentials
from sigilo.redaction.cards import find_cards
from sigilo.redaction.context import CVV, EXPIRY_WEAK, ContextIndex, may_mention_password
from sigilo.redaction.context import EXPIRY as EXPIRY_WORD
from sigilo.redaction.context import PASSWORD as PASSWORD_WORD
from sigilo.redaction.findings import (
    CREDIT_CARD,
    EMAIL,
    ENTITY_TYPES,
    EXPIRY,
    IBAN,
    PASSWORD,
    PHONE,
    SECURITY_CODE,
    TAX_ID,
    Finding,
)
from sigilo.redaction.iban import find_ibans
from sigilo.redaction.normalize import Normalized, is_normal, normalize
from sigilo.redaction.tax_ids import find_tax_ids

# Our own placeholders: text that was redacted before is opaque to a new pass.
LABEL_RE = re.compile(
    r"\[(?:card [a-z]+ ••••[0-9]{0,4}|security code|expiry|tax id|iban|email|phone|password)\]"
)
_DIGIT_RE = re.compile(r"[0-9]")

# Overlaps are settled by rank (lower wins), then by length (longer wins), then by
# position, so the result does not depend on detector order.
_RANK = {
    CREDIT_CARD: 0,
    IBAN: 1,
    TAX_ID: 2,
    EMAIL: 4,
    PASSWORD: 5,
    SECURITY_CODE: 6,
    EXPIRY: 7,
    PHONE: 8,
}
# Structures that win over anything found inside them (a Luhn-valid stretch of IBAN
# digits is part of the IBAN); other overlaps go by rank.
_CONTAINERS = frozenset({IBAN, EMAIL, PASSWORD})
# A Luhn-valid run with no known brand is the weakest card evidence: a tax id or a
# phone number over the same digits gives the label (the digits are redacted anyway).
_UNKNOWN_CARD_RANK = 9
# Redaction repeats detection on its own output until nothing new shows up (a label can
# change what is next to a number); in practice one extra pass, this is a safety stop.
_MAX_PASSES = 8
# Past this size (a log file, not a message) one pass is made: the repeat pass costs as
# much again, and redact(redact(x)) == redact(x) is then not guaranteed.
FIXPOINT_MAX_CHARS = 65_536


def _rank(f: Finding) -> int:
    if f.type == CREDIT_CARD and f.brand == "unknown":
        return _UNKNOWN_CARD_RANK
    return _RANK[f.type]


def _resolve(found: list[Finding], size: int) -> list[Finding]:
    """Keeps non-overlapping findings, best first; returns them in text order.

    A finding inside a longer one goes first (the IBAN around a Luhn-valid stretch of
    its digits wins); partial overlaps go by rank, then length, then position.
    """
    if len(found) < 2:
        return found
    found.sort(key=lambda f: (f.start, f.end))
    if all(a.end <= b.start for a, b in pairwise(found)):
        return found  # the usual case: nothing overlaps
    outer: list[Finding] = []
    reach = -1
    for f in sorted(found, key=lambda f: (f.start, -f.end, _rank(f))):
        if f.end <= reach:
            continue  # inside an IBAN, e-mail or password found before
        outer.append(f)
        if f.type in _CONTAINERS:
            reach = max(reach, f.end)
    taken = bytearray(size)
    kept: list[Finding] = []
    for f in sorted(outer, key=lambda f: (_rank(f), f.start - f.end, f.start)):
        if taken.find(1, f.start, f.end) != -1:
            continue
        taken[f.start : f.end] = b"\x01" * (f.end - f.start)
        kept.append(f)
    kept.sort(key=lambda f: f.start)
    return kept


def _mask(m: re.Match[str]) -> str:
    return "\x00" * len(m.group())


def _prepare(text: str) -> tuple[Normalized | None, str]:
    """The normalised text, with our own labels masked by NULs (opaque to detection).

    The first item is ``None`` when the text is already normal (the usual case).
    """
    if is_normal(text):
        norm, t = None, text
    else:
        norm = normalize(text)
        t = norm.text
    if "[" in t and "]" in t:
        t = LABEL_RE.sub(_mask, t)
    return norm, t


def _with_digits(
    t: str, ctx: ContextIndex, enabled: frozenset[str], first_digit: int
) -> list[Finding]:
    """All detectors over a normalised text whose first digit is at ``first_digit``."""
    found: list[Finding] = []
    add = found.append
    cards = list(find_cards(t, ctx, first_digit))
    if CREDIT_CARD in enabled:
        for c in cards:
            add(Finding(CREDIT_CARD, c.start, c.end, brand=c.brand, last4=c.last4))
    if cards and (SECURITY_CODE in enabled or EXPIRY in enabled):
        for kind, s, e in credentials.after_cards(t, [c.end for c in cards]):
            add(Finding(SECURITY_CODE if kind == "cvv" else EXPIRY, s, e))
    if SECURITY_CODE in enabled and ctx.has(CVV):
        for s, e in credentials.find_security_codes(t, ctx):
            add(Finding(SECURITY_CODE, s, e))
    if EXPIRY in enabled and (ctx.has(EXPIRY_WORD) or ctx.has(EXPIRY_WEAK)):
        for s, e in credentials.find_expiries(t, ctx, bool(cards)):
            add(Finding(EXPIRY, s, e))
    ibans: list[tuple[int, int]] = []
    if IBAN in enabled:
        ibans = list(find_ibans(t, first_digit))
        for s, e in ibans:
            add(Finding(IBAN, s, e))
    if TAX_ID in enabled:
        named: set[tuple[int, int]] = set()
        for h in find_tax_ids(t, ctx):
            add(Finding(TAX_ID, h.start, h.end, kind=h.kind))
            if h.hinted:
                named.add((h.start, h.end))
        if named and cards:
            # "CNPJ 58133508000148" also passes Luhn in a Maestro range: the word
            # next to it says which one it is.
            found = [f for f in found if f.type != CREDIT_CARD or (f.start, f.end) not in named]
            add = found.append
    if PHONE in enabled:
        for s, e in contact.find_phones(t, ctx, first_digit, ibans):
            add(Finding(PHONE, s, e))
    if EMAIL in enabled and "@" in t:
        for s, e in contact.find_emails(t):
            add(Finding(EMAIL, s, e))
    if PASSWORD in enabled and ctx.has(PASSWORD_WORD):
        for s, e in credentials.find_passwords(t, ctx):
            add(Finding(PASSWORD, s, e))
    return found


def detect(text: str, enabled: frozenset[str] = ENTITY_TYPES) -> list[Finding]:
    """One detection pass over ``text``; offsets refer to ``text``.

    Args:
        text: the message.
        enabled: entity types to report.

    Returns:
        Non-overlapping findings in text order.
    """
    norm, t = _prepare(text)
    digit = _DIGIT_RE.search(t)
    if digit is None:
        # Only an e-mail or a password can be there: no context index unless needed.
        found: list[Finding] = []
        if EMAIL in enabled and "@" in t:
            found.extend(Finding(EMAIL, s, e) for s, e in contact.find_emails(t))
        if PASSWORD in enabled and may_mention_password(t):
            ctx = ContextIndex(t)
            found.extend(Finding(PASSWORD, s, e) for s, e in credentials.find_passwords(t, ctx))
    else:
        found = _with_digits(t, ContextIndex(t), enabled, digit.start())
    found = [f for f in _resolve(found, len(t)) if f.type in enabled]
    if norm is None or norm.src is None:
        return found
    return _to_original(found, norm.span)


def _to_original(found: list[Finding], span) -> list[Finding]:
    out: list[Finding] = []
    last_end = 0
    for f in found:
        start, end = span(f.start, f.end)
        # One original character may expand to several ("①" is fine, "㎏" is "kg"): if
        # two findings share it, the later one starts after it.
        start = max(start, last_end)
        if start >= end:
            continue
        out.append(_moved(f, start, end))
        last_end = end
    return out


def _moved(f: Finding, start: int, end: int) -> Finding:
    return Finding(f.type, start, end, brand=f.brand, last4=f.last4, kind=f.kind)


def apply(text: str, findings: Iterable[Finding]) -> str:
    """Replaces each finding's span of ``text`` with its label."""
    parts: list[str] = []
    last = 0
    for f in findings:
        parts.append(text[last : f.start])
        parts.append(f.label)
        last = f.end
    parts.append(text[last:])
    return "".join(parts)


def _inert(text: str, findings: list[Finding]) -> bool:
    """Whether detection over ``apply(text, findings)`` is sure to find nothing.

    Every detector but e-mail and password needs an ASCII digit in the normalised,
    label-masked text, e-mail needs an "@". The test runs on the untouched stretches of
    ``text`` joined by a NUL (what a masked label is to detection): normalisation works
    character by character and a label adds no digit and no "@", so a probe without
    them rules out all but the password detector, which then runs on the real redacted
    text if a password word is left (the value after it is now a label, usually).
    """
    parts: list[str] = []
    last = 0
    for f in findings:
        parts.append(text[last : f.start])
        last = f.end
    parts.append(text[last:])
    probe = "\x00".join(parts)
    if not is_normal(probe):
        probe = normalize(probe).text
    if _DIGIT_RE.search(probe) is not None or "@" in probe:
        return False
    if not may_mention_password(probe):
        return True
    _norm, t = _prepare(apply(text, findings))
    return next(credentials.find_passwords(t, ContextIndex(t)), None) is None


def find_all(text: str, enabled: frozenset[str] = ENTITY_TYPES) -> list[Finding]:
    """Detection repeated on the redacted text until stable (see ``_MAX_PASSES``)."""
    findings = detect(text, enabled)
    if len(text) > FIXPOINT_MAX_CHARS:
        return findings
    for _ in range(_MAX_PASSES):
        if not findings or _inert(text, findings):
            return findings
        redacted = apply(text, findings)
        extra = detect(redacted, enabled)
        if not extra:
            return findings
        findings = _merge(text, findings, extra)
    return findings


def _merge(text: str, findings: list[Finding], extra: list[Finding]) -> list[Finding]:
    """Maps findings of the redacted text back to ``text`` and adds them."""
    # Redacted-text start of every unchanged segment, and its offset to the original.
    red_starts: list[int] = []
    shifts: list[int] = []
    red_pos = 0
    orig_pos = 0
    for f in findings:
        red_starts.append(red_pos)
        shifts.append(orig_pos - red_pos)
        red_pos += f.start - orig_pos + len(f.label)
        orig_pos = f.end
    red_starts.append(red_pos)
    shifts.append(orig_pos - red_pos)
    merged = list(findings)
    for f in extra:
        shift = shifts[bisect_right(red_starts, f.start) - 1]
        merged.append(_moved(f, f.start + shift, f.end + shift))
    merged.sort(key=lambda f: f.start)
    return merged
