"""The console's operations on real SQLite and PostgreSQL: search through the index and
the keyed pseudonym, masked reading, export, delete through the store's erasure path."""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from sigilo.console.conversations import MASK
from sigilo.console.roles import AccessDenied, Role
from sigilo.console.schema import audit_log, conversation_index
from sigilo.console.search import FilterError
from sigilo.console.service import Console, NotFound
from sigilo.tracker_store.hooks import StoreHook
from tests.integration.console.conftest import NAME, TIN, Operators, conversation, save

MESSENGER_ID = "2718281828459045"


async def test_search_by_filters_and_by_typed_sender_id(
    console: Console, store: Any, ops: Operators
) -> None:
    await save(store, MESSENGER_ID, conversation("oi quero minhas faturas"), "facebook")
    await save(store, "web-abc", conversation("hola", "es", personal=False), "socketio")
    viewer = ops.sessions[Role.VIEWER]
    every = console.search(viewer, {})
    assert every["total"] == 2
    found = console.search(viewer, {"sender_id": MESSENGER_ID})
    assert found["total"] == 1
    row = found["conversations"][0]
    assert row["pseudonym"] == console.repository.pseudonym(MESSENGER_ID)
    assert row["channel"] == "facebook" and row["language"] == "pt"
    assert row["consent"] == "given" and row["holds_personal"] is True
    assert sorted(row["personal_slots"]) == ["customer_first_name", "tin"]
    assert console.search(viewer, {"personal": "false"})["conversations"][0]["language"] == "es"
    assert console.search(viewer, {"channel": "socketio", "language": "pt"})["total"] == 0
    assert console.search(viewer, {"from": "2000-01-01", "to": "2000-01-02"})["total"] == 0
    assert console.search(viewer, {"consent": "refused"})["total"] == 0
    assert console.search(viewer, {"sender_id": "nobody"})["total"] == 0
    for bad in (
        {"page_size": 100000},
        {"from": "yesterday"},
        {"consent": "maybe"},
        {"colour": "red"},
        {"from": "2026-02-01", "to": "2026-01-01"},
    ):
        with pytest.raises(FilterError):
            console.search(viewer, bad)
    with pytest.raises(AccessDenied):
        console.search(ops.sessions[Role.NONE], {})
    outcomes = [e.outcome for e in console.audit.entries() if e.action == "search"]
    assert outcomes.count("invalid") == 5 and outcomes.count("denied") == 1


async def test_index_never_holds_personal_values_and_resets_on_erasure(
    console: Console, store: Any, ops: Operators, database: Any
) -> None:
    await save(store, MESSENGER_ID, conversation("oi"))
    with console.engine.connect() as conn:
        rows = [tuple(map(str, r)) for r in conn.execute(sa.select(conversation_index))]
        audit = [tuple(map(str, r)) for r in conn.execute(sa.select(audit_log))]
    for needle in (TIN, NAME, MESSENGER_ID):
        assert needle not in repr(rows) and needle not in repr(audit)
    console.delete(ops.sessions[Role.EDITOR], [console.repository.pseudonym(MESSENGER_ID)])
    with console.engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(conversation_index)).scalar() == 0
        )


async def test_read_masks_personal_data_for_viewers(
    console: Console, store: Any, ops: Operators
) -> None:
    await save(store, MESSENGER_ID, conversation("oi quero minhas faturas"))
    pseudonym = console.repository.pseudonym(MESSENGER_ID)
    full = console.show(ops.sessions[Role.EDITOR], pseudonym)
    assert full["sender_id"] == MESSENGER_ID and full["personal_data"]["tin"] == TIN
    assert any(line.get("text") == f"Olá {NAME}!" for line in full["transcript"])
    masked = console.show(ops.sessions[Role.VIEWER], pseudonym)
    text = json.dumps(masked)
    assert TIN not in text and NAME not in text and MESSENGER_ID not in text
    assert masked["sender_id"] == MASK and masked["personal_data"]["tin"] == MASK
    assert any(line.get("text") == f"Olá {MASK}!" for line in masked["transcript"])
    with pytest.raises(NotFound):
        console.show(ops.sessions[Role.EDITOR], "f" * 64)
    with pytest.raises(NotFound):
        console.show(ops.sessions[Role.EDITOR], "not-a-pseudonym")
    actions = [(e.action, e.pseudonym, e.outcome) for e in console.audit.entries()]
    assert ("read", pseudonym, "ok") in actions and ("read_masked", pseudonym, "ok") in actions
    assert ("read", None, "not_found") in actions


async def test_export_json_csv_xlsx(console: Console, store: Any, ops: Operators) -> None:
    from openpyxl import load_workbook

    await save(store, MESSENGER_ID, conversation('=HYPERLINK("x") oi'))
    await save(store, "web-2", conversation("hola", "es"))
    wanted = [console.repository.pseudonym(s) for s in (MESSENGER_ID, "web-2")]
    editor = ops.sessions[Role.EDITOR]
    seen: list[int] = []
    out = io.BytesIO()
    assert console.export(editor, wanted, "json", out, progress=seen.append) == 2
    document = json.loads(out.getvalue())["documents"][0]
    assert document["sender_id"] == MESSENGER_ID and document["personal_data"]["tin"] == TIN
    assert seen == [1, 2]
    out = io.BytesIO()
    console.export(editor, wanted, "csv", out)
    csv_text = out.getvalue().decode()
    assert csv_text.startswith("conversation,sender_id,") and "'=HYPERLINK" in csv_text
    out = io.BytesIO()
    console.export(editor, wanted, "xlsx", out)
    book = load_workbook(io.BytesIO(out.getvalue()))
    assert book["conversations"].max_row == 3
    assert any("'=HYPERLINK" in str(c.value) for row in book["events"].iter_rows() for c in row)
    with pytest.raises(AccessDenied):
        console.export(ops.sessions[Role.VIEWER], wanted, "json", io.BytesIO())
    with pytest.raises(FilterError):
        console.export(editor, wanted, "pdf", io.BytesIO())
    with pytest.raises(NotFound):
        console.export(editor, ["0" * 64], "json", io.BytesIO())
    exports = [e for e in console.audit.entries() if e.action == "export" and e.outcome == "ok"]
    assert len(exports) == 6


class _FailFor(StoreHook):
    def __init__(self, pseudonym: str) -> None:
        self.pseudonym = pseudonym

    def in_transaction(self, conn: Any, turn: Any) -> None:
        if turn.erased and turn.pseudonym == self.pseudonym:
            raise RuntimeError("disk full")


async def test_bulk_delete_is_atomic_per_consumer_and_reports_each(
    console: Console, store: Any, ops: Operators
) -> None:
    senders = ["a-1", "b-2", "c-3"]
    for sender in senders:
        await save(store, sender, conversation("oi"))
    pseudonyms = [console.repository.pseudonym(s) for s in senders]
    console.repository.hooks += (_FailFor(pseudonyms[1]),)
    reports = console.delete(ops.sessions[Role.EDITOR], [*pseudonyms, "e" * 64])
    assert [r.status for r in reports] == ["erased", "failed", "erased", "not_found"]
    assert reports[0].events_deleted == len(conversation("oi")) and reports[0].receipt
    assert console.repository.load("a-1") is None and console.repository.load("c-3") is None
    kept = console.repository.load("b-2", all_sessions=True)
    assert kept is not None and len(kept[1]) == len(conversation("oi"))  # untouched
    assert console.search(ops.sessions[Role.VIEWER], {})["total"] == 1
    # the consumer's own "delete my data" goes through the same path afterwards
    tracker = await store.retrieve("b-2")
    assert tracker is not None
    assert console.audit.verify().ok
    with pytest.raises(AccessDenied):
        console.delete(ops.sessions[Role.VIEWER], pseudonyms)


async def test_retention_setting_and_runs(console: Console, ops: Operators) -> None:
    admin, viewer = ops.sessions[Role.ADMIN], ops.sessions[Role.VIEWER]
    assert console.retention(viewer) == {"months": None, "runs": []}
    assert console.set_retention(admin, 12) == 12
    for bad in (0, 37, "x", True):
        with pytest.raises(FilterError):
            console.set_retention(admin, bad)
    with pytest.raises(AccessDenied):
        console.set_retention(ops.sessions[Role.EDITOR], 3)
    assert console.retention(viewer)["months"] == 12


async def test_retention_sweep_uses_stored_period_updates_index_and_is_recorded(
    console: Console, store: Any, ops: Operators
) -> None:
    import time

    from sigilo.console import retention
    from sigilo.tracker_store.maintenance import SECONDS_PER_MONTH

    now = time.time()
    old, recent = conversation("velho"), conversation("novo")
    for offset, event in enumerate(old):
        event.timestamp = now - 8 * SECONDS_PER_MONTH + offset
    both = conversation("antigo")
    for offset, event in enumerate(both):
        event.timestamp = now - 8 * SECONDS_PER_MONTH + offset
    for offset, event in enumerate(recent):
        event.timestamp = now - 86400 + offset
    await save(store, "gone", old)
    await save(store, "kept", both + recent)
    console.set_retention(ops.sessions[Role.ADMIN], 6)
    months = retention.stored_period(console.engine)
    result = retention.run_sweep(console.engine, months, started_by="test")
    assert (result.sessions, result.senders) == (2, 1)
    found = console.search(ops.sessions[Role.VIEWER], {})
    assert [r["pseudonym"] for r in found["conversations"]] == [
        console.repository.pseudonym("kept")
    ]
    first = datetime.fromisoformat(found["conversations"][0]["first_event_at"]).timestamp()
    assert first > now - 2 * 86400  # moved forward past the swept session
    runs = console.retention(ops.sessions[Role.VIEWER])["runs"]
    assert runs[0]["months"] == 6 and runs[0]["sessions"] == 2 and runs[0]["started_by"] == "test"


async def test_consumers_own_erasure_resets_the_index_too(
    console: Console, store: Any, ops: Operators
) -> None:
    from tests.integration.tracker_store.test_store import erase_turn

    await save(store, MESSENGER_ID, conversation("oi"), "facebook")
    tracker = await store.retrieve(MESSENGER_ID)
    erase_turn(tracker)
    await store.save(tracker)
    row = console.search(ops.sessions[Role.VIEWER], {})["conversations"][0]
    assert row["holds_personal"] is False and row["consent"] == "unknown"
    assert row["channel"] == ""  # rebuilt from the events after the erasure only
    shown = console.show(ops.sessions[Role.EDITOR], row["pseudonym"])
    assert shown["personal_data"] == {} and TIN not in json.dumps(shown)
