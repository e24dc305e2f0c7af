"""Property-based tests: no crash, idempotent, no card left, text outside kept, and the
shortcuts (no repeat pass, the fast IBAN check) equal the slow way."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.es import ccc as stdnum_ccc

from sigilo.redaction import Finding, engine, find, redact
from sigilo.redaction.iban import _IBAN_LENGTHS, iban_valid
from sigilo.redaction.normalize import normalize

# Fragments that put entities, look-alikes and tricky neighbours next to each other.
_FRAGMENTS = st.sampled_from(
    [
        "4111111111111111", "4111 1111 1111 1111", "5555-5555-5555-4444", "378282246310005",
        "9999999999999995", "123", "12/28", "cvv", "cpf", "nif", "dni", "senha:", "password is",
        "529.982.247-25", "52998224725", "12345678Z", "X1234567L", "RSSMRA85T10A562S",
        "ES91 2100 0418 4502 0005 1332", "a@b.com", "joao.silva@gmail.com", "(11) 98765-4321",
        "+55 11 98765-4321", "612 345 678", "tel", "pedido", "F-2026-0012", "R$ 1.234,56",
        "[email]", "[card visa ••••4242]", "[tax id]", " ", "  ", ",", ".", "-", "/", "\n",
        "x", "é", "４", "\u200b", "①", "ﬁ", "+", "(", ")", ":", "0", "7",
    ]
)  # fmt: skip
_TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(_FRAGMENTS, max_size=12).map("".join),
    st.lists(st.one_of(_FRAGMENTS, st.text(max_size=3)), max_size=10).map("".join),
)
_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(_TEXT)
def test_never_raises_and_is_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


@_SETTINGS
@given(_TEXT)
def test_no_luhn_valid_card_run_survives(text: str) -> None:
    # Digit runs as the redactor sees them (after NFKC and folding of Unicode digits),
    # standing alone: a run with letters glued on ("U6292878…") is a code, not a card.
    out = normalize(redact(text)).text
    for run in re.findall(r"(?<![^\W_])[0-9]{13,19}(?![^\W_])", normalize(text).text):
        if luhn.is_valid(run):
            assert re.search(rf"(?<![^\W_]){run}(?![^\W_])", out) is None


@_SETTINGS
@given(_TEXT)
def test_text_outside_findings_is_unchanged(text: str) -> None:
    findings = find(text)
    out = redact(text)
    pos = 0
    rebuilt = []
    for f in findings:
        assert pos <= f.start < f.end <= len(text)
        rebuilt.append(text[pos : f.start])
        rebuilt.append(f.label)
        pos = f.end
    rebuilt.append(text[pos:])
    assert "".join(rebuilt) == out
    untouched = sum(f.end - f.start for f in findings)
    assert len(out) == len(text) - untouched + sum(len(f.label) for f in findings)


def _fixpoint(text: str) -> list[Finding]:
    """Detection repeated on the redacted text until nothing new, with no shortcut."""
    findings = engine.detect(text)
    for _ in range(8):
        if not findings:
            break
        extra = engine.detect(engine.apply(text, findings))
        if not extra:
            break
        findings = engine._merge(text, findings, extra)
    return findings


@_SETTINGS
@given(_TEXT)
def test_skipping_the_repeat_pass_changes_nothing(text: str) -> None:
    # find() skips the repeat pass when the redacted text has no digit, "@" or password
    # value left; that must give what the full repeat would.
    assert find(text) == _fixpoint(text)


_IBAN_COUNTRIES = [*sorted(_IBAN_LENGTHS), "ES", "BE", "NO", "ME", "PT", "XX"]


@st.composite
def _iban_like(draw: st.DrawFn) -> str:
    country = draw(st.sampled_from(_IBAN_COUNTRIES))
    size = _IBAN_LENGTHS.get(country, 20) - 4 + draw(st.sampled_from([0, 0, 0, -1, 1]))
    alphabet = draw(st.sampled_from(["0123456789", "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"]))
    bban = draw(st.text(alphabet, min_size=max(size, 1), max_size=max(size, 1)))
    if draw(st.booleans()):
        check = stdnum_iban.calc_check_digits(country + "00" + bban)
    else:
        check = f"{draw(st.integers(0, 99)):02d}"
    return country + check + bban


@settings(max_examples=3000, deadline=None)
@given(_iban_like())
def test_iban_check_agrees_with_stdnum(compact: str) -> None:
    assert iban_valid(compact) == stdnum_iban.is_valid(compact)


def test_iban_check_agrees_with_stdnum_on_valid_spanish_accounts() -> None:
    # Spain's account check digits (CCC) are redone here: valid ones must pass.
    for bank, branch, account in [("2100", "0418", "0200051332"), ("0049", "1500", "2710151321")]:
        ccc = bank + branch + "00" + account
        ccc = bank + branch + stdnum_ccc.calc_check_digits(ccc) + account
        iban = "ES" + stdnum_iban.calc_check_digits("ES00" + ccc) + ccc
        assert stdnum_iban.is_valid(iban) and iban_valid(iban)
