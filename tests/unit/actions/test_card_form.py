"""``validate_card_form``: number, expiry and security code."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.payment import ValidateCardForm, clear_card_slots, idempotency_key
from tests.support.trackers import make_tracker, responses

FORM = ValidateCardForm()
IDENTIFIED = {"consent_given": True, "tin": "12345678Z", "tin_country": "ES"}


async def test_no_card_question_without_identity_and_invoice() -> None:
    slots = ["card_number", "card_expiry", "card_cvc"]
    dispatcher = CollectingDispatcher()
    assert await FORM.required_slots(slots, dispatcher, make_tracker(IDENTIFIED), {}) == []
    tracker = make_tracker({"invoice_id": "inv_1"})
    assert await FORM.required_slots(slots, dispatcher, tracker, {}) == []
    tracker = make_tracker({**IDENTIFIED, "invoice_id": "inv_1"})
    assert await FORM.required_slots(slots, dispatcher, tracker, {}) == slots


async def test_valid_number_keeps_digits_brand_and_last_four() -> None:
    result = await FORM.validate_card_number(
        "4242-4242-4242-4242", CollectingDispatcher(), make_tracker(), {}
    )
    assert result == {"card_number": "4242424242424242", "card_brand": "Visa", "card_last4": "4242"}


async def test_luhn_failure_is_reasked_without_echoing_the_number() -> None:
    dispatcher = CollectingDispatcher()
    result = await FORM.validate_card_number("4242 4242 4242 4241", dispatcher, make_tracker(), {})
    assert result == {"card_number": None}
    assert responses(dispatcher.messages) == ["utter_invalid_card_number"]
    assert "4241" not in str(dispatcher.messages)


async def test_unknown_brand() -> None:
    dispatcher = CollectingDispatcher()
    await FORM.validate_card_number("9999 9999 9999 9995", dispatcher, make_tracker(), {})
    assert responses(dispatcher.messages) == ["utter_invalid_card_number_brand"]


async def test_expired_card() -> None:
    dispatcher = CollectingDispatcher()
    result = await FORM.validate_card_expiry("01/21", dispatcher, make_tracker(), {})
    assert result == {"card_expiry": None}
    assert responses(dispatcher.messages) == ["utter_invalid_card_expiry_past"]


async def test_expiry_is_normalised() -> None:
    result = await FORM.validate_card_expiry("3/31", CollectingDispatcher(), make_tracker(), {})
    assert result == {"card_expiry": "03/2031"}


async def test_unreadable_expiry() -> None:
    dispatcher = CollectingDispatcher()
    await FORM.validate_card_expiry("soon", dispatcher, make_tracker(), {})
    assert responses(dispatcher.messages) == ["utter_invalid_card_expiry"]


async def test_amex_needs_four_digit_code() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({"card_brand": "American Express"})
    assert await FORM.validate_card_cvc("123", dispatcher, tracker, {}) == {"card_cvc": None}
    assert dispatcher.messages[0]["cvc_length"] == 4
    assert await FORM.validate_card_cvc("1234", dispatcher, tracker, {}) == {"card_cvc": "1234"}


def test_clearing_covers_every_card_slot() -> None:
    cleared = {event["name"] for event in clear_card_slots()}
    assert cleared == {"card_number", "card_expiry", "card_cvc", "card_brand", "card_last4"}


def test_idempotency_key_is_stable_for_one_attempt_and_new_for_the_next() -> None:
    started = [{"event": "active_loop", "name": "card_form", "timestamp": 100.0}]
    first = idempotency_key(make_tracker(events=started), "inv_1")
    assert first == idempotency_key(make_tracker(events=started), "inv_1")
    again = [*started, {"event": "active_loop", "name": "card_form", "timestamp": 200.0}]
    assert idempotency_key(make_tracker(events=again), "inv_1") != first
    assert idempotency_key(make_tracker(events=started, sender_id="other"), "inv_1") != first
