"""The console's search index: one non-personal row per conversation.

Payloads are encrypted, so searching them would mean decrypting every conversation.
:class:`ConversationIndexHook` keeps a summary instead, written in the store's own
transaction with every turn (so it can never disagree with the events) and reset by
an erasure: pseudonym, first/last event time, channel, language, consent state and
the *names* of the personal slots currently set (never their values).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sigilo.console.schema import conversation_index
from sigilo.tracker_store.hooks import StoredTurn, StoreHook

CONSENT_STATES = ("given", "refused", "withdrawn", "unknown")
CONSENT_SLOT = "consent_given"
LANGUAGE_SLOT = "language"


def _consent(previous: str, value: Any) -> str:
    if value is True:
        return "given"
    if value is False:
        return "refused"
    # cleared: after a yes, that is a withdrawal
    return "withdrawn" if previous in ("given", "withdrawn") else "unknown"


def summarize(
    state: dict[str, Any] | None, events: Iterable[dict[str, Any]], personal: Collection[str]
) -> dict[str, Any] | None:
    """The index row after ``events`` (stored dicts), from the previous row ``state``."""
    row = dict(state) if state else None
    held = set(filter(None, (row or {}).get("personal_slots", "").split(",")))
    for event in events:
        stamp = float(event.get("timestamp") or time.time())
        if row is None:
            row = {
                "first_event_at": stamp,
                "last_event_at": stamp,
                "channel": "",
                "language": "",
                "consent": "unknown",
            }
        row["first_event_at"] = min(row["first_event_at"], stamp)
        row["last_event_at"] = max(row["last_event_at"], stamp)
        kind = event.get("event")
        if kind == "user" and event.get("input_channel"):
            row["channel"] = str(event["input_channel"])[:32]
        elif kind == "slot":
            name, value = event.get("name"), event.get("value")
            if name == LANGUAGE_SLOT and isinstance(value, str):
                row["language"] = value[:8]
            elif name == CONSENT_SLOT:
                row["consent"] = _consent(row["consent"], value)
            if name in personal:
                (held.add if value not in (None, "") else held.discard)(name)
        elif kind in ("restart", "reset_slots"):
            held.clear()
    if row is None:
        return None
    row["personal_slots"] = ",".join(sorted(held))[:200]
    row["holds_personal"] = bool(held)
    return row


class ConversationIndexHook(StoreHook):
    """Writes the index row in the store's transaction; an erasure resets it."""

    def __init__(self, personal_slots: Collection[str]) -> None:
        """``personal_slots``: the inventory's personal-class slot names."""
        self.personal = frozenset(personal_slots)

    def in_transaction(self, conn: Connection, turn: StoredTurn) -> None:
        """Updates (or, after an erasure, rebuilds) the conversation's index row."""
        where = conversation_index.c.pseudonym == turn.pseudonym
        state = None
        if turn.erased:
            conn.execute(sa.delete(conversation_index).where(where))
        else:
            found = conn.execute(sa.select(conversation_index).where(where)).first()
            state = dict(found._mapping) if found else None
        row = summarize(state, turn.events, self.personal)
        if row is None:
            return
        row.pop("pseudonym", None)
        if state is None:
            conn.execute(sa.insert(conversation_index).values(pseudonym=turn.pseudonym, **row))
        else:
            conn.execute(sa.update(conversation_index).where(where).values(**row))


def rebuild_after_retention(conn: Connection, events_table: sa.Table) -> int:
    """Drops index rows whose events are all gone and moves first-event times forward.

    Retention deletes old sessions directly; this brings the index in line in one
    statement pair. Returns the number of index rows removed.
    """
    alive = sa.exists().where(events_table.c.pseudonym == conversation_index.c.pseudonym)
    removed = conn.execute(sa.delete(conversation_index).where(~alive)).rowcount
    first = (
        sa.select(sa.func.min(events_table.c.timestamp))
        .where(events_table.c.pseudonym == conversation_index.c.pseudonym)
        .scalar_subquery()
    )
    # coalesce: a consumer erasing meanwhile leaves no event to take the minimum of
    conn.execute(
        sa.update(conversation_index).values(
            first_event_at=sa.func.coalesce(first, conversation_index.c.first_event_at)
        )
    )
    return removed
