"""E-mail, IBAN and phone numbers in es/pt/en, with look-alikes."""

from __future__ import annotations

import pytest

from sigilo.redaction import EMAIL, IBAN, PHONE, find, redact


def _of(text: str, etype: str) -> list[str]:
    return [text[f.start : f.end] for f in find(text) if f.type == etype]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("meu email é joao.silva@gmail.com", "joao.silva@gmail.com"),
        (
            "escríbeme a maria_lopez+compras@empresa.com.mx gracias",
            "maria_lopez+compras@empresa.com.mx",
        ),
        ("mail: JOHN.SMITH@OUTLOOK.COM.", "JOHN.SMITH@OUTLOOK.COM"),
    ],
)
def test_emails(text: str, value: str) -> None:
    assert _of(text, EMAIL) == [value]


@pytest.mark.parametrize("text", ["user@localhost", "a@b.c1", "twitter @handle", "x@y"])
def test_not_emails(text: str) -> None:
    assert _of(text, EMAIL) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("IBAN ES91 2100 0418 4502 0005 1332 por favor", "ES91 2100 0418 4502 0005 1332"),
        ("conta PT50000201231234567890154", "PT50000201231234567890154"),
        ("my iban is gb82west12345698765432", "gb82west12345698765432"),
        ("DE89 3704 0044 0532 0130 00.", "DE89 3704 0044 0532 0130 00"),
    ],
)
def test_ibans(text: str, value: str) -> None:
    assert _of(text, IBAN) == [value]
    assert "[iban]" in redact(text)


def test_iban_with_wrong_check_digits_survives() -> None:
    assert _of("IBAN ES92 2100 0418 4502 0005 1332", IBAN) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("meu celular é (11) 98765-4321", "(11) 98765-4321"),
        ("liga no +55 11 9 8765-4321", "+55 11 9 8765-4321"),
        ("whats 11987654321 vlw", "11987654321"),
        ("mi móvil es 612 345 678", "612 345 678"),
        ("llámame al +34 612 34 56 78", "+34 612 34 56 78"),
        ("telemóvel 912 345 678", "912 345 678"),
        ("chiamami al 347 123 4567", "347 123 4567"),
        ("mi cel 55 1234 5678", "55 1234 5678"),
        ("mi número +54 9 11 2345-6789", "+54 9 11 2345-6789"),
        ("celular +56 9 6123 4567", "+56 9 6123 4567"),
        ("call me at (202) 555-0143", "(202) 555-0143"),
        ("reach me at +1-415-555-2671", "+1-415-555-2671"),
        ("Phone: 0490 75 40 81", "0490 75 40 81"),  # foreign, but named
        ("Fax: 345-899-3560x4587", "345-899-3560x4587"),
        ("(37) 788-063-Office", "(37) 788-063"),
    ],
)
def test_phones(text: str, value: str) -> None:
    assert _of(text, PHONE) == [value]


@pytest.mark.parametrize(
    "text",
    [
        "pedido 5512345678",
        "a fatura vence 10/12/2026",
        "on 2026-12-10 at 10:30",
        "server 192.168.100.200",
        "valor R$ 1.234.567",
        "total 1.234.567,89",
        "ticket 1234567",
        "cpf 351.070.785-09",  # a CPF with wrong digits is not a phone either
        "call 1 1 1 1 1 1 1 1",
    ],
)
def test_phone_look_alikes_survive(text: str) -> None:
    assert _of(text, PHONE) == []
