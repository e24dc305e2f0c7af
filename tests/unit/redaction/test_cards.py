"""Payment cards: brands, formats, Luhn, and look-alikes that must survive."""

from __future__ import annotations

import pytest

from sigilo.redaction import CREDIT_CARD, EXPIRY, SECURITY_CODE, find, redact
from sigilo.redaction.cards import brand_of, luhn_ok


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4111111111111111", "visa"),
        ("4222222222222", "visa"),
        ("4131034282458809939", "visa"),
        ("5555555555554444", "mastercard"),
        ("2223003122003222", "mastercard"),
        ("2720992720992729", "mastercard"),
        ("378282246310005", "amex"),
        ("6011111111111117", "discover"),
        ("3530111333300000", "jcb"),
        ("180016070420458", "jcb"),
        ("30569309025904", "diners"),
        ("6363680000457082", "elo"),
        ("6062825624254001", "hipercard"),
        ("630427373398", "maestro"),
    ],
)
def test_brands_from_iin_and_length(number: str, brand: str) -> None:
    assert luhn_ok(number)
    assert brand_of(number) == brand
    [f] = find(f"card: {number}")
    assert (f.type, f.brand, f.last4) == (CREDIT_CARD, brand, number[-4:])
    # The typed replacement names the brand and keeps only the last four digits.
    assert redact(f"card: {number}") == f"card: [card {brand} ••••{number[-4:]}]"


@pytest.mark.parametrize(
    "text",
    [
        "meu cartão é 4111 1111 1111 1111",
        "mi tarjeta 4111-1111-1111-1111 gracias",
        "card 4111.1111.1111.1111",
        "4111 - 1111 - 1111 - 1111",
        "amex 3782 822463 10005",
        "numero 4111111111111111.",
    ],
)
def test_grouped_and_plain_formats(text: str) -> None:
    out = redact(text)
    assert "[card " in out
    assert "1111 1111" not in out and "4111" not in out.replace("••••1111", "")


def test_label_keeps_sentence_readable() -> None:
    assert redact("pay with 4242 4242 4242 4242 please") == "pay with [card visa ••••4242] please"


def test_unknown_brand_luhn_valid_is_still_a_card() -> None:
    [f] = find("número 9999999999999995")
    assert (f.brand, f.last4) == ("unknown", "9995")
    assert redact("número 9999999999999995") == "número [card unknown ••••9995]"


@pytest.mark.parametrize(
    "text",
    [
        "cartão 4111 1111 1111 1112 deu erro",  # Luhn fails
        "the card 5555555555554440 was declined",
        "pedido 20261234567894",  # order and protocol numbers failing Luhn
        "protocolo 2026000011118",
        "my number is +5511961294130",  # a phone, not a card
        "valor R$ 4.111.111,11",
    ],
)
def test_look_alikes_survive(text: str) -> None:
    assert not [f for f in find(text) if f.type == CREDIT_CARD]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4111 1111 1111 1111 123", "[card visa ••••1111] [security code]"),
        ("4111111111111111 12/28 123", "[card visa ••••1111] [expiry] [security code]"),
        ("4111111111111111, 123, 12/2028", "[card visa ••••1111], [security code], [expiry]"),
        (
            "tarjeta 5555555555554444 06-30 4321",
            "tarjeta [card mastercard ••••4444] [expiry] [security code]",
        ),
    ],
)
def test_code_and_expiry_right_after_a_card(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_luhn_valid_protocol_number_is_protected_anyway() -> None:
    # When in doubt, protect: the label says "unknown", the digits are gone.
    assert redact("protocolo 20261234567893") == "protocolo [card unknown ••••7893]"


def test_card_hidden_in_a_long_run_of_groups_is_found() -> None:
    text = "1 2 3 4 5 6 7 8 9 0 1 2 3 4111 1111 1111 1111 9 8 7"
    assert [(f.type, f.brand) for f in find(text)] == [(CREDIT_CARD, "visa")]


def test_cards_inside_a_long_table_of_numbers_are_found() -> None:
    filler = " ".join(f"{i:04d}" for i in range(1000, 1400))
    text = f"{filler} 5555 5555 5555 4444 {filler}"
    cards = [f for f in find(text) if f.brand == "mastercard"]
    assert len(cards) == 1 and text[cards[0].start : cards[0].end] == "5555 5555 5555 4444"


def test_types_filter() -> None:
    text = "4111111111111111 123"
    assert [f.type for f in find(text, {SECURITY_CODE})] == [SECURITY_CODE]
    assert [f.type for f in find(text, {CREDIT_CARD})] == [CREDIT_CARD]
    assert [f.type for f in find(text, {EXPIRY})] == []
