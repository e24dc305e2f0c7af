"""Normalisation, offsets, overlaps, labels, the public API."""

from __future__ import annotations

import pytest

from sigilo.redaction import (
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
    find,
    redact,
)
from sigilo.redaction.normalize import normalize


def test_entity_type_constants() -> None:
    assert {CREDIT_CARD, SECURITY_CODE, EXPIRY, TAX_ID, IBAN, EMAIL, PHONE, PASSWORD} == set(
        ENTITY_TYPES
    )


@pytest.mark.parametrize(
    "text",
    [
        "card ４１１１ １１１１ １１１１ １１１１ ok",  # full-width digits
        "card 4111\u200b1111\u200b1111\u200b1111 ok",  # zero-width spaces
        "card ٤١١١١١١١١١١١١١١١ ok",  # Arabic-Indic digits
        "card 4111\u20131111\u20131111\u20131111 ok",  # en dashes
        "card 4111\u00ad111111111111 ok",  # soft hyphen
    ],
)
def test_unicode_digits_cannot_slip_past(text: str) -> None:
    [f] = find(text)
    assert (f.type, f.brand, f.last4) == (CREDIT_CARD, "visa", "1111")
    # Offsets point into the original text, whose length differs from the normalised one.
    assert text[f.start : f.end].strip() == text[5:-3].strip()
    assert redact(text) == "card [card visa ••••1111] ok"


def test_offsets_after_characters_that_expand() -> None:
    text = "ﬁle ㎏ cpf ５２９.９８２.２４７-２５ ﬁn"
    [f] = find(text)
    assert text[f.start : f.end] == "５２９.９８２.２４７-２５"
    assert redact(text) == "ﬁle ㎏ cpf [tax id] ﬁn"


def test_normalize_map() -> None:
    norm = normalize("a\u200bb①c")
    assert norm.text == "ab1c"
    assert norm.span(1, 3) == (2, 4)
    assert normalize("plain ascii").src is None


def test_finding_fields_and_labels() -> None:
    text = "cpf 529.982.247-25, card 5555555555554444, a@b.com"
    cpf, card, email = find(text)
    assert cpf == Finding(TAX_ID, 4, 18, kind="br.cpf")
    assert (card.brand, card.last4, card.label) == (
        "mastercard",
        "4444",
        "[card mastercard ••••4444]",
    )
    assert email.label == "[email]"


def test_surrounding_text_is_untouched() -> None:
    text = "Olá!  Meu e-mail:\tjoao@x.com.br — obrigado 😊"
    assert redact(text) == "Olá!  Meu e-mail:\t[email] — obrigado 😊"


def test_overlaps_card_beats_phone_and_iban_keeps_its_digits() -> None:
    assert redact("tel 4111 1111 1111 1111") == "tel [card visa ••••1111]"
    # A Luhn-valid stretch inside an IBAN is part of the IBAN.
    text = "IBAN PT43 6502 0146 2016 8493 4072 2"
    out = redact(text)
    if "[iban]" not in out:  # only when the IBAN itself is valid
        assert find(text) == []


def test_types_filter_and_unknown_type() -> None:
    text = "a@b.com 4111111111111111"
    assert [f.type for f in find(text, [EMAIL])] == [EMAIL]
    assert redact(text, {CREDIT_CARD}) == "a@b.com [card visa ••••1111]"
    with pytest.raises(ValueError, match="NOPE"):
        find(text, {"NOPE"})


def test_already_redacted_text_is_stable() -> None:
    once = redact("password: x1 cvv 123 card 4111111111111111 12/28 cpf 52998224725")
    assert redact(once) == once
    assert "[password]" in once and "[security code]" in once and "[expiry]" in once


def test_company_data_survives() -> None:
    text = (
        "Fatura F-2026-0012 de R$ 129,90 vence em 2026-12-10; pedido INV-000123, "
        "protocolo 20260512, rastreio LB123456789BR, 3 parcelas de $1,234.56 às 10:30"
    )
    assert redact(text) == text


def test_empty_and_whitespace() -> None:
    assert find("") == []
    assert redact("   ") == "   "


def test_typed_labels_for_every_entity() -> None:
    text = (
        "card 4242 4242 4242 4242 12/28 123, cpf 529.982.247-25, "
        "IBAN ES91 2100 0418 4502 0005 1332, a@b.com, tel (11) 98765-4321, senha: gato1"
    )
    assert redact(text) == (
        "card [card visa ••••4242] [expiry] [security code], cpf [tax id], "
        "IBAN [iban], [email], tel [phone], senha: [password]"
    )
