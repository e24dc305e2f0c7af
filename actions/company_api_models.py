"""What the company API answers, as typed values: its errors and its records.

The records (``Customer``, ``Invoice``, ...) are read from JSON with ``from_json``, which
checks the shape the contract promises (docs/architecture.md, "The company API") and raises
``CompanyApiBadResponse`` otherwise. ``error_from_answer`` turns an error answer into the
matching exception. Import these from ``actions.company_api``, which re-exports them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any


class CompanyApiError(Exception):
    """Base error. ``code`` is the API's error code when it sent one."""

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.code, self.status = code, status


class CompanyApiUnavailable(CompanyApiError):
    """Down, too slow, or a 5xx/429: tell the consumer to try again later."""


class CompanyApiBadResponse(CompanyApiError):
    """The answer is not what the contract promises (HTML, bad JSON, wrong shape)."""


class CompanyApiUnauthorized(CompanyApiError):
    """The token was refused (configuration problem, not the consumer's)."""


class CustomerNotFound(CompanyApiError):
    """No customer with this country and tax id."""


class InvoiceNotFound(CompanyApiError):
    """No such invoice."""


class CardDeclined(CompanyApiError):
    """The card was declined."""


class InvalidCard(CompanyApiError):
    """A card field is invalid; ``field`` is ``number``, ``expiry`` or ``cvc`` when known."""

    def __init__(self, message: str, *, field: str | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.field = field


class InvoiceAlreadyPaid(CompanyApiError):
    """The invoice was paid before (by another request)."""


_BY_CODE: dict[str, type[CompanyApiError]] = {
    "customer_not_found": CustomerNotFound,
    "invoice_not_found": InvoiceNotFound,
    "card_declined": CardDeclined,
    "invalid_card": InvalidCard,
    "invoice_already_paid": InvoiceAlreadyPaid,
    "unauthorized": CompanyApiUnauthorized,
}


def error_from_answer(status: int, body: Any) -> CompanyApiError:
    """The exception for a non-2xx answer (``body`` is its JSON, or None)."""
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    code = code if isinstance(code, str) else None
    if status in (401, 403):
        return CompanyApiUnauthorized("company API refused the token", code=code, status=status)
    if status >= 500 or status == 429:
        return CompanyApiUnavailable(f"company API error {status}", code=code, status=status)
    if code is None:
        return CompanyApiBadResponse(f"unexpected {status} answer from the company API")
    kind = _BY_CODE.get(code, CompanyApiError)
    message = f"company API answered {status} {code}"
    if kind is InvalidCard:
        card_field = error.get("field") if isinstance(error, dict) else None
        return InvalidCard(message, field=card_field, code=code, status=status)
    return kind(message, code=code, status=status)


def _bad(what: str) -> CompanyApiBadResponse:
    return CompanyApiBadResponse(f"unexpected {what} from the company API")


def _field(obj: Any, key: str, kind: type, check: Callable[[Any], bool] = bool) -> Any:
    value = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(value, kind) or isinstance(value, bool) or not check(value):
        raise _bad(f"'{key}'")
    return value


def _money(obj: Any, key: str) -> Decimal:
    try:
        amount = Decimal(_field(obj, key, str))
    except InvalidOperation:
        raise _bad(f"'{key}'") from None
    if not amount.is_finite() or amount < 0:
        raise _bad(f"'{key}'")
    return amount


def _date(obj: Any, key: str) -> dt.date:
    try:
        return dt.date.fromisoformat(_field(obj, key, str))
    except ValueError:
        raise _bad(f"'{key}'") from None


_CURRENCY = re.compile(r"[A-Z]{3}").fullmatch
_LAST4 = re.compile(r"\d{4}").fullmatch
_COUNTRY = re.compile(r"[A-Z]{2}").fullmatch


@dataclass(frozen=True)
class Customer:
    """A customer found by tax id."""

    id: str
    first_name: str = field(repr=False)
    country: str

    @classmethod
    def from_json(cls, body: Any) -> Customer:
        """Read from a lookup answer; ``CompanyApiBadResponse`` when malformed."""
        return cls(
            id=_field(body, "id", str),
            first_name=_field(body, "first_name", str),
            country=_field(body, "country", str, _COUNTRY),
        )


@dataclass(frozen=True)
class Invoice:
    """An invoice; ``status`` is ``open``, ``overdue`` or ``paid``."""

    id: str
    number: str
    amount: Decimal
    currency: str
    due_date: dt.date
    status: str

    @classmethod
    def from_json(cls, item: Any) -> Invoice:
        """Read one item of an invoice list; ``CompanyApiBadResponse`` when malformed."""
        return cls(
            id=_field(item, "id", str),
            number=_field(item, "number", str),
            amount=_money(item, "amount"),
            currency=_field(item, "currency", str, _CURRENCY),
            due_date=_date(item, "due_date"),
            status=_field(item, "status", str, lambda s: s in ("open", "overdue", "paid")),
        )

    @classmethod
    def list_from_json(cls, body: Any) -> list[Invoice]:
        """Read an ``{"invoices": [...]}`` answer; ``CompanyApiBadResponse`` when malformed."""
        return [cls.from_json(item) for item in _field(body, "invoices", list, lambda _: True)]


@dataclass(frozen=True)
class CardToken:
    """A tokenized card: safe to keep and show."""

    token: str
    brand: str
    last4: str

    @classmethod
    def from_json(cls, body: Any) -> CardToken:
        """Read a tokenization answer; ``CompanyApiBadResponse`` when malformed."""
        return cls(
            token=_field(body, "token", str),
            brand=_field(body, "brand", str),
            last4=_field(body, "last4", str, _LAST4),
        )


@dataclass(frozen=True)
class Payment:
    """A charge on an invoice."""

    id: str
    status: str
    amount: Decimal
    currency: str
    brand: str
    last4: str

    @classmethod
    def from_json(cls, body: Any) -> Payment:
        """Read a payment answer; ``CompanyApiBadResponse`` when malformed."""
        return cls(
            id=_field(body, "id", str),
            status=_field(body, "status", str),
            amount=_money(body, "amount"),
            currency=_field(body, "currency", str, _CURRENCY),
            brand=_field(body, "brand", str),
            last4=_field(body, "last4", str, _LAST4),
        )


@dataclass(frozen=True)
class Handoff:
    """A queued hand-off to a human agent."""

    id: str
    status: str
    expected_wait_minutes: int
    contact: str

    @classmethod
    def from_json(cls, body: Any) -> Handoff:
        """Read a hand-off answer; ``CompanyApiBadResponse`` when malformed."""
        return cls(
            id=_field(body, "id", str),
            status=_field(body, "status", str),
            expected_wait_minutes=_field(body, "expected_wait_minutes", int, lambda n: n >= 0),
            contact=_field(body, "contact", str),
        )
