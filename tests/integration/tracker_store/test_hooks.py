"""Store hooks (``sigilo/tracker_store/hooks.py``) on SQLite and PostgreSQL.

Hooks are registered the way a feature registers them, through ``build_hooks`` (here
replaced for the test), and write to a probe table in the store's own database, so
atomicity is checked on the real rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import Connection

from sigilo.tracker_store import store as store_module
from sigilo.tracker_store.db import make_engine
from sigilo.tracker_store.hooks import StoredTurn, StoreHook, build_hooks
from sigilo.tracker_store.schema import events as events_table
from sigilo.tracker_store.schema import senders as senders_table
from tests.integration.tracker_store.test_store import (
    CARD,
    SENDER,
    TIN,
    Broker,
    conversation,
    erase_turn,
    make_store,
    saved_tracker,
    user,
)

probe = sa.Table(
    "hook_probe",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("pseudonym", sa.String(64)),
    sa.Column("events", sa.Integer),
    sa.Column("erased", sa.Boolean),
)


class HookFailed(RuntimeError):
    """Raised by a hook on purpose."""


class Recorder(StoreHook):
    """Writes a probe row in the transaction, records after-save calls; may raise."""

    def __init__(self) -> None:
        self.fail_in_transaction = False
        self.fail_after_save = False
        self.seen_in_transaction: list[tuple[StoredTurn, int]] = []
        self.after: list[tuple[Any, list[Event], StoredTurn]] = []

    def in_transaction(self, conn: Connection, turn: StoredTurn) -> None:
        conn.execute(
            sa.insert(probe).values(
                pseudonym=turn.pseudonym, events=len(turn.events), erased=turn.erased
            )
        )
        # the same transaction: the turn's rows are visible before they are committed
        rows = conn.execute(
            sa.select(sa.func.count()).where(events_table.c.pseudonym == turn.pseudonym)
        ).scalar_one()
        self.seen_in_transaction.append((turn, rows))
        if self.fail_in_transaction:
            raise HookFailed("ledger refused the turn")

    def after_save(self, tracker: Any, new_events: Sequence[Any], turn: StoredTurn) -> None:
        self.after.append((tracker, list(new_events), turn))
        if self.fail_after_save:
            raise HookFailed("metrics are down")


@pytest.fixture
def recorder(database: Any, monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """A hook registered through ``build_hooks`` for every store built in the test."""
    hook = Recorder()
    configs: list[dict[str, Any]] = []

    def hooks(config: dict[str, Any]) -> list[StoreHook]:
        configs.append(config)
        return [*build_hooks(config), hook]

    monkeypatch.setattr(store_module, "build_hooks", hooks)
    engine = make_engine(database.url)
    probe.create(engine)
    engine.dispose()
    hook.configs = configs  # type: ignore[attr-defined]
    return hook


def counts(database: Any) -> tuple[int, int, int]:
    """Rows in (events, senders, probe)."""
    engine = make_engine(database.url)
    with engine.connect() as conn:
        found = tuple(
            conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in (events_table, senders_table, probe)
        )
    engine.dispose()
    return found  # type: ignore[return-value]


async def test_hook_options_come_from_the_store_config(
    database: Any, domain: Any, recorder: Recorder
) -> None:
    make_store(database, domain, consent_ledger="on")
    (config,) = recorder.configs  # type: ignore[attr-defined]
    assert config["consent_ledger"] == "on"


async def test_in_transaction_writes_commit_with_the_turn(
    database: Any, domain: Any, recorder: Recorder
) -> None:
    store = make_store(database, domain)
    await saved_tracker(store)
    assert counts(database) == (len(conversation()), 1, 1)
    turn, visible = recorder.seen_in_transaction[0]
    assert visible == len(conversation())  # same connection, same transaction
    assert (turn.generation, turn.erased, len(turn.events)) == (0, False, len(conversation()))
    assert CARD not in repr(turn.events)  # hooks see the redacted rows


async def test_hook_raising_in_transaction_rolls_the_first_turn_back(
    database: Any, domain: Any, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    broker = Broker()
    store = make_store(database, domain, event_broker=broker)
    recorder.fail_in_transaction = True
    await saved_tracker(store)  # logged, not raised into Rasa's fail-safe wrapper
    assert "this turn was not stored (HookFailed)" in caplog.text
    assert counts(database) == (0, 0, 0)  # not even the sender row
    assert await store.retrieve(SENDER) is None
    assert recorder.after == [] and broker.published == []


async def test_hook_raising_in_transaction_rolls_a_later_turn_back(
    database: Any, domain: Any, recorder: Recorder
) -> None:
    store = make_store(database, domain)
    await saved_tracker(store)
    before = counts(database)
    tracker = await store.retrieve(SENDER)
    tracker.update(user("one more thing"))
    recorder.fail_in_transaction = True
    await store.save(tracker)
    assert counts(database) == before
    full = await store.retrieve_full_tracker(SENDER)
    assert "one more thing" not in [e.text for e in full.events if isinstance(e, UserUttered)]
    assert len(recorder.after) == 1  # only the first, committed turn


async def test_hook_raising_rolls_an_erasure_back(
    database: Any, domain: Any, recorder: Recorder
) -> None:
    store = make_store(database, domain)
    await saved_tracker(store)
    before = counts(database)
    recorder.fail_in_transaction = True
    with pytest.raises(HookFailed):  # the operators' erasure
        store.repository.erase(SENDER)
    tracker = await store.retrieve(SENDER)
    erase_turn(tracker)
    await store.save(tracker)  # the consumer's "delete my data": logged, undone
    assert counts(database) == before  # every event still there, generation unchanged
    engine = make_engine(database.url)
    with engine.connect() as conn:
        assert conn.execute(sa.select(senders_table.c.generation)).scalar_one() == 0
    engine.dispose()
    assert [t.erased for t, _ in recorder.seen_in_transaction] == [False, True, True]
    recorder.fail_in_transaction = False
    assert store.repository.erase(SENDER) == len(conversation())
    assert counts(database) == (0, 1, before[2] + 1)


async def test_after_save_once_per_committed_turn_with_rasa_events(
    database: Any, domain: Any, recorder: Recorder
) -> None:
    store = make_store(database, domain)
    tracker = await saved_tracker(store)
    await store.save(tracker)  # nothing new: no turn
    assert len(recorder.after) == 1
    seen_tracker, new_events, turn = recorder.after[0]
    assert seen_tracker is tracker
    assert all(isinstance(e, Event) for e in new_events)
    assert len(new_events) == len(turn.events) == len(conversation())
    # before redaction: the hook gets what Rasa produced
    assert any(isinstance(e, SlotSet) and e.value == CARD for e in new_events)
    assert any(isinstance(e, UserUttered) and TIN[:3] in e.text for e in new_events)
    loaded = await store.retrieve(SENDER)
    loaded.update(user("thanks"))
    await store.save(loaded)
    await store.save(loaded)  # saved again: still one turn
    assert len(recorder.after) == 2
    assert [e.text for e in recorder.after[1][1]] == ["thanks"]


async def test_after_save_never_for_a_stale_save(
    database: Any, domain: Any, recorder: Recorder
) -> None:
    store_a, store_b = make_store(database, domain), make_store(database, domain)
    await saved_tracker(store_a)
    on_a, stale_on_b = await store_a.retrieve(SENDER), await store_b.retrieve(SENDER)
    erase_turn(on_a)
    await store_a.save(on_a)
    assert recorder.after[-1][2].erased and len(recorder.after) == 2
    calls_in_transaction = len(recorder.seen_in_transaction)
    stale_on_b.update(user(f"late, with my tin {TIN}"))
    await store_b.save(stale_on_b)  # refused: erased meanwhile
    store_a.repository.erase(SENDER)
    on_a.update(user("after an operator erased it"))
    await store_a.save(on_a)  # refused too
    assert len(recorder.after) == 2
    assert len(recorder.seen_in_transaction) == calls_in_transaction + 1  # the erase only


async def test_after_save_not_called_when_nothing_was_written(
    database: Any, domain: Any, recorder: Recorder
) -> None:
    store = make_store(database, domain)
    await saved_tracker(store)
    # a tracker built elsewhere (no identities): its events are already stored
    rebuilt = DialogueStateTracker.from_events(SENDER, conversation(), domain.slots)
    await store.save(rebuilt)
    assert len(recorder.after) == 1
    assert counts(database)[0] == len(conversation())


async def test_after_save_errors_never_break_the_turn(
    database: Any, domain: Any, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    recorder.fail_after_save = True
    store = make_store(database, domain)
    await saved_tracker(store)
    assert counts(database)[0] == len(conversation())
    assert "store hook Recorder failed: HookFailed" in caplog.text
    assert "metrics are down" not in caplog.text  # the type only, never a message
