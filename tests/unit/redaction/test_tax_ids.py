"""Tax ids: each country, formatted and compact, context rules and wrong check digits."""

from __future__ import annotations

import pytest

from sigilo.redaction import TAX_ID, find, redact


def _kinds(text: str) -> list[tuple[str | None, str]]:
    return [(f.kind, text[f.start : f.end]) for f in find(text) if f.type == TAX_ID]


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("meu CPF é 529.982.247-25", "br.cpf", "529.982.247-25"),
        ("cpf 52998224725", "br.cpf", "52998224725"),
        ("segue 529.982.247-25 obrigado", "br.cpf", "529.982.247-25"),  # formatted: no word
        ("CNPJ da empresa 11.222.333/0001-81", "br.cnpj", "11.222.333/0001-81"),
        ("11222333000181", "br.cnpj", "11222333000181"),
        ("mi DNI es 12345678Z", "es.dni", "12345678Z"),
        ("dni 12345678-z", "es.dni", "12345678-z"),
        ("te paso mi dni 94053691K", "es.dni", "94053691K"),  # K: not a Chilean RUT
        ("94053691K", "es.dni", "94053691K"),
        ("NIE X1234567L", "es.nie", "X1234567L"),
        ("el CIF es A58818501", "es.cif", "A58818501"),
        ("o meu NIF é 123456789", "pt.nif", "123456789"),
        ("nº de contribuinte 501 964 843", "pt.nif", "501 964 843"),
        ("codice fiscale RSSMRA85T10A562S", "it.codicefiscale", "RSSMRA85T10A562S"),
        ("RSSMRA85T10A562S", "it.codicefiscale", "RSSMRA85T10A562S"),
        ("CUIT 20-12345678-6", "ar.cuit", "20-12345678-6"),
        ("mi cuil es 20123456786", "ar.cuit", "20123456786"),
        ("RUT 12.345.678-5", "cl.rut", "12.345.678-5"),
        ("mi rut es 12345678-5", "cl.rut", "12345678-5"),
        ("RFC GODE561231GR8", "mx.rfc", "GODE561231GR8"),
        ("Here's my SSN: 460-89-9847", "us.ssn", "460-89-9847"),
        ("His social security number is 853-37-1694", "us.ssn", "853-37-1694"),
        ("52998224725 é o meu cpf", "br.cpf", "52998224725"),
    ],
)
def test_valid_tax_ids(text: str, kind: str, value: str) -> None:
    assert _kinds(text) == [(kind, value)]
    assert "[tax id]" in redact(text)


@pytest.mark.parametrize(
    "text",
    [
        "meu cpf 529.982.247-26",  # wrong check digit
        "CNPJ 11.222.333/0001-82",
        "DNI 12345678A",  # wrong letter
        "NIE X1234567A",
        "codice fiscale RSSMRA85T10A562T",
        "RUT 12.345.678-6",
        "NIF 123456780",
        "123456789",  # a bare 9-digit number: PT NIF only with context
        "12345678-5",  # CL RUT without dots only with context
        "460-89-9847",  # SSN only with context
        "20123456786",  # CUIT compact only with context
        "pedido 52998224725",  # a valid CPF by chance, but an order number
        "mi DNI es 12345678Z y el pedido 87654321 no llegó",  # the word names the DNI
    ],
)
def test_look_alikes_and_missing_context_survive(text: str) -> None:
    assert not [k for k in _kinds(text) if k[1] != "12345678Z"]


def test_dni_without_letter_needs_the_word() -> None:
    assert _kinds("mi dni es 12345678") == [("es.dni", "12345678")]
    assert _kinds("mi pedido es 12345678") == []


def test_hinted_cnpj_wins_over_a_maestro_looking_number() -> None:
    # 58133508000148 is also Luhn-valid inside Maestro's range.
    assert redact("meu CNPJ eh 58133508000148") == "meu CNPJ eh [tax id]"


def test_invoice_and_order_ids_survive() -> None:
    text = "fatura F-2026-0012 e pedido INV-000123, protocolo 2026.0012.3345"
    assert redact(text) == text
