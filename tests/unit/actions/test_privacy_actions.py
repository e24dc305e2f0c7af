"""Erasure, withdrawal, right of access and greeting actions."""

from __future__ import annotations

from actions.greeting import ActionGreet
from actions.privacy import ActionDeleteData, ActionExportData, ActionWithdrawConsent
from tests.support.trackers import make_tracker, responses, run_action, slot_events

IDENTIFIED = {
    "consent_given": True,
    "tin": "52998224725",
    "tin_country": "BR",
    "language": "pt",
    "language_source": "detected",
}


async def test_delete_confirms_then_restarts_keeping_only_the_language() -> None:
    events, messages = await run_action(ActionDeleteData(), make_tracker(IDENTIFIED))
    assert responses(messages) == ["utter_data_deleted"]
    assert events[0]["event"] == "restart"
    assert slot_events(events) == {"language": "pt", "language_source": "detected"}


async def test_withdraw_clears_every_personal_slot() -> None:
    events, messages = await run_action(ActionWithdrawConsent(), make_tracker(IDENTIFIED))
    assert responses(messages) == ["utter_consent_withdrawn"]
    cleared = slot_events(events)
    assert cleared["tin"] is None and cleared["consent_given"] is None
    assert cleared["customer_first_name"] is None


async def test_export_masks_the_tax_id() -> None:
    history = [
        {"event": "user", "timestamp": 1_700_000_000.0, "text": "oi"},
        {"event": "bot", "timestamp": 1_700_000_001.0, "text": "Olá"},
    ]
    _, messages = await run_action(ActionExportData(), make_tracker(IDENTIFIED, events=history))
    assert responses(messages) == ["utter_export_summary"]
    message = messages[0]
    assert message["tin_kind"] == "CPF" and message["tin_last4"] == "4725"
    assert message["message_count"] == 2  # the earlier one plus the current message
    assert message["since"] == "14/11/2023"
    assert "52998224725" not in str(message)


async def test_export_counts_only_since_the_last_erasure() -> None:
    history = [
        {"event": "user", "timestamp": 1.0, "text": "old"},
        {"event": "restart", "timestamp": 2.0},
    ]
    _, messages = await run_action(ActionExportData(), make_tracker(events=history))
    assert responses(messages) == ["utter_export_no_personal_data"]
    assert messages[0]["message_count"] == 1


async def test_greeting_by_name_only_when_known() -> None:
    _, messages = await run_action(ActionGreet(), make_tracker({"customer_first_name": "Ana"}))
    assert responses(messages) == ["utter_greet_name"]
    _, messages = await run_action(ActionGreet(), make_tracker())
    assert responses(messages) == ["utter_greet"]
