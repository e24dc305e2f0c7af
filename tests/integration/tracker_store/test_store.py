"""The privacy tracker store on real databases: what is stored, read back, erased."""

from __future__ import annotations

import time
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
from rasa.shared.core.trackers import DialogueStateTracker

from sigilo.tracker_store import PrivacyTrackerStore, TrackerStoreConfigError
from sigilo.tracker_store.db import make_engine
from sigilo.tracker_store.repository import ConversationUnreadable
from sigilo.tracker_store.schema import events as events_table

SENDER = "messenger-2718281828459045"
TIN = "52998224725"
CARD = "4242424242424242"
NAME = "Filomena"
SECRET_TEXT = "quero ver minhas faturas urgentemente"


class Broker:
    """A stand-in event broker that keeps what it is given."""

    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    def publish(self, event: dict[str, Any]) -> None:
        self.published.append(event)


def make_store(database: Any, domain: Any, **kwargs: Any) -> PrivacyTrackerStore:
    return PrivacyTrackerStore(domain=domain, host=database.url, **kwargs)


def user(text: str, intent: str = "inform", **metadata: Any) -> UserUttered:
    return UserUttered(
        text,
        intent={"name": intent, "confidence": 0.9},
        parse_data={"text": text, "intent": {"name": intent}, "entities": []},
        metadata=metadata or None,
    )


def conversation() -> list[Any]:
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        user(
            f"{SECRET_TEXT}, meu CPF é {TIN[:3]}.{TIN[3:6]}.{TIN[6:9]}-{TIN[9:]}",
            ip="203.0.113.9",
            user_agent="Mozilla/5.0 Sigilo-Test",
            referrer="https://shop.example/private-page",
        ),
        SlotSet("tin", TIN),
        SlotSet("customer_first_name", NAME),
        BotUttered(f"Olá {NAME}!"),
        user(f"my card is {CARD[:4]} {CARD[4:8]} {CARD[8:12]} {CARD[12:]}"),
        SlotSet("card_number", CARD),
        SlotSet("card_expiry", "12/29"),
        BotUttered("Visa card ending in 4242. Expiry date?"),
        ActionExecuted("action_listen"),
    ]


async def saved_tracker(store: PrivacyTrackerStore, sender: str = SENDER) -> DialogueStateTracker:
    tracker = DialogueStateTracker.from_events(sender, conversation(), store.domain.slots)
    await store.save(tracker)
    return tracker


async def test_roundtrip_keeps_the_conversation_redacted(database: Any, domain: Any) -> None:
    store = make_store(database, domain)
    await saved_tracker(store)
    tracker = await store.retrieve(SENDER)
    assert tracker is not None
    texts = [e.text for e in tracker.events if isinstance(e, UserUttered)]
    assert SECRET_TEXT in texts[0] and TIN not in texts[0] and CARD[-4:] in texts[1]
    assert all(CARD not in t.replace(" ", "") for t in texts)
    assert tracker.get_slot("tin") == TIN  # personal: kept, encrypted
    assert tracker.get_slot("customer_first_name") == NAME
    # secret: this process still holds it during the payment, no other process does
    assert tracker.get_slot("card_number") == CARD
    fresh = make_store(database, domain)
    assert (await fresh.retrieve(SENDER)).get_slot("card_number") is None
    metadata = next(e for e in tracker.events if isinstance(e, UserUttered)).metadata
    assert not {"ip", "user_agent", "referrer"} & set(metadata or {})
    assert list(await store.keys()) == [SENDER]


async def test_raw_database_holds_nothing_readable(database: Any, domain: Any) -> None:
    store = make_store(database, domain)
    await saved_tracker(store)
    raw = database.raw_dump()
    assert len(raw) > 1000
    for needle in [SENDER, TIN, CARD, NAME, SECRET_TEXT, "203.0.113.9", "Mozilla", "faturas"]:
        assert needle.encode() not in raw, needle
    assert f"{TIN[:3]}.{TIN[3:6]}".encode() not in raw


async def test_save_is_idempotent_and_appends_only_new_events(database: Any, domain: Any) -> None:
    store = make_store(database, domain)
    tracker = await saved_tracker(store)
    await store.save(tracker)  # nothing new: nothing written
    loaded = await store.retrieve(SENDER)
    loaded.update(user("thanks"))
    await store.save(loaded)
    await store.save(loaded)
    again = await store.retrieve_full_tracker(SENDER)
    assert len(again.events) == len(conversation()) + 1


async def test_sessions_latest_and_full(database: Any, domain: Any) -> None:
    store = make_store(database, domain)
    tracker = await saved_tracker(store)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    latest = await store.retrieve(SENDER)
    full = await store.retrieve_full_tracker(SENDER)
    assert [type(e) for e in latest.events] == [SessionStarted, ActionExecuted]
    assert len(full.events) == len(conversation()) + 3


def erase_turn(tracker: DialogueStateTracker) -> None:
    tracker.update(user("/affirm", intent="affirm"))
    tracker.update(ActionExecuted("action_delete_data"))
    tracker.update(BotUttered("Done, I erased everything."))
    tracker.update(Restarted())
    tracker.update(SlotSet("language", "pt"))
    tracker.update(SlotSet("language_source", "detected"))
    tracker.update(ActionExecuted("action_listen"))


async def test_erasure_sticks_across_replicas(database: Any, domain: Any) -> None:
    store_a, store_b = make_store(database, domain), make_store(database, domain)
    await saved_tracker(store_a)
    on_a = await store_a.retrieve(SENDER)
    stale_on_b = await store_b.retrieve(SENDER)  # another replica loaded it too
    erase_turn(on_a)
    await store_a.save(on_a)
    stale_on_b.update(user(f"late message with my tin {TIN}"))
    await store_b.save(stale_on_b)  # must not write pre-erasure events back
    await store_a.save(on_a)
    full = await store_b.retrieve_full_tracker(SENDER)
    assert [type(e).__name__ for e in full.events] == [
        "Restarted",
        "SlotSet",
        "SlotSet",
        "ActionExecuted",
    ]
    assert full.get_slot("tin") is None and full.get_slot("card_number") is None
    # the conversation continues from the clean state, on either replica
    after = await store_b.retrieve(SENDER)
    after.update(user("hello again"))
    await store_b.save(after)
    assert len((await store_a.retrieve_full_tracker(SENDER)).events) == 5
    assert TIN.encode() not in database.raw_dump()


async def test_rows_deleted_during_a_turn_are_not_written_back(database: Any, domain: Any) -> None:
    store = make_store(database, domain)
    await saved_tracker(store)
    tracker = await store.retrieve(SENDER)
    store.repository.erase(SENDER)  # e.g. an operator erases it mid-turn
    tracker.update(user("still here"))
    await store.save(tracker)
    assert await store.retrieve(SENDER) is None


async def test_erasure_cost_is_per_consumer_index(database: Any, domain: Any) -> None:
    engine = make_engine(database.url)
    with engine.connect() as conn:
        indexes = sa.inspect(conn).get_unique_constraints("sigilo_events")
    assert any(c["column_names"][0] == "pseudonym" for c in indexes)


async def test_broker_gets_only_redacted_events(database: Any, domain: Any) -> None:
    broker = Broker()
    store = make_store(database, domain, event_broker=broker)
    await saved_tracker(store)
    assert len(broker.published) == len(conversation())
    dump = repr(broker.published)
    for needle in [SENDER, TIN, CARD, "203.0.113.9", "Mozilla"]:
        assert needle not in dump
    assert SECRET_TEXT in dump  # ordinary text is kept, only secrets go


async def test_unreadable_rows_name_the_pseudonym_and_spare_others(
    database: Any, domain: Any
) -> None:
    store = make_store(database, domain)
    await saved_tracker(store, "victim")
    await saved_tracker(store, "bystander")
    victim = store.repository.pseudonym("victim")
    engine = make_engine(database.url)
    with engine.begin() as conn:
        conn.execute(
            sa.update(events_table)
            .where(events_table.c.pseudonym == victim, events_table.c.seq == 3)
            .values(data=b'{"event": "user", "text": "written by the stock store"}')
        )
    with pytest.raises(
        ConversationUnreadable, match=f"conversation {victim[:12]}.*#3.*not a Sigilo"
    ):
        await store.retrieve_full_tracker("victim")
    stand_in = await store.retrieve("victim")  # Rasa gets the "try again later" stand-in
    stand_in.update(user("hello?"))
    assert stand_in.followup_action == "utter_try_again_later"
    assert (await store.retrieve("bystander")) is not None
    assert sorted(await store.keys()) == ["bystander", "victim"]


async def test_wrong_key_is_a_clear_error(database: Any, domain: Any, monkeypatch: Any) -> None:
    await saved_tracker(make_store(database, domain))
    from sigilo import keys

    monkeypatch.setenv(keys.ENCRYPTION_KEYS, f"other:{keys.new_key()}")
    with pytest.raises(ConversationUnreadable, match="key 'k1', which is not in the key ring"):
        await make_store(database, domain).retrieve_full_tracker(SENDER)


def test_unmigrated_database_or_missing_keys_fail_loudly(tmp_path: Any, monkeypatch: Any) -> None:
    with pytest.raises(TrackerStoreConfigError, match="sigilo db upgrade"):
        PrivacyTrackerStore(host=f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.delenv("SIGILO_ENCRYPTION_KEYS")
    with pytest.raises(TrackerStoreConfigError, match="no encryption key"):
        PrivacyTrackerStore(host=f"sqlite:///{tmp_path / 'empty.db'}")


async def test_timestamps_are_the_events_own(database: Any, domain: Any) -> None:
    store = make_store(database, domain)
    before = time.time()
    await saved_tracker(store)
    loaded = await store.retrieve_full_tracker(SENDER)
    assert all(e.timestamp <= time.time() and e.timestamp >= before - 5 for e in loaded.events)


async def test_stored_payload_is_redacted_before_encryption(database: Any, domain: Any) -> None:
    store = make_store(database, domain)
    await saved_tracker(store)
    _, stored = store.repository.load(SENDER, all_sessions=True)
    plain = repr([item.data for item in stored])
    for needle in [CARD, "12/29", "203.0.113.9", "Mozilla", "private-page"]:
        assert needle not in plain, needle
    assert TIN in plain  # the tin slot keeps it (personal, encrypted); texts do not
    assert sum(TIN in repr(item.data) for item in stored) == 1
