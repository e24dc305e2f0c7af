"""CompanyApiClient without a network: canned answers through a fake requests adapter."""

from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal
from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter
from urllib3.exceptions import MaxRetryError, NewConnectionError
from urllib3.util.retry import Retry

from actions import company_api as mod
from actions.company_api import (
    CardDeclined,
    CompanyApiBadResponse,
    CompanyApiClient,
    CompanyApiError,
    CompanyApiSettings,
    CompanyApiUnauthorized,
    CompanyApiUnavailable,
    CustomerNotFound,
    InvalidCard,
    InvoiceAlreadyPaid,
    InvoiceNotFound,
)

TIN = "52998224725"
CARD = "4242424242424242"
INVOICE = {
    "id": "inv_1",
    "number": "F-2026-0001",
    "amount": "129.90",
    "currency": "BRL",
    "due_date": "2026-12-10",
    "status": "open",
}


class FakeAdapter(BaseAdapter):
    """Answers from a list of canned responses or exceptions; records the requests."""

    def __init__(self, *answers: Any) -> None:
        super().__init__()
        self.answers = list(answers)
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.sent.append(request)
        self.timeout = kwargs.get("timeout")
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        response = requests.Response()
        response.status_code = status
        response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
        response.request = request
        response.url = request.url or ""
        return response

    def close(self) -> None:
        pass


def client_with(*answers: Any) -> tuple[CompanyApiClient, FakeAdapter]:
    client = CompanyApiClient(CompanyApiSettings(url="http://api.test", token="t0k", timeout=2))
    adapter = FakeAdapter(*answers)
    client.session.mount("http://", adapter)
    return client, adapter


# --- settings ---------------------------------------------------------------------------


def test_settings_defaults_from_empty_env(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        settings = CompanyApiSettings.from_env({})
    assert settings.url == "http://127.0.0.1:8800"
    assert settings.token == "demo-token"
    assert settings.timeout == 3.0
    assert "demo API token" in caplog.text


def test_settings_from_env() -> None:
    env = {
        "SIGILO_COMPANY_API_URL": "https://api.example/",
        "SIGILO_COMPANY_API_TOKEN": "s3cret",
        "SIGILO_COMPANY_API_TIMEOUT": "1.5",
    }
    settings = CompanyApiSettings.from_env(env)
    assert (settings.url, settings.token, settings.timeout) == (
        "https://api.example",
        "s3cret",
        1.5,
    )
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize("value", ["abc", "0", "120"])
def test_settings_reject_bad_timeouts(value: str) -> None:
    with pytest.raises(ValueError, match="SIGILO_COMPANY_API_TIMEOUT"):
        CompanyApiSettings.from_env({"SIGILO_COMPANY_API_TIMEOUT": value})


def test_no_session_before_first_call() -> None:
    client = CompanyApiClient(CompanyApiSettings())
    assert client._http is None
    client.close()


# --- happy paths ------------------------------------------------------------------------


def test_find_customer_sends_token_and_parses() -> None:
    client, adapter = client_with((200, {"id": "cus_1", "first_name": "Ana", "country": "BR"}))
    customer = client.find_customer("br", TIN)
    assert (customer.id, customer.first_name, customer.country) == ("cus_1", "Ana", "BR")
    assert "Ana" not in repr(customer)
    sent = adapter.sent[0]
    assert sent.headers["Authorization"] == "Bearer t0k"
    assert sent.url == f"http://api.test/v1/customers/lookup?country=BR&tin={TIN}"
    assert adapter.timeout == (1.0, 2)  # connect and read timeouts on every request


def test_open_invoices_parses_decimal_and_date() -> None:
    client, adapter = client_with((200, {"invoices": [INVOICE]}))
    [invoice] = client.open_invoices("cus_1")
    assert invoice.amount == Decimal("129.90")
    assert invoice.due_date == dt.date(2026, 12, 10)
    assert adapter.sent[0].url.endswith("/v1/customers/cus_1/invoices?status=open")


def test_tokenize_card_compacts_number_and_widens_two_digit_year() -> None:
    client, adapter = client_with((201, {"token": "tok_1", "brand": "visa", "last4": "4242"}))
    token = client.tokenize_card("4242 4242-4242 4242", 12, 30, " 123 ")
    assert token.last4 == "4242"
    body = json.loads(adapter.sent[0].body)
    assert body == {"number": CARD, "exp_month": 12, "exp_year": 2030, "cvc": "123"}


def test_pay_invoice_sends_idempotency_key() -> None:
    answer = {"id": "pay_1", "status": "succeeded", "amount": "129.90", "currency": "BRL"}
    client, adapter = client_with((201, {**answer, "brand": "visa", "last4": "4242"}))
    payment = client.pay_invoice("inv_1", "tok_1", "key-1")
    assert payment.amount == Decimal("129.90")
    assert adapter.sent[0].headers["Idempotency-Key"] == "key-1"


def test_open_handoff_sends_transcript_only_when_given() -> None:
    answer = {"id": "hof_1", "status": "queued", "expected_wait_minutes": 15, "contact": "x"}
    client, adapter = client_with((201, answer))
    assert client.open_handoff("web", "pt", "quer falar").expected_wait_minutes == 15
    client.open_handoff("web", "pt", "quer falar", [{"sender": "user", "text": "oi"}])
    first, second = (json.loads(r.body) for r in adapter.sent)
    assert (first["include_transcript"], first["transcript"]) == (False, None)
    assert second["include_transcript"] is True


def test_health_true_and_false() -> None:
    assert client_with((200, {"status": "ok"}))[0].health() is True
    assert client_with((200, {"status": "down"}))[0].health() is False
    assert client_with(requests.ConnectionError("down"))[0].health() is False


# --- errors -----------------------------------------------------------------------------


def _error(status: int, code: str, **extra: Any) -> tuple[int, dict[str, Any]]:
    return status, {"error": {"code": code, "message": "m", **extra}}


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (_error(404, "customer_not_found"), CustomerNotFound),
        (_error(401, "unauthorized"), CompanyApiUnauthorized),
        ((403, b"forbidden"), CompanyApiUnauthorized),
        ((503, b"<html>busy</html>"), CompanyApiUnavailable),
        (_error(500, "internal_error"), CompanyApiUnavailable),
        ((429, b""), CompanyApiUnavailable),
        ((404, b"<html>not here</html>"), CompanyApiBadResponse),  # wrong base URL
        ((200, b"<html>hello</html>"), CompanyApiBadResponse),
        ((200, {"id": "cus_1"}), CompanyApiBadResponse),
        ((200, {"id": "cus_1", "first_name": "Ana", "country": "Brazil"}), CompanyApiBadResponse),
        ((200, []), CompanyApiBadResponse),
        (requests.ConnectTimeout("slow"), CompanyApiUnavailable),
        (requests.ReadTimeout("slow"), CompanyApiUnavailable),
        (requests.ConnectionError("refused"), CompanyApiUnavailable),
        (_error(418, "teapot"), CompanyApiError),
    ],
)
def test_lookup_errors_are_typed(answer: Any, error: type[Exception]) -> None:
    client, _ = client_with(answer)
    with pytest.raises(error) as caught:
        client.find_customer("BR", TIN)
    # neither the TIN nor the URL (whose query holds it) reach the exception
    assert TIN not in str(caught.value) and TIN not in repr(caught.value)
    assert caught.value.__cause__ is None and caught.value.__context__ is None


@pytest.mark.parametrize(
    "invoice",
    [
        {**INVOICE, "amount": 129.9},  # a float: money must travel as a string
        {**INVOICE, "amount": "12,99"},
        {**INVOICE, "amount": "NaN"},
        {**INVOICE, "due_date": "10/12/2026"},
        {**INVOICE, "currency": "R$"},
        {**INVOICE, "status": "weird"},
        {k: v for k, v in INVOICE.items() if k != "id"},
        "inv_1",
    ],
)
def test_invoice_shape_is_checked_strictly(invoice: Any) -> None:
    client, _ = client_with((200, {"invoices": [invoice]}))
    with pytest.raises(CompanyApiBadResponse):
        client.open_invoices("cus_1")


def test_card_errors_never_repeat_the_number() -> None:
    client, _ = client_with(_error(422, "invalid_card", field="cvc"))
    with pytest.raises(InvalidCard) as caught:
        client.tokenize_card(CARD, 12, 2030, "12")
    assert caught.value.field == "cvc"
    assert CARD not in str(caught.value)
    client, _ = client_with(_error(402, "card_declined"))
    with pytest.raises(CardDeclined):
        client.tokenize_card(CARD, 12, 2030, "123")


def test_payment_errors() -> None:
    client, _ = client_with(_error(409, "invoice_already_paid"))
    with pytest.raises(InvoiceAlreadyPaid):
        client.pay_invoice("inv_1", "tok_1", "k")
    client, _ = client_with(_error(404, "invoice_not_found"))
    with pytest.raises(InvoiceNotFound):
        client.pay_invoice("inv_1", "tok_1", "k")


@pytest.mark.parametrize("bad_id", ["../admin", "inv_1?x=1", "", "a/b", "x" * 101])
def test_ids_from_button_payloads_cannot_change_the_path(bad_id: str) -> None:
    client, adapter = client_with((200, {}))
    with pytest.raises(InvoiceNotFound):
        client.pay_invoice(bad_id, "tok_1", "k")
    with pytest.raises(CustomerNotFound):
        client.open_invoices(bad_id)
    assert adapter.sent == []


# --- retries ----------------------------------------------------------------------------

PAID = {"id": "pay_1", "status": "succeeded", "amount": "1.00", "currency": "EUR"}
PAID |= {"brand": "visa", "last4": "4242"}


def test_payment_is_retried_once_on_connection_error_with_the_same_key() -> None:
    client, adapter = client_with(requests.ConnectionError("reset"), (201, PAID))
    assert client.pay_invoice("inv_1", "tok_1", "key-9").id == "pay_1"
    assert [r.headers["Idempotency-Key"] for r in adapter.sent] == ["key-9", "key-9"]


def test_payment_is_not_retried_twice() -> None:
    client, adapter = client_with(requests.ConnectionError("reset"))
    with pytest.raises(CompanyApiUnavailable):
        client.pay_invoice("inv_1", "tok_1", "key-9")
    assert len(adapter.sent) == 2


def test_payment_is_not_retried_after_a_read_timeout() -> None:
    # the charge may be under way; waiting a second time would break the time budget
    client, adapter = client_with(requests.ReadTimeout("slow"), (201, PAID))
    with pytest.raises(CompanyApiUnavailable):
        client.pay_invoice("inv_1", "tok_1", "key-9")
    assert len(adapter.sent) == 1


def test_other_posts_are_never_retried() -> None:
    client, adapter = client_with(requests.ConnectionError("reset"), (201, {}))
    with pytest.raises(CompanyApiUnavailable):
        client.tokenize_card(CARD, 12, 2030, "123")
    assert len(adapter.sent) == 1


def test_retry_policy_spares_posts_even_on_connect_errors() -> None:
    client = CompanyApiClient(CompanyApiSettings())
    retry = client.session.get_adapter("http://x").max_retries
    assert isinstance(retry, Retry) and retry.total == 2 and retry.read is False
    error = NewConnectionError(None, "refused")  # type: ignore[arg-type]
    assert isinstance(retry.increment("GET", "/x", error=error), Retry)
    with pytest.raises(MaxRetryError):
        retry.increment("POST", "/x", error=error)


def test_urllib3_log_lines_do_not_show_the_tin(caplog: pytest.LogCaptureFixture) -> None:
    CompanyApiClient(CompanyApiSettings()).session  # installs the filter  # noqa: B018
    logger = logging.getLogger("urllib3.connectionpool")
    with caplog.at_level(logging.WARNING, logger="urllib3.connectionpool"):
        logger.warning("Retrying after error: %s", f"/v1/customers/lookup?country=BR&tin={TIN}")
    assert TIN not in caplog.text
    assert "tin=[redacted]" in caplog.text
    assert sum(isinstance(f, mod._RedactTin) for f in logger.filters) == 1
