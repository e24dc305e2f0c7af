"""The demo company API over HTTP, as a real subprocess (contract: docs/architecture.md)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from typing import Any

import pytest
import requests
from stdnum.ar import cuit
from stdnum.br import cnpj, cpf
from stdnum.cl import rut
from stdnum.es import cif, dni, nie
from stdnum.it import codicefiscale
from stdnum.mx import rfc
from stdnum.pt import nif

from client_api.cards import DECLINED_TEST_NUMBER, CardError, check_card
from client_api.db import CompanyRepository
from client_api.seed import CURRENCY_BY_COUNTRY, DEMO_CUSTOMERS
from sigilo.tax_id import validate_tin
from tests.support.company_api import CompanyApiService

VISA = "4242424242424242"
AMEX = "378282246310005"
NEXT_YEAR = dt.date.today().year + 1
CARD = {"number": VISA, "exp_month": 12, "exp_year": NEXT_YEAR, "cvc": "123"}
ANA = DEMO_CUSTOMERS[0]
IS_VALID = {
    "cpf": cpf.is_valid,
    "cnpj": cnpj.is_valid,
    "dni": dni.is_valid,
    "nie": nie.is_valid,
    "cif": cif.is_valid,
    "nif": nif.is_valid,
    "codice_fiscale": codicefiscale.is_valid,
    "cuit": cuit.is_valid,
    "rut": rut.is_valid,
    "rfc": lambda number: rfc.is_valid(number, validate_check_digits=True),
}


def call(api: CompanyApiService, method: str, path: str, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {api.token}", **kwargs.pop("headers", {})}
    return requests.request(method, api.url + path, headers=headers, timeout=5, **kwargs)


def error_code(response: requests.Response) -> str:
    return response.json()["error"]["code"]


def customer_id(api: CompanyApiService, country: str, tin: str) -> str:
    response = call(api, "GET", "/v1/customers/lookup", params={"country": country, "tin": tin})
    assert response.status_code == 200, response.text
    return response.json()["id"]


def invoices(api: CompanyApiService, cid: str, status: str = "all") -> list[dict[str, Any]]:
    response = call(api, "GET", f"/v1/customers/{cid}/invoices", params={"status": status})
    assert response.status_code == 200, response.text
    return response.json()["invoices"]


# --- demo data --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "customer", DEMO_CUSTOMERS, ids=lambda c: f"{c.country}-{c.kind}-{c.compact}"
)
def test_demo_tins_have_valid_check_digits(customer: Any) -> None:
    assert IS_VALID[customer.kind](customer.compact)
    result = validate_tin(customer.tin, [customer.country])
    assert (result.country, result.kind, result.compact) == (
        customer.country,
        customer.kind,
        customer.compact,
    )


def test_demo_data_covers_every_country_and_status(company_api: CompanyApiService) -> None:
    assert {c.country for c in DEMO_CUSTOMERS} == set(CURRENCY_BY_COUNTRY)
    statuses, nothing_open = set(), 0
    for customer in DEMO_CUSTOMERS:
        found = invoices(company_api, customer_id(company_api, customer.country, customer.tin))
        assert len(found) == len(customer.invoices) <= 3
        assert {i["currency"] for i in found} <= {customer.currency}
        statuses |= {i["status"] for i in found}
        nothing_open += not any(i["status"] != "paid" for i in found)
    assert statuses == {"open", "overdue", "paid"}
    assert nothing_open >= 1


def test_seeding_is_idempotent(tmp_path: Any) -> None:
    repo = CompanyRepository(tmp_path / "sub" / "c.db")
    assert repo.initialize() is True
    assert repo.initialize() is False
    with sqlite3.connect(repo.db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM customers").fetchone()[0] == len(DEMO_CUSTOMERS)


# --- auth and errors --------------------------------------------------------------------


def test_health_needs_no_token(company_api: CompanyApiService) -> None:
    response = requests.get(company_api.url + "/health", timeout=5)
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/customers/lookup?country=BR&tin=52998224725"),
        ("GET", "/v1/customers/cus_x/invoices?status=open"),
        ("POST", "/v1/payment-tokens"),
        ("POST", "/v1/invoices/inv_x/payments"),
        ("POST", "/v1/handoffs"),
        ("GET", "/v1/nowhere"),
    ],
)
@pytest.mark.parametrize("auth", [None, "Bearer wrong", "Basic abc", "Bearer"])
def test_v1_needs_the_bearer_token(
    company_api: CompanyApiService, method: str, path: str, auth: str | None
) -> None:
    headers = {"Authorization": auth} if auth else {}
    response = requests.request(method, company_api.url + path, headers=headers, timeout=5)
    assert response.status_code == 401
    assert error_code(response) == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_routes_and_methods_answer_json(company_api: CompanyApiService) -> None:
    assert error_code(call(company_api, "GET", "/v1/nowhere")) == "not_found"
    response = call(company_api, "DELETE", "/v1/handoffs")
    assert (response.status_code, error_code(response)) == (405, "method_not_allowed")


def test_oversized_body_is_refused(company_api: CompanyApiService) -> None:
    response = call(company_api, "POST", "/v1/handoffs", data=b"x" * 200_000)
    assert (response.status_code, error_code(response)) == (413, "payload_too_large")


# --- customers and invoices -------------------------------------------------------------


def test_lookup_accepts_compact_and_formatted_tins(company_api: CompanyApiService) -> None:
    by_compact = customer_id(company_api, "BR", ANA.compact)
    assert customer_id(company_api, "br", ANA.tin) == by_compact
    params = {"country": "BR", "tin": ANA.compact}
    response = call(company_api, "GET", "/v1/customers/lookup", params=params)
    assert response.json() == {"id": by_compact, "first_name": "Ana", "country": "BR"}


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"country": "BR", "tin": "39053344705"}, 404, "customer_not_found"),
        ({"country": "ES", "tin": ANA.compact}, 404, "customer_not_found"),
        ({"country": "FR", "tin": ANA.compact}, 422, "invalid_request"),
        ({"country": "BR"}, 422, "invalid_request"),
        ({"country": "BR", "tin": "<script>"}, 422, "invalid_request"),
        ({}, 422, "invalid_request"),
    ],
)
def test_lookup_errors(
    company_api: CompanyApiService, params: dict[str, str], status: int, code: str
) -> None:
    response = call(company_api, "GET", "/v1/customers/lookup", params=params)
    assert (response.status_code, error_code(response)) == (status, code)
    assert ANA.compact not in response.text


def test_status_open_means_unpaid(company_api: CompanyApiService) -> None:
    bruno = customer_id(company_api, "BR", "11222333000181")
    every = invoices(company_api, bruno)
    unpaid = invoices(company_api, bruno, "open")
    assert {i["id"] for i in unpaid} == {i["id"] for i in every if i["status"] != "paid"}
    assert [i["status"] for i in invoices(company_api, bruno, "paid")] == ["paid"]
    ana = invoices(company_api, customer_id(company_api, "BR", ANA.compact), "open")
    assert [i["status"] for i in ana] == ["overdue", "open"]  # earliest due first
    assert [i["status"] for i in invoices(company_api, bruno, "overdue")] == []


def test_invoice_shape(company_api: CompanyApiService) -> None:
    [invoice, _] = invoices(company_api, customer_id(company_api, "BR", ANA.compact))
    assert invoice["id"].startswith("inv_")
    assert invoice["number"].startswith("F-")
    assert (invoice["amount"], invoice["currency"]) == ("129.90", "BRL")
    assert dt.date.fromisoformat(invoice["due_date"]) < dt.date.today()
    clp = invoices(company_api, customer_id(company_api, "CL", "123456785"))
    assert (clp[0]["amount"], clp[0]["currency"]) == ("45000", "CLP")  # no decimals


def test_invoice_errors(company_api: CompanyApiService) -> None:
    response = call(company_api, "GET", "/v1/customers/cus_nobody/invoices")
    assert (response.status_code, error_code(response)) == (404, "customer_not_found")
    cid = customer_id(company_api, "BR", ANA.compact)
    response = call(company_api, "GET", f"/v1/customers/{cid}/invoices?status=late")
    assert (response.status_code, error_code(response)) == (422, "invalid_request")


# --- card tokens ------------------------------------------------------------------------


def test_tokenize_returns_token_brand_last4(company_api: CompanyApiService) -> None:
    response = call(company_api, "POST", "/v1/payment-tokens", json=CARD)
    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith("tok_")
    assert (body["brand"], body["last4"]) == ("visa", "4242")
    amex = {**CARD, "number": "3782 822463 10005", "cvc": "1234"}
    assert call(company_api, "POST", "/v1/payment-tokens", json=amex).json()["brand"] == "amex"


@pytest.mark.parametrize(
    ("card", "status", "code", "field"),
    [
        ({**CARD, "number": "4242424242424241"}, 422, "invalid_card", "number"),  # Luhn
        ({**CARD, "number": "42424242"}, 422, "invalid_card", "number"),
        ({**CARD, "number": "4242abcd42424242"}, 422, "invalid_card", "number"),
        ({**CARD, "exp_month": 13}, 422, "invalid_card", "expiry"),
        ({**CARD, "exp_year": 2020}, 422, "invalid_card", "expiry"),
        ({**CARD, "cvc": "1234"}, 422, "invalid_card", "cvc"),
        ({**CARD, "number": AMEX, "cvc": "123"}, 422, "invalid_card", "cvc"),
        ({**CARD, "number": DECLINED_TEST_NUMBER}, 402, "card_declined", None),
        ({**CARD, "exp_month": "soon"}, 422, "invalid_request", None),
        ({k: v for k, v in CARD.items() if k != "cvc"}, 422, "invalid_request", None),
        ({**CARD, "number": 4242424242424242}, 422, "invalid_request", None),
    ],
)
def test_tokenize_errors(
    company_api: CompanyApiService, card: dict[str, Any], status: int, code: str, field: Any
) -> None:
    response = call(company_api, "POST", "/v1/payment-tokens", json=card)
    assert (response.status_code, error_code(response)) == (status, code)
    assert response.json()["error"].get("field") == field
    assert str(card.get("number")) not in response.text


@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2]", b'"card"', b"\xff\xfe"])
def test_garbage_bodies_get_a_clear_422(company_api: CompanyApiService, body: bytes) -> None:
    for path in ("/v1/payment-tokens", "/v1/handoffs", "/v1/invoices/inv_x/payments"):
        response = call(company_api, "POST", path, data=body, headers={"Idempotency-Key": "g"})
        assert (response.status_code, error_code(response)) == (422, "invalid_request"), path


def test_card_expiring_this_month_is_still_good() -> None:
    today = dt.date(2026, 11, 23)
    assert check_card(VISA, 11, 2026, "123", today=today).last4 == "4242"
    with pytest.raises(CardError):
        check_card(VISA, 10, 2026, "123", today=today)


# --- payments (own instance: they change data) ------------------------------------------


def _token(api: CompanyApiService) -> str:
    return call(api, "POST", "/v1/payment-tokens", json=CARD).json()["token"]


def _charges(api: CompanyApiService, invoice_id: str) -> int:
    with sqlite3.connect(api.db_path) as conn:
        query = "SELECT COUNT(*) FROM charges WHERE invoice_id = ?"
        return conn.execute(query, (invoice_id,)).fetchone()[0]


def _pay(api: CompanyApiService, invoice_id: str, token: str, key: str | None) -> requests.Response:
    headers = {"Idempotency-Key": key} if key else {}
    path = f"/v1/invoices/{invoice_id}/payments"
    return call(api, "POST", path, json={"token": token}, headers=headers)


def test_payment_is_idempotent(private_company_api: CompanyApiService) -> None:
    api = private_company_api
    [overdue, _] = invoices(api, customer_id(api, "BR", ANA.compact), "open")
    token = _token(api)
    assert _pay(api, overdue["id"], token, None).status_code == 400
    first = _pay(api, overdue["id"], token, "key-1")
    assert first.status_code == 201
    assert first.json()["id"].startswith("pay_")
    assert {k: first.json()[k] for k in ("status", "amount", "currency", "brand", "last4")} == {
        "status": "succeeded",
        "amount": "129.90",
        "currency": "BRL",
        "brand": "visa",
        "last4": "4242",
    }
    again = _pay(api, overdue["id"], token, "key-1")
    assert (again.status_code, again.json()) == (201, first.json())
    assert _charges(api, overdue["id"]) == 1
    other_key = _pay(api, overdue["id"], token, "key-2")
    assert (other_key.status_code, error_code(other_key)) == (409, "invoice_already_paid")
    statuses = {i["id"]: i["status"] for i in invoices(api, customer_id(api, "BR", ANA.compact))}
    assert statuses[overdue["id"]] == "paid"


def test_concurrent_replays_charge_once(private_company_api: CompanyApiService) -> None:
    api = private_company_api
    [invoice] = invoices(api, customer_id(api, "ES", "12345678Z"), "open")
    token, answers = _token(api), []
    threads = [
        threading.Thread(target=lambda: answers.append(_pay(api, invoice["id"], token, "same")))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {r.status_code for r in answers} == {201}
    assert len({r.json()["id"] for r in answers}) == 1
    assert _charges(api, invoice["id"]) == 1


def test_payment_errors(private_company_api: CompanyApiService) -> None:
    api = private_company_api
    cid = customer_id(api, "MX", "HEGD850315T22")
    first, second = (i["id"] for i in invoices(api, cid, "open"))
    token = _token(api)
    assert error_code(_pay(api, "inv_nothing", token, "k-a")) == "invoice_not_found"
    assert error_code(_pay(api, first, "tok_forged", "k-b")) == "invalid_token"
    assert _pay(api, first, token, "k-c").status_code == 201
    reused = _pay(api, second, token, "k-c")  # same key, another invoice
    assert (reused.status_code, error_code(reused)) == (409, "idempotency_key_reused")
    assert error_code(_pay(api, first, token, "k y")) == "invalid_request"  # space in key


# --- hand-offs --------------------------------------------------------------------------

HANDOFF = {"channel": "web", "language": "pt", "reason": "quer falar com alguém"}
TRANSCRIPT = [{"sender": "user", "text": "oi"}, {"sender": "bot", "text": "olá!"}]


def _stored_transcript(api: CompanyApiService, handoff_id: str) -> str | None:
    with sqlite3.connect(api.db_path) as conn:
        query = "SELECT transcript FROM handoffs WHERE id = ?"
        return conn.execute(query, (handoff_id,)).fetchone()[0]


def test_handoff_stores_transcript_only_when_asked(private_company_api: CompanyApiService) -> None:
    api = private_company_api
    without = call(api, "POST", "/v1/handoffs", json={**HANDOFF, "transcript": TRANSCRIPT})
    assert without.status_code == 201
    body = without.json()
    assert body["id"].startswith("hof_") and body["status"] == "queued"
    assert isinstance(body["expected_wait_minutes"], int) and body["contact"]
    assert body["transcript_stored"] is False
    assert _stored_transcript(api, body["id"]) is None
    body = {**HANDOFF, "include_transcript": True, "transcript": TRANSCRIPT}
    with_it = call(api, "POST", "/v1/handoffs", json=body).json()
    assert with_it["transcript_stored"] is True
    assert "olá!" in (_stored_transcript(api, with_it["id"]) or "")


@pytest.mark.parametrize(
    "body",
    [
        {**HANDOFF, "language": "fr"},
        {**HANDOFF, "reason": ""},
        {**HANDOFF, "include_transcript": "yes"},
        {**HANDOFF, "transcript": [{"who": "user"}]},
        {k: v for k, v in HANDOFF.items() if k != "channel"},
    ],
)
def test_handoff_validation(company_api: CompanyApiService, body: dict[str, Any]) -> None:
    response = call(company_api, "POST", "/v1/handoffs", json=body)
    assert (response.status_code, error_code(response)) == (422, "invalid_request")


# --- privacy ----------------------------------------------------------------------------


def test_card_data_and_tins_never_reach_the_database_or_logs(
    private_company_api: CompanyApiService,
) -> None:
    api = private_company_api
    numbers = ["4111111111111111", "5555555555554444", "6011111111111117"]
    for number in numbers:
        response = call(api, "POST", "/v1/payment-tokens", json={**CARD, "number": number})
        assert response.status_code == 201
    call(api, "GET", "/v1/customers/lookup", params={"country": "BR", "tin": ANA.compact})
    raw = api.db_bytes()
    for number in numbers:
        assert number.encode() not in raw
        assert number[:12].encode() not in raw  # not even the first digits
    with sqlite3.connect(api.db_path) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(payment_tokens)")]
    assert columns == ["token", "brand", "last4", "created_at"]
    log = api.service.log_text(tail=1_000_000)
    assert "GET /v1/customers/lookup -> 200" in log
    for secret in [ANA.compact, *numbers]:
        assert secret not in log
