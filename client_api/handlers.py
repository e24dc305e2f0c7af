"""Route handlers of the demo company API (contract: docs/architecture.md).

Handlers validate input, run repository calls in a worker thread and answer JSON.
They never log request bodies or query strings: those carry TINs and card data.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from aiohttp import web

from client_api.cards import CardError, check_card, is_declined
from client_api.db import UNPAID, CompanyRepository
from client_api.errors import ApiProblem
from client_api.seed import CURRENCY_BY_COUNTRY, compact_tin

REPOSITORY = web.AppKey("repository", CompanyRepository)

LANGUAGES = frozenset({"es", "pt", "en"})
# ``status=open`` means "unpaid": open and overdue invoices (what a consumer can pay).
STATUS_FILTERS: dict[str, frozenset[str] | None] = {
    "open": UNPAID,
    "overdue": frozenset({"overdue"}),
    "paid": frozenset({"paid"}),
    "all": None,
}
_KEY_RE = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII, no spaces
_TIN_RE = re.compile(r"[0-9A-ZÑ&]{8,20}")


def _invalid(message: str) -> ApiProblem:
    return ApiProblem(422, "invalid_request", message)


async def _json_object(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _invalid("body must be a JSON object") from None
    if not isinstance(body, dict):
        raise _invalid("body must be a JSON object")
    return body


def _string(body: dict[str, Any], name: str, max_len: int, *, required: bool = True) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip() or len(value) > max_len:
        raise _invalid(f"'{name}' must be a non-empty string of at most {max_len} characters")
    return value.strip()


def _integer(body: dict[str, Any], name: str) -> int:
    value = body.get(name)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _invalid(f"'{name}' must be an integer")
    return value


def _repo(request: web.Request) -> CompanyRepository:
    return request.app[REPOSITORY]


async def health(_: web.Request) -> web.Response:
    """``GET /health``: liveness, no authentication."""
    return web.json_response({"status": "ok"})


async def lookup_customer(request: web.Request) -> web.Response:
    """``GET /v1/customers/lookup?country=BR&tin=52998224725``."""
    country = request.query.get("country", "").upper()
    tin = compact_tin(request.query.get("tin", ""))
    if country not in CURRENCY_BY_COUNTRY:
        raise _invalid(f"'country' must be one of {', '.join(sorted(CURRENCY_BY_COUNTRY))}")
    if not _TIN_RE.fullmatch(tin):
        raise _invalid("'tin' must be 8 to 20 letters or digits")
    customer = await asyncio.to_thread(_repo(request).find_customer, country, tin)
    if customer is None:
        raise ApiProblem(404, "customer_not_found", "no customer with this tax id")
    return web.json_response(customer)


async def list_invoices(request: web.Request) -> web.Response:
    """``GET /v1/customers/{customer_id}/invoices?status=open|overdue|paid|all``."""
    status = request.query.get("status", "all")
    if status not in STATUS_FILTERS:
        raise _invalid(f"'status' must be one of {', '.join(STATUS_FILTERS)}")
    invoices = await asyncio.to_thread(
        _repo(request).invoices, request.match_info["customer_id"], STATUS_FILTERS[status]
    )
    if invoices is None:
        raise ApiProblem(404, "customer_not_found", "no such customer")
    return web.json_response({"invoices": invoices})


async def create_payment_token(request: web.Request) -> web.Response:
    """``POST /v1/payment-tokens``: check the card, keep brand and last four only."""
    body = await _json_object(request)
    number = _string(body, "number", 40)
    cvc = _string(body, "cvc", 8)
    exp_month, exp_year = _integer(body, "exp_month"), _integer(body, "exp_year")
    try:
        card = check_card(number, exp_month, exp_year, cvc)
    except CardError as exc:
        raise ApiProblem(422, "invalid_card", str(exc), field=exc.field) from None
    if is_declined(number):
        raise ApiProblem(402, "card_declined", "the card was declined")
    token = await asyncio.to_thread(_repo(request).create_token, card.brand, card.last4)
    return web.json_response(token, status=201)


async def pay_invoice(request: web.Request) -> web.Response:
    """``POST /v1/invoices/{invoice_id}/payments`` with an ``Idempotency-Key`` header."""
    key = request.headers.get("Idempotency-Key", "")
    if not key:
        raise ApiProblem(400, "idempotency_key_required", "send an Idempotency-Key header")
    if not _KEY_RE.fullmatch(key):
        raise _invalid("Idempotency-Key must be 1 to 255 printable ASCII characters")
    body = await _json_object(request)
    token = _string(body, "token", 100)
    payment = await asyncio.to_thread(
        _repo(request).pay_invoice, request.match_info["invoice_id"], token, key
    )
    return web.json_response(payment, status=201)


async def create_handoff(request: web.Request) -> web.Response:
    """``POST /v1/handoffs``: the transcript is stored only when ``include_transcript``."""
    body = await _json_object(request)
    channel = _string(body, "channel", 32)
    language = _string(body, "language", 5)
    if language not in LANGUAGES:
        raise _invalid(f"'language' must be one of {', '.join(sorted(LANGUAGES))}")
    reason = _string(body, "reason", 500)
    include = body.get("include_transcript", False)
    if not isinstance(include, bool):
        raise _invalid("'include_transcript' must be true or false")
    transcript = body.get("transcript")
    if not _transcript_ok(transcript):
        raise _invalid("'transcript' must be null, a string or a list of {sender, text}")
    stored = json.dumps(transcript, ensure_ascii=False) if include and transcript else None
    handoff = await asyncio.to_thread(
        _repo(request).create_handoff, channel, language, reason, stored
    )
    return web.json_response(handoff, status=201)


def _transcript_ok(transcript: Any) -> bool:
    if transcript is None or isinstance(transcript, str):
        return True
    return isinstance(transcript, list) and all(
        isinstance(turn, dict)
        and isinstance(turn.get("sender"), str)
        and isinstance(turn.get("text"), str)
        for turn in transcript
    )


def add_routes(app: web.Application) -> None:
    """Register every route of the contract."""
    app.router.add_get("/health", health)
    app.router.add_get("/v1/customers/lookup", lookup_customer)
    app.router.add_get("/v1/customers/{customer_id}/invoices", list_invoices)
    app.router.add_post("/v1/payment-tokens", create_payment_token)
    app.router.add_post("/v1/invoices/{invoice_id}/payments", pay_invoice)
    app.router.add_post("/v1/handoffs", create_handoff)
