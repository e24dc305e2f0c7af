"""The consent ledger, written by the real store on SQLite and PostgreSQL, read raw."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)

from sigilo.consent import ledger
from sigilo.inventory import load_inventory
from sigilo.pseudonym import pseudonym
from sigilo.terms import notice_version
from sigilo.tracker_store import PrivacyTrackerStore
from sigilo.tracker_store.db import make_engine

SENDER = "messenger-31415926535"
OTHER = "web-session-other"
TIN = "52998224725"


def make_store(database: Any, domain: Any) -> PrivacyTrackerStore:
    return PrivacyTrackerStore(domain=domain, host=database.url)


def user(text: str, intent: str, channel: str = "facebook") -> UserUttered:
    return UserUttered(
        text,
        intent={"name": intent, "confidence": 1.0},
        parse_data={"text": text, "intent": {"name": intent}, "entities": []},
        input_channel=channel,
    )


def rows(database: Any, table: str) -> list[dict[str, Any]]:
    engine = make_engine(database.url)
    with engine.connect() as conn:
        result = [dict(r._mapping) for r in conn.execute(sa.text(f"SELECT * FROM {table}"))]
    engine.dispose()
    return result


async def turn(store: PrivacyTrackerStore, sender: str, *events: Any) -> None:
    """Loads the conversation, appends ``events`` and saves, as Rasa does per message."""
    tracker = await store.retrieve(sender)
    if tracker is None:
        from rasa.shared.core.trackers import DialogueStateTracker

        tracker = DialogueStateTracker(sender, store.domain.slots)
        for event in (ActionExecuted("action_session_start"), SessionStarted()):
            tracker.update(event)
    for event in events:
        tracker.update(event)
    await store.save(tracker)


async def give_consent(store: PrivacyTrackerStore, sender: str, channel: str = "facebook") -> None:
    await turn(
        store,
        sender,
        user("/check_invoices", "check_invoices", channel),
        SlotSet("requested_slot", "consent_given"),
        BotUttered("To look up your invoices I need your tax id…"),
        ActionExecuted("action_listen"),
    )
    await turn(
        store,
        sender,
        user("/give_consent", "give_consent", channel),
        SlotSet("consent_given", True),
        SlotSet("consent_given", True),  # the form's validation sets it again
        SlotSet("requested_slot", "tin"),
        ActionExecuted("action_listen"),
    )


async def withdraw(store: PrivacyTrackerStore, sender: str) -> None:
    await turn(
        store,
        sender,
        user("/withdraw_consent", "withdraw_consent"),
        ActionExecuted("action_withdraw_consent"),
        BotUttered("You withdrew your consent"),
        SlotSet("consent_given", None),
        SlotSet("tin", None),
        SlotSet("consent_withdrawn", True),
        ActionExecuted("action_listen"),
    )


async def erase(store: PrivacyTrackerStore, sender: str, reference: str) -> None:
    await turn(
        store,
        sender,
        user("/affirm", "affirm"),
        ActionExecuted("action_delete_data"),
        BotUttered(f"Done. Receipt {reference}."),
        Restarted(),
        SlotSet("language", "en"),
        SlotSet("erasure_receipt", reference),
        SlotSet("erasure_receipt", None),  # as action_delete_data does
        ActionExecuted("action_listen"),
    )


def _pseudonym(sender: str) -> str:
    from sigilo.keys import pseudonym_key

    return pseudonym(pseudonym_key(), sender)


async def test_given_and_withdrawn_are_recorded_with_channel_and_notice(
    database: Any, domain: Any
) -> None:
    store = make_store(database, domain)
    await give_consent(store, SENDER)
    await turn(store, SENDER, user(TIN, "inform"), SlotSet("tin", TIN))
    await withdraw(store, SENDER)

    entries = rows(database, "sigilo_consent_ledger")
    assert [e["decision"] for e in entries] == ["given", "withdrawn"]
    assert {e["pseudonym"] for e in entries} == {_pseudonym(SENDER)}
    assert {e["channel"] for e in entries} == {"facebook"}
    assert {e["purpose"] for e in entries} == {"invoices"}
    assert {e["notice_sha256"] for e in entries} == {notice_version(load_inventory())}
    assert entries[0]["recorded_at"] <= entries[1]["recorded_at"]
    # nothing in the ledger leads back to the person without the key
    dump = repr(entries)
    for needle in (SENDER, TIN, "/give_consent"):
        assert needle not in dump


async def test_refusal_is_one_decision_and_a_replayed_yes_is_none(
    database: Any, domain: Any
) -> None:
    store = make_store(database, domain)
    await turn(
        store,
        SENDER,
        user("no", "refuse_consent", "rest"),
        SlotSet("consent_given", False),  # the slot mapping
        SlotSet("consent_given", None),  # the form's validation empties it again
        SlotSet("requested_slot", None),
    )
    await give_consent(store, SENDER, "rest")
    # a new session carries the slots over: not a new decision
    await turn(
        store,
        SENDER,
        ActionExecuted("action_session_start"),
        SessionStarted(),
        SlotSet("consent_given", True),
        ActionExecuted("action_listen"),
        user("hello", "greet", "rest"),
    )
    decisions = [e["decision"] for e in rows(database, "sigilo_consent_ledger")]
    assert decisions == ["refused", "given"]


async def test_erasure_deletes_the_ledger_but_files_the_receipt_shown(
    database: Any, domain: Any
) -> None:
    store = make_store(database, domain)
    await give_consent(store, SENDER)
    await give_consent(store, OTHER)
    reference = ledger.new_reference()
    await erase(store, SENDER, reference)

    entries = rows(database, "sigilo_consent_ledger")
    assert {e["pseudonym"] for e in entries} == {_pseudonym(OTHER)}, "other consumers kept"
    receipts = rows(database, "sigilo_erasure_receipts")
    assert len(receipts) == 1
    receipt = receipts[0]
    assert receipt["reference"] == reference
    assert receipt["pseudonym"] == _pseudonym(SENDER)
    assert receipt["requested_by"] == "consumer"
    assert receipt["categories"].split(",") == [
        "consent_ledger",
        "customer_first_name",
        "tin",
        "transcript",
    ]
    assert SENDER not in repr(receipt)
    # after the erasure the conversation goes on; a new yes is a new decision
    await give_consent(store, SENDER)
    mine = [
        e for e in rows(database, "sigilo_consent_ledger") if e["pseudonym"] == _pseudonym(SENDER)
    ]
    assert [e["decision"] for e in mine] == ["given"]


async def test_operator_erasure_files_a_receipt_too(database: Any, domain: Any) -> None:
    store = make_store(database, domain)
    await give_consent(store, SENDER)
    assert store.repository.erase(SENDER) > 0
    assert rows(database, "sigilo_consent_ledger") == []
    (receipt,) = rows(database, "sigilo_erasure_receipts")
    assert receipt["requested_by"] == "operator" and ledger.is_reference(receipt["reference"])


async def test_ledger_failure_rolls_the_whole_erasure_back(
    database: Any, domain: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = make_store(database, domain)
    await give_consent(store, SENDER)
    events_before = len(rows(database, "sigilo_events"))
    original = ledger.erase

    def erase_then_fail(*args: Any, **kwargs: Any) -> Any:
        original(*args, **kwargs)  # the ledger rows are deleted in the transaction…
        raise RuntimeError("disk full")  # …which then fails

    monkeypatch.setattr(ledger, "erase", erase_then_fail)
    # save() never raises into Rasa (its fail-safe store would stream the turn raw):
    # the failure is logged with the pseudonym and the error type only
    await erase(store, SENDER, ledger.new_reference())
    assert "this turn was not stored (RuntimeError)" in caplog.text
    # one transaction: neither the conversation nor the ledger lost anything
    assert len(rows(database, "sigilo_events")) == events_before
    assert [e["decision"] for e in rows(database, "sigilo_consent_ledger")] == ["given"]
    assert rows(database, "sigilo_erasure_receipts") == []


async def test_a_replayed_receipt_reference_never_fails_an_erasure(
    database: Any, domain: Any
) -> None:
    store = make_store(database, domain)
    reference = ledger.new_reference()
    await give_consent(store, SENDER)
    await erase(store, SENDER, reference)
    await give_consent(store, OTHER)
    await erase(store, OTHER, reference)  # same reference, another consumer
    receipts = {r["pseudonym"]: r["reference"] for r in rows(database, "sigilo_erasure_receipts")}
    assert receipts[_pseudonym(SENDER)] == reference
    assert receipts[_pseudonym(OTHER)] != reference
    assert ledger.is_reference(receipts[_pseudonym(OTHER)])
