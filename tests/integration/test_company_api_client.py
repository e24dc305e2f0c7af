"""CompanyApiClient against the real demo API and against misbehaving loopback servers."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from actions.company_api import (
    CardDeclined,
    CompanyApiBadResponse,
    CompanyApiClient,
    CompanyApiSettings,
    CompanyApiUnauthorized,
    CompanyApiUnavailable,
    CustomerNotFound,
    InvalidCard,
    InvoiceAlreadyPaid,
    InvoiceNotFound,
)
from client_api.cards import DECLINED_TEST_NUMBER
from tests.support.company_api import CompanyApiService
from tests.support.fake_http import Reply, Seen, always, fake_server
from tests.support.processes import free_port

VISA = "4242 4242 4242 4242"
YEAR = dt.date.today().year + 1
HTML = Reply(200, b"<html><body>Welcome to nginx!</body></html>", "text/html")

# every client method, called with plausible arguments
CALLS: dict[str, Callable[[CompanyApiClient], Any]] = {
    "find_customer": lambda c: c.find_customer("BR", "52998224725"),
    "open_invoices": lambda c: c.open_invoices("cus_1"),
    "tokenize_card": lambda c: c.tokenize_card(VISA, 12, YEAR, "123"),
    "pay_invoice": lambda c: c.pay_invoice("inv_1", "tok_1", "key-1"),
    "open_handoff": lambda c: c.open_handoff("web", "es", "quiere hablar"),
}


# --- against the demo API ---------------------------------------------------------------


def test_health(company_api_client: CompanyApiClient) -> None:
    assert company_api_client.health() is True


def test_find_customer_and_open_invoices(company_api_client: CompanyApiClient) -> None:
    customer = company_api_client.find_customer("BR", "52998224725")
    assert (customer.first_name, customer.country) == ("Ana", "BR")
    overdue, due_later = company_api_client.open_invoices(customer.id)
    assert (overdue.status, due_later.status) == ("overdue", "open")
    assert overdue.amount == Decimal("129.90") and overdue.currency == "BRL"
    assert overdue.due_date < dt.date.today() <= due_later.due_date


def test_customer_without_open_invoices(company_api_client: CompanyApiClient) -> None:
    joao = company_api_client.find_customer("PT", "123456789")
    assert company_api_client.open_invoices(joao.id) == []


def test_typed_errors_from_the_demo_api(company_api_client: CompanyApiClient) -> None:
    with pytest.raises(CustomerNotFound):
        company_api_client.find_customer("BR", "39053344705")
    with pytest.raises(CustomerNotFound):
        company_api_client.open_invoices("cus_nobody")
    with pytest.raises(InvalidCard) as caught:
        company_api_client.tokenize_card("4242 4242 4242 4241", 12, YEAR, "123")
    assert caught.value.field == "number"
    with pytest.raises(InvalidCard) as caught:
        company_api_client.tokenize_card(VISA, 1, 2020, "123")
    assert caught.value.field == "expiry"
    with pytest.raises(CardDeclined):
        company_api_client.tokenize_card(DECLINED_TEST_NUMBER, 12, YEAR, "123")
    with pytest.raises(InvoiceNotFound):
        company_api_client.pay_invoice("inv_nothing", "tok_x", "k-1")


def test_wrong_token_is_unauthorized(company_api: CompanyApiService) -> None:
    settings = CompanyApiSettings(url=company_api.url, token="not-the-token")
    with CompanyApiClient(settings) as client, pytest.raises(CompanyApiUnauthorized):
        client.find_customer("BR", "52998224725")


def test_pay_twice_with_one_key_charges_once(private_company_api: CompanyApiService) -> None:
    with CompanyApiClient(private_company_api.settings()) as client:
        customer = client.find_customer("AR", "20123456786")
        invoice = client.open_invoices(customer.id)[0]
        token = client.tokenize_card(VISA, 12, YEAR, "123")
        assert (token.brand, token.last4) == ("visa", "4242")
        first = client.pay_invoice(invoice.id, token.token, "order-77")
        again = client.pay_invoice(invoice.id, token.token, "order-77")
        assert first == again
        assert (first.status, first.amount, first.currency) == ("succeeded", invoice.amount, "ARS")
        with pytest.raises(InvoiceAlreadyPaid):
            client.pay_invoice(invoice.id, token.token, "order-78")
        assert invoice.id not in {i.id for i in client.open_invoices(customer.id)}
    with sqlite3.connect(private_company_api.db_path) as conn:
        query = "SELECT COUNT(*) FROM charges WHERE invoice_id = ?"
        assert conn.execute(query, (invoice.id,)).fetchone()[0] == 1
    assert b"4242424242424242" not in private_company_api.db_bytes()


def test_open_handoff(private_company_api: CompanyApiService) -> None:
    with CompanyApiClient(private_company_api.settings()) as client:
        transcript = [{"sender": "user", "text": "hola"}]
        handoff = client.open_handoff("web", "es", "quiere hablar", transcript)
    assert handoff.id.startswith("hof_") and handoff.status == "queued"
    assert handoff.expected_wait_minutes >= 0 and handoff.contact


# --- against broken servers -------------------------------------------------------------


def _client(url: str, timeout: float = 3.0) -> CompanyApiClient:
    return CompanyApiClient(CompanyApiSettings(url=url, token="t", timeout=timeout))


@pytest.mark.parametrize("method", CALLS)
def test_html_instead_of_json_is_a_bad_response(method: str) -> None:
    with fake_server(always(HTML)) as server, _client(server.url) as client:
        with pytest.raises(CompanyApiBadResponse):
            CALLS[method](client)
        assert client.health() is False


@pytest.mark.parametrize("method", CALLS)
def test_closed_port_is_unavailable_fast(method: str) -> None:
    with _client(f"http://127.0.0.1:{free_port()}") as client:
        started = time.monotonic()
        with pytest.raises(CompanyApiUnavailable):
            CALLS[method](client)
        assert time.monotonic() - started < 2.0
        assert client.health() is False


@pytest.mark.parametrize("method", ["find_customer", "pay_invoice"])
def test_slow_server_is_unavailable_within_the_budget(method: str) -> None:
    with fake_server(always(Reply(200, b"{}", delay=5))) as server, _client(server.url, 1) as c:
        started = time.monotonic()
        with pytest.raises(CompanyApiUnavailable):
            CALLS[method](c)
        assert time.monotonic() - started < 2.0
        assert len(server.requests) == 1  # a read timeout is never retried


def test_default_timeout_keeps_the_consumer_waiting_under_five_seconds() -> None:
    with fake_server(always(Reply(200, b"{}", delay=8))) as server:
        settings = CompanyApiSettings.from_env({"SIGILO_COMPANY_API_URL": server.url})
        with CompanyApiClient(settings) as client:
            started = time.monotonic()
            with pytest.raises(CompanyApiUnavailable):
                client.open_invoices("cus_1")
            assert time.monotonic() - started < 5.0


def test_reads_are_retried_on_503_then_succeed() -> None:
    def flaky(_seen: Seen, index: int) -> Reply:
        return Reply(503, b"busy") if index < 2 else Reply(200, b'{"invoices": []}')

    with fake_server(flaky) as server, _client(server.url) as client:
        assert client.open_invoices("cus_1") == []
        assert len(server.requests) == 3


def test_reads_give_up_after_the_retries() -> None:
    with fake_server(always(Reply(502, b"bad gateway"))) as server, _client(server.url) as c:
        started = time.monotonic()
        with pytest.raises(CompanyApiUnavailable):
            c.open_invoices("cus_1")
        assert len(server.requests) == 3
        assert time.monotonic() - started < 2.0


@pytest.mark.parametrize("method", ["tokenize_card", "pay_invoice", "open_handoff"])
def test_posts_are_not_retried_on_503(method: str) -> None:
    with fake_server(always(Reply(503, b"busy"))) as server, _client(server.url) as client:
        with pytest.raises(CompanyApiUnavailable):
            CALLS[method](client)
        assert [r.method for r in server.requests] == ["POST"]


def test_payment_replays_once_with_the_same_key_after_a_dropped_connection() -> None:
    paid = b'{"id": "pay_1", "status": "succeeded", "amount": "1.00", "currency": "EUR",'
    paid += b' "brand": "visa", "last4": "4242"}'

    def drop_first(_seen: Seen, index: int) -> Reply:
        return Reply(drop=True) if index == 0 else Reply(201, paid)

    with fake_server(drop_first) as server, _client(server.url) as client:
        assert client.pay_invoice("inv_1", "tok_1", "key-1").id == "pay_1"
        assert [r.headers["Idempotency-Key"] for r in server.requests] == ["key-1", "key-1"]


def test_other_posts_are_not_replayed_after_a_dropped_connection() -> None:
    with fake_server(always(Reply(drop=True))) as server, _client(server.url) as client:
        with pytest.raises(CompanyApiUnavailable):
            client.open_handoff("web", "en", "help")
        assert len(server.requests) == 1
