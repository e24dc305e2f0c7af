"""From Rasa events to counters: intents only, replays skipped, days, allow-lists."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Restarted,
    SlotSet,
    UserUttered,
)

from sigilo.metrics.counting import click_name, count_turn
from sigilo.metrics.features import FeatureMap, load_features, parse_features

ROOT = Path(__file__).resolve().parents[3]
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc).timestamp()
DAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def features() -> FeatureMap:
    return load_features(ROOT / "metrics.yml")


def user(text: str, intent: str, channel: str = "rest", **kwargs: Any) -> UserUttered:
    return UserUttered(
        text,
        intent={"name": intent, "confidence": 1.0},
        parse_data={"text": text, "intent": {"name": intent}, "entities": []},
        input_channel=channel,
        timestamp=kwargs.pop("timestamp", NOON),
        **kwargs,
    )


def at(event: Any, stamp: float = NOON) -> Any:
    event.timestamp = stamp
    return event


def simple(counts: Any) -> dict[tuple[str, str, str, str], int]:
    return {(k.channel, k.language, k.kind, k.name): n for k, n in counts.items()}


def test_click_keeps_the_intent_never_the_entities(features: FeatureMap) -> None:
    payload = '/pay_invoice{"invoice_id": "inv_7Q2X9"}'
    new = [user(payload, "pay_invoice", message_id="m1"), at(SlotSet("language", "pt"))]
    counts = count_turn([], new, features)
    assert simple(counts) == {("rest", "pt", "click", "/pay_invoice"): 1}
    assert "inv_7Q2X9" not in repr(counts)
    assert {k.day for k in counts} == {DAY}


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("/greet", "greet", "/greet"),
        ('/choose_language{"language": "pt"}', "choose_language", "/choose_language"),
        ("/affirm@0.9", "affirm", "/affirm"),
        ("  /open_menu ", "open_menu", "/open_menu"),
        ("/secret words of mine", "nlu_fallback", None),  # unknown payload: guard's fallback
        ("/greetings", "greet", None),
        ("hello there", "greet", None),  # typed, not a button
        ("", "greet", None),
    ],
)
def test_click_name(text: str, intent: str, expected: str | None) -> None:
    assert click_name(user(text, intent)) == expected


def test_features_from_intents_actions_responses_and_slots(features: FeatureMap) -> None:
    new = [
        user("quero ver minhas faturas", "check_invoices", message_id="a"),
        at(SlotSet("language", "pt")),
        at(ActionExecuted("tin_form")),
        at(SlotSet("consent_given", True)),  # from the slot mapping...
        at(SlotSet("consent_given", True)),  # ...and again from the validator: once
        at(ActionExecuted("action_check_invoices")),  # counts nothing: the response does
        at(BotUttered("2 faturas", metadata={"utter_action": "utter_invoices_header"})),
        at(BotUttered("Pago", metadata={"utter_action": "utter_payment_succeeded"})),
        at(ActionExecuted("action_listen")),
    ]
    assert simple(count_turn([], new, features)) == {
        ("rest", "pt", "feature", "consent_given"): 1,
        ("rest", "pt", "feature", "invoices_checked"): 1,
        ("rest", "pt", "feature", "payment_made"): 1,
    }


def test_consent_counts_again_only_after_it_was_cleared(features: FeatureMap) -> None:
    earlier = [user("/give_consent", "give_consent"), at(SlotSet("consent_given", True))]
    again = [user("/check_invoices", "check_invoices"), at(SlotSet("consent_given", True))]
    assert ("rest", "unknown", "feature", "consent_given") not in simple(
        count_turn(earlier, again, features)
    )
    withdrawn = [*earlier, at(SlotSet("consent_given", None))]
    assert (
        simple(count_turn(withdrawn, again, features))[
            ("rest", "unknown", "feature", "consent_given")
        ]
        == 1
    )


def test_replayed_message_and_its_answer_are_skipped(features: FeatureMap) -> None:
    earlier = [user("/check_invoices", "check_invoices", message_id="mid.1")]
    replay = [
        user("/check_invoices", "check_invoices", message_id="mid.1"),
        at(BotUttered("2 invoices", metadata={"utter_action": "utter_invoices_header"})),
        user("/terms_of_use", "terms_of_use", message_id="mid.2"),
        at(ActionExecuted("utter_terms_of_use")),
        at(BotUttered("Terms", metadata={"utter_action": "utter_terms_of_use"})),
    ]
    assert simple(count_turn(earlier, replay, features)) == {
        ("rest", "unknown", "click", "/terms_of_use"): 1,
        ("rest", "unknown", "feature", "terms_read"): 1,
    }
    # the same id twice within one turn counts once too
    twice = [user("/greet", "greet", message_id="x"), user("/greet", "greet", message_id="x")]
    assert simple(count_turn([], twice, features))[("rest", "unknown", "click", "/greet")] == 1


def test_first_message_counts_in_the_language_the_bot_answers(features: FeatureMap) -> None:
    new = [
        user("/greet", "greet"),
        at(SlotSet("language", "es")),
        at(ActionExecuted("action_greet")),
        user('/choose_language{"language": "pt"}', "choose_language"),
        at(SlotSet("language", "pt")),
    ]
    assert simple(count_turn([], new, features)) == {
        ("rest", "es", "click", "/greet"): 1,
        ("rest", "es", "feature", "menu_opened"): 1,
        ("rest", "pt", "click", "/choose_language"): 1,
        ("rest", "pt", "feature", "language_changed"): 1,
    }


def test_channels_and_languages_outside_the_lists_are_other(features: FeatureMap) -> None:
    new = [
        user("/greet", "greet", channel="my-own-name@example.com"),
        at(SlotSet("language", "fr")),
    ]
    assert simple(count_turn([], new, features)) == {
        ("other", "other", "click", "/greet"): 1,
        ("other", "other", "feature", "menu_opened"): 1,
    }


def test_erasure_turn_counts_the_deletion(features: FeatureMap) -> None:
    earlier = [user("/delete_data", "delete_data"), at(SlotSet("language", "en"))]
    new = [
        user("/affirm", "affirm"),
        at(ActionExecuted("action_delete_data")),
        at(BotUttered("Done")),
        at(Restarted()),
        at(SlotSet("language", "en")),
        at(ActionExecuted("action_listen")),
    ]
    assert simple(count_turn(earlier, new, features)) == {
        ("rest", "en", "click", "/affirm"): 1,
        ("rest", "en", "feature", "data_deleted"): 1,
    }


def test_days_follow_the_configured_time_zone() -> None:
    features = parse_features(
        "timezone: America/Sao_Paulo\nfeatures:\n  x:\n    - action: action_check_invoices\n"
    )
    late = datetime(2026, 11, 21, 1, 30, tzinfo=timezone.utc).timestamp()  # 22:30 in Brazil
    (key,) = count_turn([], [at(ActionExecuted("action_check_invoices"), late)], features)
    assert key.day == date(2026, 11, 20)
