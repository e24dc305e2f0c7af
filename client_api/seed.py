"""Demo customers and invoices, one or more per supported tax-id kind.

Every TIN below is made up (or a textbook example) and carries valid check digits; the
test suite checks them with python-stdnum. ``client_api/README.md`` lists them for humans.
Due dates are relative to the day the database is seeded, so a fresh database always shows
overdue, open and paid invoices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

CURRENCY_BY_COUNTRY = {
    "BR": "BRL",
    "ES": "EUR",
    "PT": "EUR",
    "IT": "EUR",
    "AR": "ARS",
    "CL": "CLP",
    "MX": "MXN",
}
_ZERO_DECIMAL = frozenset({"CLP"})


def minor_exponent(currency: str) -> int:
    """Digits after the decimal point for ``currency`` (CLP has none)."""
    return 0 if currency in _ZERO_DECIMAL else 2


def to_minor(amount: str, currency: str) -> int:
    """``"129.90"`` -> ``12990`` in the currency's minor unit."""
    return int(Decimal(amount).scaleb(minor_exponent(currency)))


def from_minor(minor: int, currency: str) -> str:
    """``12990`` -> ``"129.90"``: a string, so no float ever rounds money."""
    exponent = minor_exponent(currency)
    return str(Decimal(minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent)))


def compact_tin(tin: str) -> str:
    """Strip separators and upper-case, as clients send it."""
    return re.sub(r"[\s.\-/]", "", tin).upper()


@dataclass(frozen=True)
class DemoInvoice:
    """An invoice; ``due_in_days`` < 0 is past due; ``paid`` marks it settled."""

    amount: str
    due_in_days: int
    paid: bool = False


@dataclass(frozen=True)
class DemoCustomer:
    """A demo customer, TIN as a consumer would type it."""

    country: str
    kind: str
    tin: str
    first_name: str
    demonstrates: str
    invoices: tuple[DemoInvoice, ...] = ()

    @property
    def compact(self) -> str:
        """The TIN as stored and looked up."""
        return compact_tin(self.tin)

    @property
    def currency(self) -> str:
        """Invoice currency for the customer's country."""
        return CURRENCY_BY_COUNTRY[self.country]


I = DemoInvoice  # noqa: E741 - keeps the table below readable

DEMO_CUSTOMERS: tuple[DemoCustomer, ...] = (
    DemoCustomer(
        "BR", "cpf", "529.982.247-25", "Ana", "one overdue and one open invoice",
        (I("129.90", -12), I("89.90", 18)),
    ),
    DemoCustomer(
        "BR", "cnpj", "11.222.333/0001-81", "Bruno", "company id; two open, one paid",
        (I("1250.00", -40, paid=True), I("980.50", 5), I("1430.00", 35)),
    ),
    DemoCustomer(
        "BR", "cpf", "202.734.560-40", "Rafael",
        "typed bare (20273456040) also a valid AR CUIT: language preference decides",
        (I("59.90", 10),),
    ),
    DemoCustomer("ES", "dni", "12345678Z", "Lucía", "one overdue invoice", (I("45.30", -5),)),
    DemoCustomer(
        "ES", "nie", "X1234567L", "Omar", "one open, one paid",
        (I("60.00", 20), I("60.00", -10, paid=True)),
    ),
    DemoCustomer(
        "ES", "cif", "B12345674", "Carmen", "company id; one open invoice", (I("1200.00", 30),)
    ),
    DemoCustomer(
        "PT", "nif", "123 456 789", "João", "nothing to pay (one paid invoice)",
        (I("35.00", -15, paid=True),),
    ),
    DemoCustomer("IT", "codice_fiscale", "BNCGLI90A41F205H", "Giulia", "no invoices at all"),
    DemoCustomer(
        "AR", "cuit", "20-12345678-6", "Mateo", "one overdue, one open",
        (I("15999.00", -3), I("22500.00", 25)),
    ),
    DemoCustomer(
        "CL", "rut", "12.345.678-5", "Valentina", "zero-decimal currency (CLP)",
        (I("45000", 14),),
    ),
    DemoCustomer(
        "CL", "rut", "15.432.108-K", "Tomás", "check digit K; one overdue",
        (I("12990", -30),),
    ),
    DemoCustomer(
        "MX", "rfc", "HEGD850315T22", "Diego", "one open, one overdue",
        (I("1499.00", 7), I("799.00", -8)),
    ),
)  # fmt: skip
