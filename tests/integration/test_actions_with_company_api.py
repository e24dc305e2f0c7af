"""Actions against the demo company API running for real on loopback."""

from __future__ import annotations

import socket
import sqlite3
import time
from collections.abc import Iterator

import pytest

from actions.company_api_access import reset_company_api
from actions.handoff import ActionOpenHandoff
from actions.invoices import ActionCheckInvoices
from actions.payment import ActionPayInvoice
from tests.support.company_api import CompanyApiService
from tests.support.trackers import make_tracker, responses, run_action, slot_events

CARD = {
    "card_number": "4242424242424242",
    "card_expiry": "12/2030",
    "card_cvc": "123",
    "card_brand": "Visa",
    "card_last4": "4242",
}
ANA = {"consent_given": True, "tin": "52998224725", "tin_country": "BR", "language": "pt"}
MATEO = {"consent_given": True, "tin": "20123456786", "tin_country": "AR", "language": "es"}
CARD_FORM_STARTED = [{"event": "active_loop", "name": "card_form", "timestamp": 123.0}]


@pytest.fixture
def api(
    private_company_api: CompanyApiService, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CompanyApiService]:
    """Points the actions' client at a demo API whose data the test may change."""
    monkeypatch.setenv("SIGILO_COMPANY_API_URL", private_company_api.url)
    monkeypatch.setenv("SIGILO_COMPANY_API_TOKEN", private_company_api.token)
    reset_company_api()
    yield private_company_api
    reset_company_api()


@pytest.fixture
def api_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Points the actions' client at a closed port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("SIGILO_COMPANY_API_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("SIGILO_COMPANY_API_TOKEN", "whatever")
    reset_company_api()
    yield
    reset_company_api()


def charges(api: CompanyApiService) -> int:
    with sqlite3.connect(api.db_path) as db:
        return db.execute("SELECT COUNT(*) FROM charges").fetchone()[0]


async def open_invoice_ids(tin_slots: dict) -> list[str]:
    _, messages = await run_action(ActionCheckInvoices(), make_tracker(tin_slots))
    return [m["invoice_id"] for m in messages if m.get("invoice_id")]


async def test_lists_unpaid_invoices_with_localised_amounts(api: CompanyApiService) -> None:
    events, messages = await run_action(ActionCheckInvoices(), make_tracker(ANA))
    names = responses(messages)
    assert names[0] == "utter_invoices_header" and messages[0]["count"] == 2
    assert set(names[1:]) == {"utter_invoice_overdue", "utter_invoice_open"}
    amounts = {m["amount"] for m in messages[1:]}
    assert amounts == {"129,90", "89,90"}
    assert slot_events(events)["api_status"] == "ok"


async def test_payment_wording_when_paying(api: CompanyApiService) -> None:
    _, messages = await run_action(
        ActionCheckInvoices(), make_tracker({**ANA, "requested_feature": "payment"})
    )
    assert responses(messages)[-1] == "utter_choose_invoice_to_pay"


async def test_customer_with_nothing_to_pay(api: CompanyApiService) -> None:
    slots = {"consent_given": True, "tin": "123456789", "tin_country": "PT"}
    _, messages = await run_action(ActionCheckInvoices(), make_tracker(slots))
    assert responses(messages) == ["utter_no_open_invoices"]


async def test_valid_tax_id_of_nobody(api: CompanyApiService) -> None:
    slots = {"consent_given": True, "tin": "11144477735", "tin_country": "BR"}
    _, messages = await run_action(ActionCheckInvoices(), make_tracker(slots))
    assert responses(messages) == ["utter_customer_not_found"]
    assert messages[0]["tin_last4"] == "7735" and messages[0]["tin_kind"] == "CPF"


async def test_nothing_is_looked_up_without_consent(api: CompanyApiService) -> None:
    slots = {"tin": "52998224725", "tin_country": "BR"}
    _, messages = await run_action(ActionCheckInvoices(), make_tracker(slots))
    assert responses(messages) == ["utter_consent_refused"]


async def test_api_down_says_try_again_within_seconds(api_down: None) -> None:
    started = time.monotonic()
    events, messages = await run_action(ActionCheckInvoices(), make_tracker(ANA))
    assert time.monotonic() - started < 5
    assert responses(messages) == ["utter_try_again_later"]
    assert slot_events(events) == {"api_status": "unavailable"}


async def test_payment_charges_once_even_when_retried(api: CompanyApiService) -> None:
    invoice_id = (await open_invoice_ids(MATEO))[0]
    tracker = make_tracker({**MATEO, **CARD, "invoice_id": invoice_id}, events=CARD_FORM_STARTED)
    before = charges(api)
    events, messages = await run_action(ActionPayInvoice(), tracker)
    assert responses(messages) == ["utter_payment_succeeded"]
    assert messages[0]["last4"] == "4242" and "4242424242424242" not in str(messages)
    assert all(value is None for value in slot_events(events).values())
    # Rasa retrying the same action (same form start) must not charge again.
    retry = make_tracker({**MATEO, **CARD, "invoice_id": invoice_id}, events=CARD_FORM_STARTED)
    _, retry_messages = await run_action(ActionPayInvoice(), retry)
    assert charges(api) == before + 1
    # The retry sees the invoice paid: it says so and lists what is still open.
    assert responses(retry_messages)[0] == "utter_invoice_unknown"
    assert invoice_id not in await open_invoice_ids(MATEO)


async def test_declined_card(api: CompanyApiService) -> None:
    invoice_id = (await open_invoice_ids(ANA))[0]
    declined = {**CARD, "card_number": "4000000000000002", "card_last4": "0002"}
    tracker = make_tracker({**ANA, **declined, "invoice_id": invoice_id}, events=CARD_FORM_STARTED)
    events, messages = await run_action(ActionPayInvoice(), tracker)
    assert responses(messages) == ["utter_payment_declined"]
    assert messages[0]["invoice_id"] == invoice_id
    assert slot_events(events)["card_number"] is None


async def test_someone_elses_invoice_is_not_paid(api: CompanyApiService) -> None:
    other = (await open_invoice_ids(MATEO))[0]
    tracker = make_tracker({**ANA, **CARD, "invoice_id": other}, events=CARD_FORM_STARTED)
    before = charges(api)
    _, messages = await run_action(ActionPayInvoice(), tracker)
    assert responses(messages)[0] == "utter_invoice_unknown"
    assert charges(api) == before


async def test_api_down_during_payment_still_forgets_the_card(api_down: None) -> None:
    tracker = make_tracker({**ANA, **CARD, "invoice_id": "inv_x"}, events=CARD_FORM_STARTED)
    events, messages = await run_action(ActionPayInvoice(), tracker)
    assert responses(messages) == ["utter_try_again_later"]
    assert all(slot_events(events)[slot] is None for slot in CARD)


async def test_handoff_without_transcript(api: CompanyApiService) -> None:
    tracker = make_tracker({"handoff_share_transcript": False}, text="quero um humano")
    events, messages = await run_action(ActionOpenHandoff(), tracker)
    assert responses(messages) == ["utter_handoff_opened"]
    assert messages[0]["reference"].startswith("hof_")
    with sqlite3.connect(api.db_path) as db:
        stored = db.execute("SELECT * FROM handoffs").fetchall()
    assert "quero um humano" not in str(stored)
    assert slot_events(events) == {"handoff_share_transcript": None}


async def test_shared_transcript_is_redacted(api: CompanyApiService) -> None:
    history = [{"event": "user", "timestamp": 1.0, "text": "my card is 4242 4242 4242 4242"}]
    tracker = make_tracker({"handoff_share_transcript": True}, text="a person", events=history)
    await run_action(ActionOpenHandoff(), tracker)
    raw = api.db_bytes()
    assert b"a person" in raw  # the transcript was shared…
    assert b"4242 4242 4242 4242" not in raw and b"4242424242424242" not in raw  # …redacted


async def test_handoff_when_api_down(api_down: None) -> None:
    _, messages = await run_action(ActionOpenHandoff(), make_tracker())
    assert responses(messages) == ["utter_try_again_later"]
