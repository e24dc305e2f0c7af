"""Event redaction before storage and the redacting log records."""

from __future__ import annotations

import logging

import pytest

from sigilo import log_filter
from sigilo.tracker_store.sanitize import for_broker, is_secret_placeholder, sanitize_event

SECRET = {"card_number", "card_expiry", "card_cvc"}
PERSONAL = {"tin", "customer_first_name"}


def test_secret_slot_values_never_survive() -> None:
    event = {"event": "slot", "name": "card_number", "value": "4242424242424242"}
    clean = sanitize_event(event, SECRET, PERSONAL)
    assert clean["value"] is None and is_secret_placeholder(clean)
    assert event["value"] == "4242424242424242"  # the input is not modified


def test_user_text_parse_data_and_metadata() -> None:
    event = {
        "event": "user",
        "text": "pay with 4242 4242 4242 4242 please",
        "parse_data": {
            "text": "pay with 4242 4242 4242 4242 please",
            "entities": [{"entity": "x", "value": "529.982.247-25"}],
            "metadata": {"ip": "203.0.113.9", "language": "pt"},
        },
        "metadata": {"User-Agent": "Mozilla", "page_url": "https://x", "language": "pt"},
    }
    clean = sanitize_event(event, SECRET, PERSONAL)
    text = repr(clean)
    for needle in ("4242 4242", "529.982.247-25", "203.0.113.9", "Mozilla", "https://x"):
        assert needle not in text
    assert clean["metadata"] == {"language": "pt"}
    kept = sanitize_event(event, SECRET, PERSONAL, privacy_mode=False)
    assert kept["metadata"]["User-Agent"] == "Mozilla"


def test_answers_to_secret_questions_and_known_values() -> None:
    event = {"event": "user", "text": "12/30", "parse_data": {"text": "12/30", "entities": []}}
    clean = sanitize_event(event, SECRET, PERSONAL, answers_secret=True)
    assert clean["text"] == clean["parse_data"]["text"] == "[secret]"
    bot = {"event": "bot", "text": "noted: 12/30 ok"}
    assert sanitize_event(bot, SECRET, PERSONAL, secret_values=["12/30"])["text"] == (
        "noted: [secret] ok"
    )


def test_personal_kept_for_storage_removed_for_the_broker() -> None:
    slot = {"event": "slot", "name": "customer_first_name", "value": "Filomena"}
    assert sanitize_event(slot, SECRET, PERSONAL)["value"] == "Filomena"
    assert for_broker(slot, PERSONAL, ["Filomena"])["value"] is None
    bot = {"event": "bot", "text": "Olá Filomena!"}
    assert for_broker(bot, PERSONAL, ["Filomena"])["text"] == "Olá [personal]!"


def test_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    log_filter.install()
    log_filter.install()  # idempotent
    with caplog.at_level(logging.INFO):
        logging.getLogger("rasa.test").info(
            "card %s cpf %s", "4242 4242 4242 4242", "529.982.247-25"
        )
        try:
            raise ValueError("cpf 529.982.247-25")
        except ValueError:
            logging.getLogger("rasa.test").exception("failed")
    assert "4242 4242" not in caplog.text and "529.982.247-25" not in caplog.text
    assert "card" in caplog.text
