"""Passwords, security codes and expiry dates named by context (es/pt/en)."""

from __future__ import annotations

import pytest

from sigilo.redaction import redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my password is Hunter2!", "my password is [password]"),
        ("password: s3cr3t", "password: [password]"),
        ("pass: abc123", "pass: [password]"),
        ("mi contraseña es Perro1234", "mi contraseña es [password]"),
        ("la clave: 9f8e7d", "la clave: [password]"),
        ("minha senha é gatoVerde#1", "minha senha é [password]"),
        ('a senha é "abc def"', 'a senha é "[password]"'),
        ("senha: abc123, obrigado", "senha: [password], obrigado"),
    ],
)
def test_passwords(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the password is wrong",
        "a senha está errada",
        "la contraseña es incorrecta",
        "I forgot my password",
        "reset password please",
    ],
)
def test_password_talk_without_a_password_survives(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cvv 123", "cvv [security code]"),
        ("CVC: 1234", "CVC: [security code]"),
        ("o código de segurança é 987", "o código de segurança é [security code]"),
        ("codigo de seguridad 456", "codigo de seguridad [security code]"),
        ("security code is 321", "security code is [security code]"),
    ],
)
def test_security_codes(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("validade 12/28", "validade [expiry]"),
        ("exp 03/2030", "exp [expiry]"),
        ("expiry: 7/29", "expiry: [expiry]"),
        ("validez 02-32", "validez [expiry]"),
        ("tarjeta con vencimiento 11/27", "tarjeta con vencimiento [expiry]"),
    ],
)
def test_expiry(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "a fatura vence 10/12",  # an invoice due date, no card in the message
        "vencimiento de la factura 05/26",
        "validade 10/12/2026",  # a full date is not a card expiry
        "cvv? where do I find it",
        "order 123 cvv",
    ],
)
def test_dates_and_talk_survive(text: str) -> None:
    assert redact(text) == text
