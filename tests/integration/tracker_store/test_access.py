"""Right of access: the export read from the real stores (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.events import ActionExecuted, SlotSet

from actions import privacy
from actions.privacy import ActionExportData
from sigilo.access import export_document, summarise
from sigilo.consent import ledger
from sigilo.tracker_store.db import URL_ENV
from tests.integration.tracker_store.test_consent_ledger import (
    SENDER,
    TIN,
    erase,
    give_consent,
    make_store,
    turn,
    user,
    withdraw,
)
from tests.support.trackers import make_tracker, responses, run_action

CARD = "4242424242424242"


@pytest.fixture
def action_store(database: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The action server pointed at the test database, as run.py and the e2e fixtures do."""
    monkeypatch.setenv(URL_ENV, database.url)
    privacy._repository.cache_clear()
    yield database
    privacy._repository.cache_clear()


async def identified(store: Any) -> None:
    await give_consent(store, SENDER)
    await turn(
        store,
        SENDER,
        user("529.982.247-25", "inform"),
        SlotSet("tin", TIN),
        SlotSet("tin_country", "BR"),
        SlotSet("customer_first_name", "Filomena"),
        ActionExecuted("action_listen"),
    )


async def test_document_holds_what_is_stored_and_no_card_data(database: Any, domain: Any) -> None:
    store = make_store(database, domain)
    await identified(store)
    await turn(
        store,
        SENDER,
        user(f"my card {CARD}", "inform"),
        SlotSet("card_number", CARD),
        SlotSet("card_last4", "4242"),
    )
    document = export_document(store.repository, SENDER)
    assert document["conversation_id"] == SENDER
    assert document["conversation"]["messages_from_you"] == 4
    assert document["personal_data"]["tin"] == {
        "current": TIN,
        "stored_values": [TIN],
        "encrypted": True,
        "purpose": "identify the customer in the company's records to show and pay invoices",
    }
    assert document["personal_data"]["customer_first_name"]["current"] == "Filomena"
    assert [d["decision"] for d in document["consent"]] == ["given"]
    assert document["consent"][0]["channel"] == "facebook"
    assert document["card_data"] == {"stored_values": 0}
    assert document["slots"]["card_last4"] == "4242" and "card_number" not in document["slots"]
    text = json.dumps(document)
    assert CARD not in text, "card data is never stored, so never exported"

    summary = summarise(document)
    assert summary.tin is not None and summary.tin.in_use and summary.tin.value == TIN
    assert summary.consent_decision == "given" and summary.message_count == 4


async def test_after_withdrawal_the_history_value_is_reported_unused(
    database: Any, domain: Any
) -> None:
    store = make_store(database, domain)
    await identified(store)
    await withdraw(store, SENDER)
    summary = summarise(export_document(store.repository, SENDER))
    assert summary.tin is not None and not summary.tin.in_use
    assert summary.consent_decision == "withdrawn"


async def test_after_erasure_only_the_receipt_is_left(database: Any, domain: Any) -> None:
    store = make_store(database, domain)
    await identified(store)
    reference = ledger.new_reference()
    await erase(store, SENDER, reference)
    document = export_document(store.repository, SENDER)
    assert all(not v["stored_values"] for v in document["personal_data"].values())
    assert document["consent"] == []
    assert [e["reference"] for e in document["erasures"]] == [reference]
    assert TIN not in json.dumps(document) and "Filomena" not in json.dumps(document)
    assert not summarise(document).has_personal_data


async def test_the_action_reads_the_store_rasa_writes(action_store: Any, domain: Any) -> None:
    store = make_store(action_store, domain)
    await identified(store)
    tracker = make_tracker({"language": "pt"}, sender_id=SENDER, text="/export_data")
    _, messages = await run_action(ActionExportData(), tracker)
    assert responses(messages) == [
        "utter_export_summary",
        "utter_export_tin",
        "utter_export_name",
        "utter_export_consent_given",
        "utter_export_footer",
    ]
    header, tin, name, consent, _ = messages
    assert header["message_count"] == 3 and "/" in header["since"]  # dd/mm/yyyy in pt
    assert tin["tin_kind"] == "CPF" and tin["tin_last4"] == "4725"
    assert name["first_name"] == "Filomena"
    assert consent["purpose"] == "consultar e pagar suas faturas"
    assert TIN not in json.dumps(messages)


async def test_a_stranger_gets_no_personal_data(action_store: Any, domain: Any) -> None:
    store = make_store(action_store, domain)
    await identified(store)
    _, messages = await run_action(ActionExportData(), make_tracker(sender_id="someone-else"))
    assert responses(messages) == ["utter_export_no_personal_data"]
    assert messages[0]["message_count"] == 0


async def test_an_unreadable_store_gets_a_clear_reply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(URL_ENV, f"sqlite:///{tmp_path / 'never-migrated.db'}")
    privacy._repository.cache_clear()
    _, messages = await run_action(ActionExportData(), make_tracker())
    privacy._repository.cache_clear()
    assert responses(messages) == ["utter_export_unavailable"]
