"""Card checks used by the card form."""

from datetime import date

import pytest

from sigilo.payment_cards import (
    card_brand,
    check_card_number,
    check_cvc,
    cvc_length,
    luhn_valid,
    parse_expiry,
)

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4242 4242 4242 4242", "visa"),
        ("4111-1111-1111-1111", "visa"),
        ("5555555555554444", "mastercard"),
        ("2223003122003222", "mastercard"),
        ("378282246310005", "amex"),
        ("6011111111111117", "discover"),
        ("3566002020360505", "jcb"),
        ("36227206271667", "diners"),
        ("6362970000457013", "elo"),
        ("6062825624254001", "hipercard"),
        ("6759649826438453", "maestro"),
    ],
)
def test_valid_numbers_get_their_brand(number: str, brand: str) -> None:
    check = check_card_number(number)
    assert check.reason is None
    assert check.brand == brand
    assert check.last4 == number.replace(" ", "").replace("-", "")[-4:]


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("4242 4242 4242 4241", "luhn"),
        ("4242", "length"),
        ("4242 4242 4242 4242 4242 42", "length"),
        ("abcd efgh ijkl mnop", "length"),
        ("", "length"),
        ("9999999999999995", "brand"),
    ],
)
def test_invalid_numbers_say_why(number: str, reason: str) -> None:
    check = check_card_number(number)
    assert check.reason == reason
    assert check.digits == ""


def test_luhn() -> None:
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")
    assert not luhn_valid("7992a398713")


def test_brand_needs_the_right_length() -> None:
    assert card_brand("37828224631000") is None  # amex is 15 digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/28", (12, 2028)),
        ("03/2029", (3, 2029)),
        ("3/29", (3, 2029)),
        ("11/26", (11, 2026)),
        ("10/26", "past"),
        ("01/2020", "past"),
        ("13/28", "format"),
        ("00/28", "format"),
        ("tomorrow", "format"),
        # Two-digit years are 20xx; 2099 is beyond any real card's life.
        ("12/99", "format"),
        ("12/2099", "format"),
    ],
)
def test_expiry(text: str, expected: object) -> None:
    assert parse_expiry(text, TODAY) == expected


def test_security_code_length_depends_on_brand() -> None:
    assert cvc_length("amex") == 4
    assert cvc_length("visa") == 3
    assert check_cvc("123", "visa") == "123"
    assert check_cvc("1234", "visa") is None
    assert check_cvc("1234", "amex") == "1234"
    assert check_cvc("12a", "visa") is None
