"""Bad input on SQLite and PostgreSQL: corrupted ciphertext, a wrong key, a database of
the stock store, a database that goes away mid-conversation.

Each case gives a clear error naming the pseudonym (never content), loses nothing
stored, and keeps other conversations working. The store is driven through Rasa's
own ``FailSafeTrackerStore`` wrapper, as the Rasa server does: when a save raises, that
wrapper saves the turn to an in-memory store sharing the event broker, which would
stream it raw.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from sigilo import keys
from sigilo.tracker_store import TrackerStoreConfigError
from sigilo.tracker_store.db import make_engine, upgrade
from sigilo.tracker_store.repository import ConversationUnreadable
from sigilo.tracker_store.schema import events as events_table
from tests.integration.tracker_store.test_store import (
    SENDER,
    TIN,
    Broker,
    conversation,
    make_store,
    saved_tracker,
    user,
)
from tests.support.processes import free_port
from tests.support.services import POSTGRES_URL

TRY_AGAIN = "utter_try_again_later"


def stored_rows(database: Any) -> int:
    engine = make_engine(database.url)
    with engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(events_table)).scalar_one()
    engine.dispose()
    return count


def corrupt(database: Any, pseudonym: str, seq: int) -> None:
    """Flips one bit of a stored ciphertext (the tag's last byte)."""
    engine = make_engine(database.url)
    where = (events_table.c.pseudonym == pseudonym, events_table.c.seq == seq)
    with engine.begin() as conn:
        data = bytearray(conn.execute(sa.select(events_table.c.data).where(*where)).scalar_one())
        data[-1] ^= 0x01
        conn.execute(sa.update(events_table).where(*where).values(data=bytes(data)))
    engine.dispose()


async def test_corrupted_ciphertext_is_named_and_nothing_else_is_lost(
    database: Any, domain: Any, caplog: pytest.LogCaptureFixture
) -> None:
    broker = Broker()
    store = make_store(database, domain, event_broker=broker)
    rasa_view = FailSafeTrackerStore(store)
    await saved_tracker(store, "victim")
    await saved_tracker(store, "bystander")
    victim = store.repository.pseudonym("victim")
    corrupt(database, victim, 3)
    rows, broker.published[:] = stored_rows(database), []
    with pytest.raises(
        ConversationUnreadable,
        match=rf"conversation {victim[:12]}: event #3 unreadable: ciphertext failed "
        r"authentication with key 'k1' \(corrupted",
    ):
        await store.retrieve_full_tracker("victim")
    # what the Rasa server sees: a stand-in that says "try again later", not a new
    # conversation (which the wrapper would make of an error)
    stand_in = await rasa_view.retrieve("victim")
    stand_in.update(user(f"hello? my cpf is {TIN}"))
    assert stand_in.followup_action == TRY_AGAIN
    await rasa_view.save(stand_in)
    assert stored_rows(database) == rows and broker.published == []
    assert rasa_view._fallback_tracker_store is None  # nothing went to its memory store
    assert victim[:12] in caplog.text and "hello?" not in caplog.text
    bystander = await rasa_view.retrieve("bystander")
    bystander.update(user("still fine"))
    await rasa_view.save(bystander)
    assert stored_rows(database) == rows + 1
    assert sorted(await store.keys()) == ["bystander", "victim"]


async def test_wrong_key_under_the_same_id(
    database: Any, domain: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    await saved_tracker(make_store(database, domain))
    monkeypatch.setenv(keys.ENCRYPTION_KEYS, f"k1:{keys.new_key()}")  # same id, other key
    store = make_store(database, domain)
    with pytest.raises(ConversationUnreadable, match="failed authentication with key 'k1'"):
        await store.retrieve_full_tracker(SENDER)
    stand_in = await store.retrieve(SENDER)
    stand_in.update(user("hello"))
    assert stand_in.followup_action == TRY_AGAIN


def stock_store(database: Any, domain: Any) -> SQLTrackerStore:
    """Rasa's own SQLTrackerStore on the same database."""
    if database.backend == "sqlite":
        return SQLTrackerStore(domain, dialect="sqlite", db=str(database.path))
    return SQLTrackerStore(
        domain,
        dialect="postgresql",
        host="127.0.0.1",
        port=5432,
        username="postgres",
        db="postgres",
        query={"options": f"-csearch_path={database.schema}"},
    )


async def test_database_of_the_stock_store(database: Any, domain: Any, tmp_path: Any) -> None:
    """A database Rasa's stock store wrote: refused until migrated; its rows untouched."""
    if database.backend == "sqlite":  # the fixture's file is migrated: use a fresh one
        database.path = tmp_path / "stock.db"
        database.url = f"sqlite:///{database.path}"
    else:  # the fixture's schema, emptied of every migrated table
        admin = sa.create_engine(POSTGRES_URL, future=True, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {database.schema} CASCADE"))
            conn.execute(sa.text(f"CREATE SCHEMA {database.schema}"))
        admin.dispose()
    stock = stock_store(database, domain)
    tracker = DialogueStateTracker.from_events("stock-user", conversation(), domain.slots)
    await stock.save(tracker)
    with pytest.raises(TrackerStoreConfigError, match="sigilo db upgrade"):
        make_store(database, domain)
    upgrade(database.url)
    store = make_store(database, domain)
    assert await store.retrieve("stock-user") is None  # never reads the stock rows
    await saved_tracker(store)
    assert len((await stock.retrieve_full_tracker("stock-user")).events) == len(conversation())


async def test_database_gone_mid_conversation(database: Any, domain: Any) -> None:
    broker = Broker()
    store = make_store(database, domain, event_broker=broker)
    rasa_view = FailSafeTrackerStore(store)
    await saved_tracker(store)
    loaded = await rasa_view.retrieve(SENDER)  # a turn begins...
    working, rows = store.repository.engine, stored_rows(database)
    broker.published.clear()
    gone = make_engine(f"postgresql+psycopg2://nobody@127.0.0.1:{free_port()}/x")
    store.repository.engine = gone  # ...and the database goes away
    loaded.update(user(f"my cpf is {TIN}"))
    await rasa_view.save(loaded)  # not stored, and no exception for the wrapper
    stand_in = await rasa_view.retrieve(SENDER)  # the next turn: "try again later"
    stand_in.update(user(f"hello? {TIN}"))
    assert stand_in.followup_action == TRY_AGAIN
    await rasa_view.save(stand_in)
    assert broker.published == [] and rasa_view._fallback_tracker_store is None
    with pytest.raises(Exception, match="unavailable"):  # the HTTP API's full tracker
        await store.retrieve_full_tracker(SENDER)
    store.repository.engine = working  # the database is back: no restart needed
    await rasa_view.save(stand_in)  # a stand-in is never written, even now
    assert stored_rows(database) == rows
    tracker = await rasa_view.retrieve(SENDER)
    assert tracker.followup_action != TRY_AGAIN
    assert tracker.get_slot("tin") == TIN  # everything stored before is there
    tracker.update(user("back again"))
    await rasa_view.save(tracker)
    texts = [
        e.text
        for e in (await store.retrieve_full_tracker(SENDER)).events
        if isinstance(e, UserUttered)
    ]
    assert texts[-1] == "back again" and not any("hello?" in t or "my cpf" in t for t in texts)
    assert [b["text"] for b in broker.published if b["event"] == "user"] == ["back again"]
    gone.dispose()
