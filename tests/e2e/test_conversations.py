"""Whole conversations through the REST channel, in es, pt and en.

Everything is real: the trained model, the Rasa server, the action server
and the demo company API.
"""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from sigilo import keys
from sigilo.inventory import load_inventory
from sigilo.pseudonym import pseudonym
from sigilo.terms import notice_version, terms_text
from sigilo.tracker_store.db import make_engine
from tests.e2e.conftest import Chat, StoreSettings

pytestmark = pytest.mark.slow

MENU_PAYLOADS = {
    "/check_invoices",
    "/pay_invoice",
    "/privacy_policy",
    "/human_handoff",
    "/change_language",
}
PRIVACY_PAYLOADS = {
    "/delete_data",
    "/terms_of_use",
    "/export_data",
    "/withdraw_consent",
    "/open_menu",
}
GREETINGS = {
    "es": ("hola buenas", "¡Hola!"),
    "pt": ("oi, tudo bem?", "Olá!"),
    "en": ("hello", "Hi!"),
}
# A demo customer per language (see client_api/README.md).
CUSTOMERS = {"pt": "529.982.247-25", "es": "12345678Z", "en": "529.982.247-25"}


def payloads(replies: list[dict]) -> set[str]:
    return {button["payload"] for reply in replies for button in reply.get("buttons", [])}


def identify(chat: Chat, tin: str) -> list[dict]:
    chat.say("/check_invoices")
    chat.say("/give_consent")
    return chat.say(tin)


@pytest.mark.parametrize("language", ["es", "pt", "en"])
def test_greeting_in_the_consumers_language_shows_the_menu(chat: Chat, language: str) -> None:
    message, expected = GREETINGS[language]
    replies = chat.say(message)
    assert replies[0]["text"].startswith(expected)
    assert payloads(replies) == MENU_PAYLOADS
    assert chat.slots()["language"] == language


def test_language_from_channel_metadata(chat: Chat) -> None:
    chat.metadata = {"language": "pt-BR"}
    replies = chat.say("/open_menu")
    assert replies[0]["text"] == "Como posso ajudar?"
    assert chat.slots()["language_source"] == "metadata"


def test_language_changed_from_the_menu(chat: Chat) -> None:
    chat.say("hello")
    assert "/change_language" in payloads(chat.say("/open_menu"))
    choices = payloads(chat.say("/change_language"))
    assert '/choose_language{"language": "es"}' in choices
    replies = chat.say('/choose_language{"language": "es"}')
    assert "español" in replies[0]["text"]
    assert chat.slots()["language_source"] == "chosen"
    # A later English message does not switch back: the choice sticks.
    assert chat.text("ok thanks") != ""
    assert chat.slots()["language"] == "es"


@pytest.mark.parametrize("language", ["es", "pt", "en"])
def test_privacy_menu_and_terms(chat: Chat, language: str) -> None:
    chat.say(GREETINGS[language][0])
    assert payloads(chat.say("/privacy_policy")) == PRIVACY_PAYLOADS
    terms = chat.text("/terms_of_use")
    for must_mention in ("6", "4"):  # retention months, card last four
        assert must_mention in terms


@pytest.mark.parametrize("language", ["es", "pt", "en"])
def test_invoices_after_consent_and_tax_id(chat: Chat, language: str) -> None:
    chat.say(GREETINGS[language][0])
    consent_question = chat.say("/check_invoices")
    # Consent is asked before anything personal, with a way to read the terms.
    assert payloads(consent_question) == {"/give_consent", "/refuse_consent", "/terms_of_use"}
    assert chat.slots()["tin"] is None
    chat.say("/give_consent")
    replies = chat.say(CUSTOMERS[language])
    pay_buttons = [p for p in payloads(replies) if p.startswith("/pay_invoice")]
    assert pay_buttons, replies
    assert chat.slots()["tin"] == re.sub(r"[^0-9A-Z]", "", CUSTOMERS[language])
    assert chat.slots()["consent_given"] is True


def test_refused_consent_never_asks_for_the_tax_id(chat: Chat) -> None:
    chat.say("hello")
    chat.say("/check_invoices")
    replies = chat.say("/refuse_consent")
    assert "/human_handoff" in payloads(replies)
    assert "tax id number" not in json.dumps(replies)
    slots = chat.slots()
    assert slots["tin"] is None and slots["consent_given"] is None
    # Asking again asks for consent again.
    assert "/give_consent" in payloads(chat.say("/check_invoices"))


def test_wrong_check_digits_get_a_specific_reask_then_a_person(chat: Chat) -> None:
    chat.say("hello")
    chat.say("/check_invoices")
    chat.say("/give_consent")
    first = chat.text("529.982.247-24")
    assert "CPF" in first and "check digits" in first
    assert "length" in chat.text("12345")
    third = chat.say("529.982.247-00")
    assert "/human_handoff" in payloads(third)
    assert chat.slots()["tin"] is None


def _pay_button(chat: Chat, language_greeting: str, tin: str) -> str:
    chat.say(language_greeting)
    replies = identify(chat, tin)
    return next(p for p in sorted(payloads(replies)) if p.startswith("/pay_invoice"))


@pytest.mark.parametrize("language", ["es", "pt", "en"])
def test_pay_an_invoice_by_card(chat: Chat, language: str) -> None:
    button = _pay_button(chat, GREETINGS[language][0], CUSTOMERS[language])
    asked = chat.text(button)
    assert asked
    assert "4242" in chat.text("4242 4242 4242 4242")  # last four shown back, never more
    expired = chat.text("01/21")
    assert chat.slots()["card_expiry"] is None and expired
    chat.say("12/30")
    replies = chat.say("123")
    text = json.dumps(replies, ensure_ascii=False)
    assert "4242" in text and "4242424242424242" not in text and "4242 4242" not in text
    assert "pay_" in text  # payment reference
    slots = chat.slots()
    for slot in ("card_number", "card_expiry", "card_cvc", "card_brand", "card_last4"):
        assert slots[slot] is None, slot
    # The paid invoice is gone from the list.
    remaining = identify(Chat(chat.server), CUSTOMERS[language])
    assert button not in payloads(remaining)


def test_declined_card_is_forgotten(chat: Chat) -> None:
    button = _pay_button(chat, "hello", "20-12345678-6")
    chat.say(button)
    chat.say("4000 0000 0000 0002")
    chat.say("12/30")
    replies = chat.say("123")
    assert "declined" in json.dumps(replies)
    assert button in payloads(replies)  # "another card" retries the same invoice
    assert all(chat.slots()[slot] is None for slot in ("card_number", "card_cvc"))


def test_cancel_mid_payment_forgets_the_card(chat: Chat) -> None:
    button = _pay_button(chat, "hola", "X1234567L")
    chat.say(button)
    chat.say("5555 5555 5555 4444")
    assert chat.slots()["card_number"] == "5555555555554444"
    replies = chat.say("/cancel")
    assert payloads(replies) >= MENU_PAYLOADS
    slots = chat.slots()
    assert slots["card_number"] is None and slots["card_last4"] is None
    assert slots["tin"] == "X1234567L"  # nothing else collected is lost


@pytest.mark.parametrize("language", ["es", "pt", "en"])
def test_delete_my_data_restarts_clean(chat: Chat, language: str) -> None:
    chat.say(GREETINGS[language][0])
    identify(chat, CUSTOMERS[language])
    assert chat.slots()["tin"]
    confirm = chat.say("/delete_data")
    assert payloads(confirm) == {"/affirm", "/deny"}
    assert chat.slots()["tin"], "nothing is erased before the explicit yes"
    done = chat.say("/affirm")
    assert done and done[0]["text"]
    slots = chat.slots()
    assert slots["tin"] is None and slots["consent_given"] is None
    assert slots["language"] == language
    events = chat.server.http("GET", f"/conversations/{chat.sender}/tracker?include_events=ALL")
    assert any(event["event"] == "restart" for event in events["events"])
    # The next message starts a clean conversation and personal data is asked again.
    assert "/give_consent" in payloads(chat.say("/check_invoices"))


def test_deny_keeps_the_data(chat: Chat) -> None:
    identify(chat, "12345678Z")
    chat.say("/delete_data")
    chat.say("/deny")
    assert chat.slots()["tin"] == "12345678Z"


def test_withdraw_consent_clears_personal_slots(chat: Chat) -> None:
    identify(chat, "12345678Z")
    chat.say("/withdraw_consent")
    slots = chat.slots()
    assert slots["tin"] is None and slots["consent_given"] is None
    assert "/give_consent" in payloads(chat.say("/check_invoices"))


def test_export_data_summarises_what_is_held(chat: Chat) -> None:
    chat.say("hello")
    assert "no personal data" in chat.text("/export_data")
    identify(chat, "529.982.247-25")
    summary = chat.text("/export_data")
    assert "CPF" in summary and "4725" in summary and "52998224725" not in summary


def test_talk_to_a_person(chat: Chat) -> None:
    chat.say("hello")
    question = chat.say("/human_handoff")
    assert payloads(question) == {"/affirm", "/deny"}
    answer = chat.text("/deny")
    assert "hof_" in answer and "minutes" in answer


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "😀😀😀",
        "x" * 5000,
        "/no_such_intent",
        '/pay_invoice{"invoice_id": "inv_gone"}',
        "Bonjour, je voudrais connaître mes factures",
    ],
    ids=["empty", "blank", "emoji", "5000-chars", "unknown-payload", "old-button", "french"],
)
def test_bad_input_gets_a_sensible_reply_and_loses_nothing(chat: Chat, message: str) -> None:
    identify(chat, "12345678Z")
    replies = chat.say(message)
    assert any(reply.get("text") for reply in replies), replies
    assert chat.slots()["tin"] == "12345678Z"
    # The conversation still works afterwards.
    assert payloads(chat.say("/open_menu")) >= MENU_PAYLOADS


# --- consent ledger, erasure receipt, right of access (issue 6) -------------------


def _ledger(store: StoreSettings, sender: str) -> tuple[list[dict], list[dict]]:
    """The consumer's consent decisions and erasure receipts, read from the raw tables."""
    key = keys.pseudonym_key(store.env)
    mine = pseudonym(key, sender)
    engine = make_engine(store.url)
    with engine.connect() as conn:
        decisions = [
            dict(r._mapping)
            for r in conn.execute(
                sa.text("SELECT * FROM sigilo_consent_ledger WHERE pseudonym = :p ORDER BY id"),
                {"p": mine},
            )
        ]
        receipts = [
            dict(r._mapping)
            for r in conn.execute(
                sa.text("SELECT * FROM sigilo_erasure_receipts WHERE pseudonym = :p"), {"p": mine}
            )
        ]
    engine.dispose()
    return decisions, receipts


@pytest.mark.parametrize("language", ["es", "pt", "en"])
def test_terms_are_the_ones_generated_from_the_inventory(chat: Chat, language: str) -> None:
    chat.say(GREETINGS[language][0])
    assert chat.text("/terms_of_use") == terms_text(load_inventory(), language)


@pytest.mark.parametrize("language", ["es", "pt", "en"])
def test_withdrawal_is_one_button_and_is_recorded(
    chat: Chat, e2e_store: StoreSettings, language: str
) -> None:
    chat.say(GREETINGS[language][0])
    chat.say("/check_invoices")
    tin_question = chat.say("/give_consent")
    assert payloads(tin_question) == {"/withdraw_consent"}, "withdrawing is one click away"
    chat.say("/withdraw_consent")
    slots = chat.slots()
    assert slots["consent_given"] is None and slots["tin"] is None
    decisions, _ = _ledger(e2e_store, chat.sender)
    assert [d["decision"] for d in decisions] == ["given", "withdrawn"]
    assert {d["channel"] for d in decisions} == {"rest"}
    assert {d["notice_sha256"] for d in decisions} == {notice_version(load_inventory())}
    # no personal question follows: asking again starts with consent
    assert "/give_consent" in payloads(chat.say("/check_invoices"))


@pytest.mark.parametrize(
    ("language", "withdrawn"), [("es", "retirado"), ("pt", "retirado"), ("en", "withdrawn")]
)
def test_export_after_withdrawal_reads_the_stores(
    chat: Chat, language: str, withdrawn: str
) -> None:
    chat.say(GREETINGS[language][0])
    identify(chat, CUSTOMERS[language])
    given = chat.text("/export_data")
    assert re.sub(r"[^0-9A-Z]", "", CUSTOMERS[language])[-4:] in given
    chat.say("/withdraw_consent")
    summary = chat.text("/export_data")
    assert withdrawn in summary
    assert re.sub(r"[^0-9A-Z]", "", CUSTOMERS[language]) not in summary  # masked: last four
    assert chat.slots()["tin"] is None


@pytest.mark.parametrize("language", ["es", "pt", "en"])
def test_erasure_shows_the_receipt_it_files(
    chat: Chat, e2e_store: StoreSettings, language: str
) -> None:
    chat.say(GREETINGS[language][0])
    identify(chat, CUSTOMERS[language])
    chat.say("/delete_data")
    done = chat.text("/affirm")
    match = re.search(r"ER-[A-Z]{10}", done)
    assert match, done
    decisions, receipts = _ledger(e2e_store, chat.sender)
    assert decisions == [], "the consent records are erased with the conversation"
    assert [r["reference"] for r in receipts] == [match.group(0)]
    assert "tin" in receipts[0]["categories"].split(",")
    assert chat.sender not in repr(receipts)
