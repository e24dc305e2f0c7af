"""Erasure, withdrawal and greeting actions (the right of access reads the real store:
tests/integration/tracker_store/test_access.py)."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.greeting import ActionGreet
from actions.language import ValidateSlotMappings
from actions.privacy import ActionDeleteData, ActionWithdrawConsent
from sigilo.consent.ledger import is_reference
from sigilo.inventory import load_inventory
from sigilo.redaction import redact
from tests.support.trackers import make_tracker, responses, run_action, slot_events

IDENTIFIED = {
    "consent_given": True,
    "tin": "52998224725",
    "tin_country": "BR",
    "language": "pt",
    "language_source": "detected",
    "customer_first_name": "Ana",
}


async def test_delete_shows_the_receipt_then_restarts_keeping_only_the_language() -> None:
    events, messages = await run_action(ActionDeleteData(), make_tracker(IDENTIFIED))
    assert responses(messages) == ["utter_data_deleted"]
    reference = messages[0]["receipt"]
    assert is_reference(reference)
    assert events[0]["event"] == "restart"
    # the store files the receipt under the reference passed after the restart; the
    # slot is cleared in the same turn, so the new conversation remembers nothing
    receipts = [e["value"] for e in events if e.get("name") == "erasure_receipt"]
    assert receipts == [reference, None]
    assert slot_events(events) == {
        "language": "pt",
        "language_source": "detected",
        "erasure_receipt": None,
    }


def test_receipt_references_survive_redaction() -> None:
    """The stored slot is redacted like any text: a reference must come out unchanged."""
    from sigilo.consent.ledger import new_reference

    for _ in range(500):
        reference = new_reference()
        assert redact(reference) == reference


async def test_withdraw_clears_what_the_inventory_names_and_marks_it() -> None:
    events, messages = await run_action(ActionWithdrawConsent(), make_tracker(IDENTIFIED))
    assert responses(messages) == ["utter_consent_withdrawn"]
    cleared = slot_events(events)
    assert cleared.pop("consent_withdrawn") is True
    assert set(cleared) == load_inventory().withdrawal_slots
    assert all(value is None for value in cleared.values())


async def test_the_messenger_name_is_not_read_again_after_a_withdrawal() -> None:
    action = ValidateSlotMappings()
    metadata = {"customer_first_name": "Ana"}
    fresh = make_tracker(metadata=metadata, channel="facebook")
    assert await action.extract_customer_first_name(CollectingDispatcher(), fresh, {}) == {
        "customer_first_name": "Ana"
    }
    withdrawn = make_tracker({"consent_withdrawn": True}, metadata=metadata, channel="facebook")
    assert await action.extract_customer_first_name(CollectingDispatcher(), withdrawn, {}) == {}


async def test_greeting_by_name_only_when_known() -> None:
    _, messages = await run_action(ActionGreet(), make_tracker({"customer_first_name": "Ana"}))
    assert responses(messages) == ["utter_greet_name"]
    _, messages = await run_action(ActionGreet(), make_tracker())
    assert responses(messages) == ["utter_greet"]
