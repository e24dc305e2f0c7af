"""Every entity in es, pt and en: a positive and a look-alike each, exact output."""

from __future__ import annotations

import pytest

from sigilo.redaction import find, redact

# (entity, language, message, expected redaction); a look-alike expects no change.
CASES = [
    ("CREDIT_CARD", "es", "mi tarjeta es 4242 4242 4242 4242, gracias",
     "mi tarjeta es [card visa ••••4242], gracias"),
    ("CREDIT_CARD", "es", "mi tarjeta 4242 4242 4242 4241 no pasa", None),
    ("CREDIT_CARD", "pt", "o número do cartão é 5555-5555-5555-4444",
     "o número do cartão é [card mastercard ••••4444]"),
    ("CREDIT_CARD", "pt", "o pedido 5555555555554440 não chegou", None),
    ("CREDIT_CARD", "en", "my amex is 3782 822463 10005", "my amex is [card amex ••••0005]"),
    ("CREDIT_CARD", "en", "order 4111111111111112 shipped, total $4,111.11", None),
    ("SECURITY_CODE", "es", "el código de seguridad es 482",
     "el código de seguridad es [security code]"),
    ("SECURITY_CODE", "es", "el pedido 482 llegó", None),
    ("SECURITY_CODE", "pt", "o código de segurança do cartão é 913",
     "o código de segurança do cartão é [security code]"),
    ("SECURITY_CODE", "pt", "o código do pedido é 913", None),
    ("SECURITY_CODE", "en", "security code 7302", "security code [security code]"),
    ("SECURITY_CODE", "en", "room 302 please", None),
    ("EXPIRY", "es", "vencimiento de la tarjeta 08/27", "vencimiento de la tarjeta [expiry]"),
    ("EXPIRY", "es", "vencimiento de la factura 08/27", None),
    ("EXPIRY", "pt", "validade do cartão 11/29", "validade do cartão [expiry]"),
    ("EXPIRY", "pt", "a fatura vence 11/29", None),
    ("EXPIRY", "en", "expiry date: 04/2031", "expiry date: [expiry]"),
    ("EXPIRY", "en", "exp 04/20/2031 was the delivery date", None),
    ("TAX_ID", "es", "mi NIE es X1234567L", "mi NIE es [tax id]"),
    ("TAX_ID", "es", "mi DNI es 12345678A", None),
    ("TAX_ID", "pt", "meu CPF é 529.982.247-25", "meu CPF é [tax id]"),
    ("TAX_ID", "pt", "meu CPF é 529.982.247-26", None),
    ("TAX_ID", "en", "my SSN is 460-89-9847", "my SSN is [tax id]"),
    ("TAX_ID", "en", "part number 460-89-9847", None),
    ("IBAN", "es", "mi IBAN es ES91 2100 0418 4502 0005 1332", "mi IBAN es [iban]"),
    ("IBAN", "es", "mi IBAN es ES92 2100 0418 4502 0005 1332", None),
    ("IBAN", "pt", "o IBAN é PT50 0002 0123 1234 5678 9015 4", "o IBAN é [iban]"),
    ("IBAN", "pt", "o IBAN é PT50 0002 0123 1234 5678 9015 5", None),
    ("IBAN", "en", "IBAN GB82 WEST 1234 5698 7654 32", "IBAN [iban]"),
    ("IBAN", "en", "IBAN GB82 WEST 1234 5698 7654 33", None),
    ("EMAIL", "es", "escríbeme a lucia.gomez@correo.es", "escríbeme a [email]"),
    ("EMAIL", "es", "sígueme en @lucia_gomez", None),
    ("EMAIL", "pt", "meu e-mail é ana@empresa.com.br.", "meu e-mail é [email]."),
    ("EMAIL", "pt", "o site é empresa.com.br", None),
    ("EMAIL", "en", "email me at j.doe+shop@example.co.uk", "email me at [email]"),
    ("EMAIL", "en", "user@localhost is not an address", None),
    ("PHONE", "es", "mi móvil es 612 345 678", "mi móvil es [phone]"),
    ("PHONE", "es", "el pedido 612345678 no llegó", None),
    ("PHONE", "pt", "meu celular é (11) 98765-4321", "meu celular é [phone]"),
    ("PHONE", "pt", "paguei R$ 1.234.567 em 10/12/2026", None),
    ("PHONE", "en", "call me at (202) 555-0143", "call me at [phone]"),
    ("PHONE", "en", "delivered on 2026-12-10 at 10:30", None),
    ("PASSWORD", "es", "mi contraseña es Perro1234", "mi contraseña es [password]"),
    ("PASSWORD", "es", "la contraseña es incorrecta", None),
    ("PASSWORD", "pt", "minha senha é gatoVerde#1", "minha senha é [password]"),
    ("PASSWORD", "pt", "a senha está errada", None),
    ("PASSWORD", "en", "my password is Hunter2!", "my password is [password]"),
    ("PASSWORD", "en", "the password is wrong", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("entity", "text", "expected"),
    [
        pytest.param(e, t, x, id=f"{e}-{lang}-{'positive' if x else 'look-alike'}")
        for e, lang, t, x in CASES
    ],
)
def test_entity_per_language(entity: str, text: str, expected: str | None) -> None:
    if expected is None:
        assert find(text) == []
        assert redact(text) == text
    else:
        assert [f.type for f in find(text)] == [entity]
        assert redact(text) == expected


def test_every_entity_has_a_positive_and_a_look_alike_in_each_language() -> None:
    kinds = {(e, lang, x is None) for e, lang, _t, x in CASES}
    entities = {e for e, *_ in CASES}
    assert len(entities) == 8
    assert kinds == {
        (e, lang, neg) for e in entities for lang in ("es", "pt", "en") for neg in (True, False)
    }


# Full-width and other compatibility forms fold to ASCII under NFKC before detection.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cartão ４２４２ ４２４２ ４２４２ ４２４２", "cartão [card visa ••••4242]"),
        ("cvv １２３", "cvv [security code]"),
        ("validade １２／２８", "validade [expiry]"),
        ("cpf ５２９９８２２４７２５", "cpf [tax id]"),
        ("IBAN ＥＳ９１ ２１００ ０４１８ ４５０２ ０００５ １３３２", "IBAN [iban]"),
        ("ana＠empresa.com", "[email]"),
        ("celular （１１） ９８７６５－４３２１", "celular [phone]"),
        ("senha： ｇａｔｏ１", "senha： [password]"),
        ("card 𝟒𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏 ok", "card [card visa ••••1111] ok"),  # mathematical bold
    ],
)
def test_nfkc_compatibility_characters_cannot_slip_past(text: str, expected: str) -> None:
    assert redact(text) == expected
